// bufferMemory accounting as in Kafka's BufferPool/RecordAccumulator (4.1): after every kind of
// failure each record is settled and the buffered bytes and records go back to 0.
import { describe, expect, test } from 'vitest';
import { Producer, type KafkaProducerError, type ProducerOptions } from '../../src/producer/index.js';
import { fakeClusterFixture, type Verdict } from './fake-broker.js';

const fixture = fakeClusterFixture({ batchSize: 200 });
const setup = (options: Partial<ProducerOptions> = {}) => fixture.setup(options, { t: 2 });

const settle = (prs: Promise<unknown>[]) =>
  Promise.all(
    prs.map((pr) =>
      pr.then(
        () => 'ok',
        (e: KafkaProducerError) => e.type,
      ),
    ),
  );

/** 20 records over both partitions, several batches each. */
function produceSome(p: Producer): Promise<unknown>[] {
  return Array.from({ length: 20 }, (_, i) => p.produce('t', { value: Buffer.alloc(50, i), partition: i % 2 }));
}

function expectEmpty(p: Producer): void {
  expect(p.metrics()).toMatchObject({ bufferedBytes: 0, bufferedRecords: 0, queuedBatches: 0, inFlightBatches: 0, waitingRecords: 0 });
}

describe('bufferMemory returns to 0 after failures', () => {
  const brokerFailures: [string, Partial<ProducerOptions>, Verdict, string[]][] = [
    ['non-retriable error (INVALID_RECORD)', {}, 87, ['INVALID_RECORD']],
    ['retries exhausted (NOT_LEADER_OR_FOLLOWER, acks=1, retries=2)', { acks: 1, retries: 2 }, 6, ['NOT_LEADER_OR_FOLLOWER']],
    ['delivery timeout while in flight (silent broker)', { requestTimeoutMs: 300, deliveryTimeoutMs: 400 }, 'silent', ['REQUEST_TIMED_OUT']],
    // expired in the queue while backing off (TimeoutException) or refused on the last answer (NetworkException)
    ['connection dropped on every request, delivery timeout', { requestTimeoutMs: 300, deliveryTimeoutMs: 400 }, 'disconnect', ['NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']],
  ];
  for (const [name, options, verdict, types] of brokerFailures) {
    test(name, async () => {
      const { b, p } = await setup(options);
      b.produceScript = () => verdict;
      const results = await settle(produceSome(p));
      for (const r of results) expect(types).toContain(r);
      expectEmpty(p);
    });
  }

  test('delivery timeout while queued (no producer id: InitProducerId keeps answering COORDINATOR_LOAD_IN_PROGRESS)', async () => {
    const { b, p } = await setup({ requestTimeoutMs: 300, deliveryTimeoutMs: 400 });
    b.initProducerIdError = 14;
    const results = await settle(produceSome(p));
    expect(new Set(results)).toEqual(new Set(['REQUEST_TIMED_OUT']));
    expectEmpty(p);
  });

  test('fatal InitProducerId answer', async () => {
    const { b, p } = await setup();
    b.initProducerIdError = 31;
    const results = await settle(produceSome(p));
    expect(new Set(results)).toEqual(new Set(['CLUSTER_AUTHORIZATION_FAILED']));
    expectEmpty(p);
  });

  test('forced close with batches queued, in flight and records waiting for memory', async () => {
    const { b, p } = await setup({ bufferMemory: 1000, maxBlockMs: 10_000 });
    b.produceScript = () => 'silent';
    await p.connect();
    const prs = produceSome(p);
    await new Promise((r) => setTimeout(r, 100));
    expect(p.metrics().waitingRecords).toBeGreaterThan(0);
    await p.close({ timeoutMs: 0 });
    expect(new Set(await settle(prs))).toEqual(new Set(['PRODUCER_CLOSED']));
    expectEmpty(p);
  });

  test('maxBlockMs expiring for records waiting on memory', async () => {
    const { b, p } = await setup({ bufferMemory: 1000, maxBlockMs: 200, requestTimeoutMs: 300, deliveryTimeoutMs: 400 });
    b.produceScript = () => 'silent';
    const results = await settle(produceSome(p));
    expect(results).toContain('REQUEST_TIMED_OUT');
    expectEmpty(p);
  });

  test('success after retries', async () => {
    const { b, p } = await setup();
    b.produceScript = (_r, attempt) => (attempt <= 2 ? 6 : undefined);
    expect(new Set(await settle(produceSome(p)))).toEqual(new Set(['ok']));
    expectEmpty(p);
  });

  // Java: BufferPool.allocate throws at once when one batch (max(batchSize, record)) exceeds
  // bufferMemory ("Attempt to allocate … but there is a hard limit of … on memory allocations");
  // the producer does the same instead of waiting maxBlockMs for memory that can never be free.
  test('a batch that can never fit in bufferMemory fails at once, not after maxBlockMs', async () => {
    const { p } = await setup({ bufferMemory: 1000, batchSize: 16384, maxBlockMs: 3000 });
    await p.connect();
    const started = Date.now();
    await expect(p.produce('t', { value: 'v' })).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
