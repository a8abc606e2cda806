import { describe, expect, test, vi } from 'vitest';
import { ProducerMetadata } from '../../src/producer/metadata.js';
import { NativeBatch } from '../../src/producer/native-batch.js';
import type { RecordCallback } from '../../src/producer/producer-batch.js';
import { resolveProducerConfig, type ProducerOptions } from '../../src/producer/producer-config.js';
import { AppendResult, RecordAccumulator } from '../../src/producer/record-accumulator.js';

function setup(options: Partial<ProducerOptions> = {}) {
  const config = resolveProducerConfig({ bootstrapServers: ['x:1'], ...options });
  const wakeup = vi.fn();
  const freed = vi.fn();
  const acc = new RecordAccumulator(config, (o) => new NativeBatch(o), wakeup, freed);
  const metadata = new ProducerMetadata(100, 1000, 300000);
  metadata.update(
    {
      throttleTimeMs: 0,
      brokers: [
        { nodeId: 1, host: 'a', port: 1, rack: null },
        { nodeId: 2, host: 'b', port: 2, rack: null },
      ],
      clusterId: 'c',
      controllerId: 1,
      clusterAuthorizedOperations: 0,
      topics: [
        {
          errorCode: 0,
          name: 't',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          isInternal: false,
          topicAuthorizedOperations: 0,
          partitions: [0, 1, 2].map((i) => ({ errorCode: 0, partitionIndex: i, leaderId: i === 2 ? 2 : 1, leaderEpoch: 0, replicaNodes: [], isrNodes: [], offlineReplicas: [] })),
        },
      ],
    },
    0,
  );
  return { config, acc, metadata, wakeup, freed };
}

const noop: RecordCallback = () => {};
const value = (n: number) => Buffer.alloc(n, 1);

