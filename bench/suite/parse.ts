// Parsers for the summary lines Kafka's perf tools (ProducerPerformance, ConsumerPerformance,
// EndToEndLatency) and SuiteClients.java print.

/** ProducerPerformance's final summary line. */
export interface ProducerSummary {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/**
 * Reads e.g. "100000 records sent, 51203.3 records/sec (50.00 MB/sec), 30.12 ms avg latency,
 * 210.00 ms max latency, 25 ms 50th, 80 ms 95th, 190 ms 99th, 205 ms 99.9th." (the last such line).
 */
export function parseProducerPerformance(out: string): ProducerSummary {
  const re =
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/g;
  const all = [...out.matchAll(re)];
  const m = all.at(-1);
  if (!m) throw new Error(`no ProducerPerformance summary in output:\n${out.slice(-2000)}`);
  return {
    records: Number(m[1]),
    recordsPerSec: Number(m[2]),
    mbPerSec: Number(m[3]),
    avgMs: Number(m[4]),
    p50Ms: Number(m[5]),
    p99Ms: Number(m[6]),
    p999Ms: Number(m[7]),
  };
}

/** ConsumerPerformance's CSV summary (header + one data line). */
export interface ConsumerSummary {
  mb: number;
  records: number;
  /** MB/s over the fetch time only (rebalance/join excluded), as Kafka's fetch.MB.sec. */
  fetchMbPerSec: number;
  fetchRecordsPerSec: number;
  fetchMs: number;
}

/** Reads the header + data line ConsumerPerformance prints when it is done. */
export function parseConsumerPerformance(out: string): ConsumerSummary {
  const lines = out.split('\n').map((l) => l.trim());
  const hi = lines.findIndex((l) => l.startsWith('start.time'));
  if (hi < 0) throw new Error(`no ConsumerPerformance header in output:\n${out.slice(-2000)}`);
  const header = lines[hi].split(',').map((s) => s.trim());
  const data = lines.slice(hi + 1).find((l) => l.split(',').length === header.length);
  if (!data) throw new Error(`no ConsumerPerformance data line in output:\n${out.slice(-2000)}`);
  const row = Object.fromEntries(data.split(',').map((v, i) => [header[i], v.trim()]));
  const num = (k: string) => {
    const v = Number(row[k]);
    if (!Number.isFinite(v)) throw new Error(`ConsumerPerformance field ${k} is not a number: ${row[k]}`);
    return v;
  };
  return {
    mb: num('data.consumed.in.MB'),
    records: num('data.consumed.in.nMsg'),
    fetchMbPerSec: num('fetch.MB.sec'),
    fetchRecordsPerSec: num('fetch.nMsg.sec'),
    fetchMs: num('fetch.time.ms'),
  };
}

/** EndToEndLatency's two closing lines: the mean in ms and whole-millisecond percentiles. */
export interface EndToEndLatencySummary {
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/**
 * Reads "Avg latency: 1.2345 ms" and "Percentiles: 50th = 1, 99th = 3, 99.9th = 7", which
 * EndToEndLatency prints after its progress lines ("<i>\t<ms>" every 1,000 messages).
 */
export function parseEndToEndLatency(out: string): EndToEndLatencySummary {
  const avg = /^Avg latency: ([\d.]+) ms\r?$/m.exec(out);
  const pct = /^Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)\r?$/m.exec(out);
  if (!avg || !pct) throw new Error(`no EndToEndLatency summary in output:\n${out.slice(-2000)}`);
  return { avgMs: Number(avg[1]), p50Ms: Number(pct[1]), p99Ms: Number(pct[2]), p999Ms: Number(pct[3]) };
}

/** The one JSON line SuiteClients.java prints last. */
export function parseJsonLine<T>(out: string): T {
  const line = out
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`no JSON result line in output:\n${out.slice(-2000)}`);
  return JSON.parse(line) as T;
}
