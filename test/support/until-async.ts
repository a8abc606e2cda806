// Polling an asynchronous condition (a broker query) until it holds, for e2e tests.

/** Calls `probe` every 50 ms until it returns true; fails naming `what` and the last `describe()` after timeoutMs. */
export async function untilAsync(probe: () => Promise<boolean>, what: string, timeoutMs = 30_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Calls `fn` until it resolves (a broker that just restarted answers COORDINATOR_LOAD_IN_PROGRESS for a while); rethrows the last error after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