describe('RecordAccumulator', () => {
  test('appends to the open batch until batchSize, then starts a new one', () => {
    const { acc } = setup({ batchSize: 200 });
    const q = acc.queue('t', 0);
    expect(acc.append(q, 1, null, value(50), null, 150, noop, 0)).toBe(AppendResult.NEW_BATCH);
    expect(acc.append(q, 1, null, value(50), null, 150, noop, 0)).toBe(AppendResult.APPENDED);
    expect(acc.append(q, 1, null, value(50), null, 150, noop, 0)).toBe(AppendResult.NEW_BATCH);
    expect(q.batches.map((b) => b.recordCount)).toEqual([2, 1]);
    expect(acc.bufferedRecords).toBe(3);
  });

  test('a record larger than batchSize gets a batch of its own, reserving its size', () => {
    const { acc } = setup({ batchSize: 100 });
    const q = acc.queue('t', 0);
    acc.append(q, 1, null, value(500), null, 582, noop, 0);
    expect(q.batches[0].recordCount).toBe(1);
    expect(acc.pool.usedMemory).toBe(582);
  });

  test('a batch is built in a pooled buffer; an acknowledged batch returns it for the next, a failed one does not', () => {
    const { acc } = setup({ batchSize: 1000 });
    const q0 = acc.queue('t', 0);
    acc.append(q0, 1, null, value(10), null, 92, noop, 0);
    const first = q0.batches.shift()!;
    expect(first.buffer?.length).toBe(1000);
    const bytes = first.records();
    expect(bytes.buffer).toBe(first.buffer!.buffer);
    first.complete(0n, -1);
    acc.deallocate(first, true);
    acc.append(q0, 1, null, value(10), null, 92, noop, 0);
    const second = q0.batches.shift()!;
    expect(second.buffer).toBe(first.buffer);
    // Failed (its request may still sit on the socket): the buffer is left to the collector.
    second.records();
    acc.deallocate(second);
    acc.append(q0, 1, null, value(10), null, 92, noop, 0);
    expect(q0.batches[0].buffer).not.toBe(second.buffer);
  });

  test("each record resolves with baseOffset + its index, exactly, also past 2^53", async () => {
    const { acc } = setup();
    for (const baseOffset of [41n, 2n ** 62n + 5n]) {
      const q = acc.queue('t', 0);
      const offsets: bigint[] = [];
      acc.append(q, 7, null, value(10), null, 92, (_err, md) => offsets.push(md!.offset), 0);
      acc.append(q, 8, null, value(10), null, 92, null, 0);
      const promised = acc.lastBatch!.promiseForLastRecord();
      acc.append(q, 9, null, value(10), null, 92, (_err, md) => offsets.push(md!.offset), 0);
      const batch = q.batches.shift()!;
      batch.complete(baseOffset, -1);
      const md = await promised;
      expect(offsets).toEqual([baseOffset, baseOffset + 2n]);
      expect(md).toEqual({ topic: 't', partition: 0, offset: baseOffset + 1n, timestamp: 8 });
    }
  });

  test('bufferMemory: no new batch once reserved memory is used up; freed on completion', () => {
    const { acc, freed } = setup({ batchSize: 1000, bufferMemory: 2000 });
    const q0 = acc.queue('t', 0);
    const q1 = acc.queue('t', 1);
    const q2 = acc.queue('t', 2);
    expect(acc.append(q0, 1, null, value(10), null, 92, noop, 0)).toBe(AppendResult.NEW_BATCH);
    expect(acc.append(q1, 1, null, value(10), null, 92, noop, 0)).toBe(AppendResult.NEW_BATCH);
    expect(acc.append(q2, 1, null, value(10), null, 92, noop, 0)).toBe(AppendResult.NO_MEMORY);
    // Open batches still take records without new memory.
    expect(acc.append(q0, 1, null, value(10), null, 92, noop, 0)).toBe(AppendResult.APPENDED);
    expect(acc.pool.usedMemory).toBe(2000);
    const batch = q0.batches[0];
    batch.complete(0n, -1);
    acc.deallocate(batch);
    expect(freed).toHaveBeenCalledTimes(1);
    expect(acc.pool.usedMemory).toBe(1000);
    expect(acc.append(q2, 1, null, value(10), null, 92, noop, 0)).toBe(AppendResult.NEW_BATCH);
  });

  test('ready(): a lingering batch waits lingerMs; a full one or a flush makes its leader ready', () => {
    const { acc, metadata } = setup({ lingerMs: 50, batchSize: 1000 });
    acc.append(acc.queue('t', 0), 1, null, value(10), null, 92, noop, 0);
    let r = acc.ready(metadata, 10);
    expect([...r.readyNodes]).toEqual([]);
    expect(r.nextReadyCheckDelayMs).toBe(40);
    expect([...acc.ready(metadata, 50).readyNodes]).toEqual([1]);
    acc.append(acc.queue('t', 2), 1, null, value(2000), null, 2082, noop, 0);
    r = acc.ready(metadata, 10);
    expect([...r.readyNodes]).toEqual([2]);
    void acc.flush();
    expect([...acc.ready(metadata, 10).readyNodes].sort()).toEqual([1, 2]);
  });

  test('drain(): one batch per partition per node in one request, bounded by maxRequestSize', () => {
    const { acc, metadata } = setup({ lingerMs: 0, batchSize: 100, maxRequestSize: 400 });
    for (const p of [0, 1]) for (let i = 0; i < 3; i++) acc.append(acc.queue('t', p), 1, null, value(80), null, 162, noop, 0);
    const drained = acc.drain(metadata, [1], null, 0);
    const batches = drained[0];
    expect(batches.map((b) => b.tp.partition).sort()).toEqual([0, 1]);
    expect(acc.queuedBatches).toBe(4);
  });

  test('expiredBatches(): queued batches past deliveryTimeoutMs leave the queue', () => {
    const { acc } = setup({ deliveryTimeoutMs: 40000, requestTimeoutMs: 30000 });
    acc.append(acc.queue('t', 0), 1, null, value(10), null, 92, noop, 0);
    expect(acc.expiredBatches(39999)).toHaveLength(0);
    expect(acc.expiredBatches(40000)).toHaveLength(1);
    expect(acc.hasUndrained()).toBe(false);
  });

  test('flush() resolves once every batch present at the call completes', async () => {
    const { acc } = setup();
    acc.append(acc.queue('t', 0), 1, null, value(10), null, 92, noop, 0);
    const batch = acc.queue('t', 0).batches[0];
    let done = false;
    const f = acc.flush().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    batch.complete(0n, -1);
    acc.deallocate(batch);
    await f;
    expect(done).toBe(true);
  });
});
