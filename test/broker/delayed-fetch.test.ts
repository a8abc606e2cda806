import { describe, expect, it } from 'vitest';
import { DelayedFetchPurgatory } from '../../src/broker/delayed-fetch.js';

const tp = (topic: string, partition: number) => ({ topic, partition });

describe('DelayedFetchPurgatory', () => {
  it('releases a parked fetch once appends to a watched partition reach min_bytes', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const outcome = purgatory.park({ partitions: [tp('a', 0), tp('b', 1)], minBytes: 100, bytesSoFar: 10, maxWaitMs: 60_000 });
    purgatory.onAppend('a', 0, 50);
    purgatory.onAppend('a', 1, 500); // not watched
    expect(purgatory.size).toBe(1);
    purgatory.onAppend('b', 1, 40);
    await expect(outcome).resolves.toBe('satisfied');
    expect(purgatory.size).toBe(0);
  });

  it('times out after max_wait_ms when not enough bytes arrive', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const started = Date.now();
    await expect(purgatory.park({ partitions: [tp('a', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 50 })).resolves.toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(purgatory.size).toBe(0);
  });

  it('is cancelled by its signal and forgets the fetch', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const abort = new AbortController();
    const outcome = purgatory.park({ partitions: [tp('a', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000, signal: abort.signal });
    abort.abort();
    await expect(outcome).resolves.toBe('cancelled');
    expect(purgatory.size).toBe(0);
    purgatory.onAppend('a', 0, 10); // nothing left to wake
  });

  it('answers at once when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const purgatory = new DelayedFetchPurgatory();
    await expect(purgatory.park({ partitions: [tp('a', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000, signal: abort.signal })).resolves.toBe('cancelled');
    expect(purgatory.size).toBe(0);
  });

  it('releases the fetches watching a removed partition, and only those', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const onRemoved = purgatory.park({ partitions: [tp('a', 0), tp('b', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000 });
    const other = purgatory.park({ partitions: [tp('a', 1)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000 });
    purgatory.onPartitionRemoved('b', 0);
    await expect(onRemoved).resolves.toBe('satisfied');
    expect(purgatory.size).toBe(1);
    purgatory.releaseAll();
    await expect(other).resolves.toBe('timeout');
  });

  it('releaseAll answers every parked fetch (shutdown)', async () => {
    const purgatory = new DelayedFetchPurgatory();
    const a = purgatory.park({ partitions: [tp('a', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000 });
    const b = purgatory.park({ partitions: [tp('a', 0)], minBytes: 1, bytesSoFar: 0, maxWaitMs: 60_000 });
    purgatory.releaseAll();
    await expect(Promise.all([a, b])).resolves.toEqual(['timeout', 'timeout']);
    expect(purgatory.size).toBe(0);
  });
});
