// Retries, idempotence and timeouts against a fake one-node cluster that answers Produce
// with the errors a real cluster gives (leader moves, lost producer state, silence).
import { describe, expect, test } from 'vitest';
import type { KafkaProducerError } from '../../src/producer/index.js';
import { fakeClusterFixture, type ReceivedBatch } from './fake-broker.js';

const { setup } = fakeClusterFixture();

const INIT_PRODUCER_ID = 22;
const NOT_LEADER_OR_FOLLOWER = 6;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const DUPLICATE_SEQUENCE_NUMBER = 46;
const INVALID_RECORD = 87;

describe('Producer retries and idempotence', () => {
  test('a response listing partitions in another order than the request still completes each record with its own offset', async () => {
    const { b, p } = await setup({ lingerMs: 50 }, { a: 3, b: 2 });
    b.answerInReverse = true;
    const partitions = [['a', 0], ['a', 1], ['a', 2], ['b', 0], ['b', 1]] as const;
    // Partition i first gets i + 1 records, so every partition's log ends at a different offset.
    await Promise.all(partitions.flatMap(([topic, partition], i) => Array.from({ length: i + 1 }, () => p.produce(topic, { value: 'x', partition }))));
    const metadata = await Promise.all(partitions.map(([topic, partition]) => p.produce(topic, { value: 'y', partition })));
    expect(b.received.length).toBe(10); // one batch per partition and request
    expect(metadata.map((m) => [m.topic, m.partition, m.offset])).toEqual(partitions.map(([topic, partition], i) => [topic, partition, BigInt(i + 1)]));
  });

  test('NOT_LEADER_OR_FOLLOWER: the batch is retried (same sequence) and succeeds; a retry event is emitted', async () => {
    const { b, p } = await setup();
    b.produceScript = (_batch, attempt) => (attempt === 1 ? NOT_LEADER_OR_FOLLOWER : null);
    const retries: { error: KafkaProducerError }[] = [];
    p.on('retry', (r) => retries.push(r));
    const md = await p.produce('t', { value: 'v' });
    expect(md.offset).toBe(0n);
    expect(retries.map((r) => r.error.type)).toEqual(['NOT_LEADER_OR_FOLLOWER']);
    expect(b.received.map((r) => [r.producerEpoch, r.baseSequence])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  test('OUT_OF_ORDER_SEQUENCE_NUMBER on the next batch: epoch bumped locally, sequences restart at 0', async () => {
    const { b, p } = await setup();
    b.produceScript = (_batch, attempt) => (attempt === 1 ? OUT_OF_ORDER_SEQUENCE_NUMBER : null);
    await p.produce('t', { value: 'v' });
    expect(b.received.map((r) => [r.producerId, r.producerEpoch, r.baseSequence])).toEqual([
      [42, 0, 0],
      [42, 1, 0],
    ]);
    expect(p.metrics()).toMatchObject({ producerId: 42n, producerEpoch: 1 });
    expect(b.count(INIT_PRODUCER_ID)).toBe(1);
  });

  test('DUPLICATE_SEQUENCE_NUMBER counts as success (offset unknown: -1n)', async () => {
    const { b, p } = await setup();
    b.produceScript = () => DUPLICATE_SEQUENCE_NUMBER;
    expect((await p.produce('t', { value: 'v' })).offset).toBe(-1n);
  });

  test('a non-retriable error rejects every record of the batch with its Kafka name', async () => {
    const { b, p } = await setup();
    b.produceScript = () => INVALID_RECORD;
    const err = await p.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] }).catch((e: KafkaProducerError) => e);
    expect(err).toMatchObject({ name: 'KafkaProducerError', type: 'INVALID_RECORD', code: 87, retriable: false });
    expect(b.received).toHaveLength(1);
  });

  test('retries: 0 fails a retriable error at once', async () => {
    const { b, p } = await setup({ retries: 0, acks: 1 });
    b.produceScript = () => NOT_LEADER_OR_FOLLOWER;
    await expect(p.produce('t', { value: 'v' })).rejects.toMatchObject({ type: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(b.received).toHaveLength(1);
  });

  test('with 5 requests in flight and failures mid-stream, the broker accepts batches in order, once each', async () => {
    const { b, p } = await setup({ batchSize: 64 });
    let expected = 0;
    let injected = 0;
    const accepted: ReceivedBatch[] = [];
    b.produceScript = (batch) => {
      if (batch.baseSequence !== expected || batch.producerEpoch !== 0) return OUT_OF_ORDER_SEQUENCE_NUMBER;
      if (batch.baseSequence > 0 && batch.baseSequence % 7 === 0 && injected < 5) {
        injected++;
        return NOT_LEADER_OR_FOLLOWER;
      }
      expected += batch.recordCount;
      accepted.push(batch);
      return null;
    };
    const values = Array.from({ length: 200 }, (_, i) => `value-${i}`);
    const meta = await Promise.all(values.map((value) => p.produce('t', { value })));
    expect(injected).toBeGreaterThan(0);
    expect(meta.map((m) => m.offset)).toEqual(values.map((_, i) => BigInt(i)));
    expect(accepted.reduce((n, x) => n + x.recordCount, 0)).toBe(200);
  });

  test('a silent broker: requests time out and are retried until deliveryTimeoutMs, then records fail', async () => {
    const { b, p } = await setup({ requestTimeoutMs: 200, deliveryTimeoutMs: 700 });
    b.produceScript = () => 'silent';
    const started = Date.now();
    const err = await p.produce('t', { value: 'v' }).catch((e: KafkaProducerError) => e);
    expect(err).toMatchObject({ type: 'REQUEST_TIMED_OUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(b.received.length).toBeGreaterThanOrEqual(2);
  });

  test('bufferMemory full and nothing drains: sends wait, then fail after maxBlockMs; close() fails the rest', async () => {
    const { b, p } = await setup({ batchSize: 1000, bufferMemory: 3000, maxBlockMs: 300, requestTimeoutMs: 30_000 });
    b.produceScript = () => 'silent';
    await p.connect();
    const outcome = Array.from({ length: 5 }, () =>
      p.produce('t', { value: Buffer.alloc(900) }).then(
        () => 'ok',
        (e: KafkaProducerError) => `${e.type}: ${e.message}`,
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(p.metrics().bufferedBytes).toBeLessThanOrEqual(3000);
    expect(p.metrics().waitingRecords).toBe(2);
    expect(await Promise.all(outcome.slice(3))).toEqual([
      'REQUEST_TIMED_OUT: Failed to allocate memory within the configured max blocking time 300 ms.',
      'REQUEST_TIMED_OUT: Failed to allocate memory within the configured max blocking time 300 ms.',
    ]);
    await p.close({ timeoutMs: 0 });
    expect(await Promise.all(outcome.slice(0, 3))).toEqual(Array(3).fill('PRODUCER_CLOSED: Producer is closed forcefully.'));
  });

  test('a broker that went away: connect() keeps trying and times out after maxBlockMs', async () => {
    const { b, p } = await setup({ maxBlockMs: 300, reconnectBackoffMs: 20 });
    await b.stop();
    await expect(p.connect()).rejects.toMatchObject({ type: 'REQUEST_TIMED_OUT' });
  });
});
