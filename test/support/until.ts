// Waiting for something a test cannot await directly, without guessing a sleep that a loaded
// two-core CI machine could outlast.

/** Polls `condition` every 5 ms until it holds; fails naming `what` after timeoutMs. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
