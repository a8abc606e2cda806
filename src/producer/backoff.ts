// Kafka's ExponentialBackoff (multiplier 2, jitter 0.2): reconnects, retries and metadata refresh.

/** The wait before attempt `attempts` (0 for the first retry): initial·2^attempts ±20%, at most max. */
export function exponentialBackoff(initialMs: number, maxMs: number, attempts: number): number {
  if (initialMs <= 0) return 0;
  const expMax = maxMs > initialMs ? Math.log2(maxMs / initialMs) : 0;
  const term = initialMs * 2 ** Math.min(Math.max(attempts, 0), expMax);
  const value = Math.floor(term * (0.8 + Math.random() * 0.4));
  return value > maxMs ? maxMs : value;
}
