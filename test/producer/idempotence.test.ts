import { describe, expect, test } from 'vitest';
import { KafkaProducerError } from '../../src/producer/errors.js';
import { IdempotenceManager } from '../../src/producer/idempotence.js';
import { NativeBatch } from '../../src/producer/native-batch.js';
import { ProducerBatch, type TopicPartition } from '../../src/producer/producer-batch.js';

const tp: TopicPartition = { topic: 't', partition: 0 };

function batchOf(records: number, target = tp): ProducerBatch {
  const b = new ProducerBatch(target, new NativeBatch({ compression: 'none', batchSize: 1 << 20 }), 0, 1024);
  for (let i = 0; i < records; i++) b.tryAppend(1, null, Buffer.from('v'), null, () => {});
  return b;
}

function manager(): IdempotenceManager {
  const m = new IdempotenceManager();
  m.setProducerIdAndEpoch(7n, 0);
  return m;
}

describe('IdempotenceManager', () => {
  test('assigns consecutive sequences per partition and tracks batches in flight', () => {
    const m = manager();
    const a = batchOf(3);
    const b = batchOf(2);
    m.assignSequence(a);
    m.assignSequence(b);
    expect([a.baseSequence, b.baseSequence]).toEqual([0, 3]);
    expect(m.sequenceNumber(tp)).toBe(5);
    expect(m.firstInFlightSequence(tp)).toBe(0);
    m.handleCompletedBatch(a, 100n);
    expect(m.entry(tp).lastAckedSequence).toBe(2);
    expect(m.firstInFlightSequence(tp)).toBe(3);
  });

  test('the batch records carry producer id, epoch and base sequence', () => {
    const m = manager();
    m.assignSequence(batchOf(1));
    const b = batchOf(2);
    m.assignSequence(b);
    const bytes = b.records();
    expect(bytes.readBigInt64BE(43)).toBe(7n);
    expect(bytes.readInt16BE(51)).toBe(0);
    expect(bytes.readInt32BE(53)).toBe(1);
  });

  test('a retried batch that is not the oldest in flight waits (ordering kept across retries)', () => {
    const m = manager();
    const a = batchOf(1);
    const b = batchOf(1);
    m.assignSequence(a);
    m.assignSequence(b);
    expect(m.shouldStopDrain(b)).toBe(true);
    expect(m.shouldStopDrain(a)).toBe(false);
    expect(m.shouldStopDrain(batchOf(1))).toBe(false); // a fresh batch may pipeline (up to 5 in flight)
  });

  test('nothing drains before a producer id exists', () => {
    expect(new IdempotenceManager().shouldStopDrain(batchOf(1))).toBe(true);
  });

  test('OUT_OF_ORDER_SEQUENCE_NUMBER on the next expected batch bumps the epoch and renumbers from 0', () => {
    const m = manager();
    const a = batchOf(2);
    const b = batchOf(3);
    m.assignSequence(a);
    m.assignSequence(b);
    expect(m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', a, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(1);
    expect([a.producerEpoch, a.baseSequence, b.producerEpoch, b.baseSequence]).toEqual([1, 0, 1, 2]);
    expect(a.sequenceHasBeenReset).toBe(true);
    expect(a.records().readInt16BE(51)).toBe(1);
    expect(m.sequenceNumber(tp)).toBe(5);
  });

  test('OUT_OF_ORDER_SEQUENCE_NUMBER on a later batch is retried without a bump (an earlier one is pending)', () => {
    const m = manager();
    const a = batchOf(1);
    const b = batchOf(1);
    m.assignSequence(a);
    m.assignSequence(b);
    expect(m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', b, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(0);
  });

  test('UNKNOWN_PRODUCER_ID is retried under a bumped epoch (KIP-360)', () => {
    const m = manager();
    const a = batchOf(1);
    m.assignSequence(a);
    expect(m.canRetry('UNKNOWN_PRODUCER_ID', a, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect([m.producerEpoch, a.producerEpoch, a.baseSequence]).toEqual([1, 1, 0]);
  });

  test('other partitions restart at 0 under the new epoch once their in-flight batches settle', () => {
    const m = manager();
    const other: TopicPartition = { topic: 't', partition: 1 };
    const x = batchOf(4, other);
    m.assignSequence(x);
    const a = batchOf(1);
    m.assignSequence(a);
    m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', a, 0n, false);
    m.bumpEpochIfNeeded();
    const y = batchOf(1, other);
    expect(m.shouldStopDrain(y)).toBe(true); // old-epoch batch x still in flight
    m.handleCompletedBatch(x, 0n);
    expect(m.shouldStopDrain(y)).toBe(false);
    m.assignSequence(y);
    expect([y.producerEpoch, y.baseSequence]).toEqual([1, 0]);
  });

  test('a sent batch that failed leaves its partition unresolved until in-flight batches settle, then bumps', () => {
    const m = manager();
    const a = batchOf(1);
    m.assignSequence(a);
    m.handleFailedBatch(a, new KafkaProducerError('REQUEST_TIMED_OUT'), false);
    m.markSequenceUnresolved(a); // the sender does so for a sent batch that expired
    expect(m.hasUnresolvedSequence(tp)).toBe(true);
    expect(m.shouldStopDrain(batchOf(1))).toBe(true);
    m.maybeResolveSequences();
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(1);
    expect(m.hasUnresolvedSequence(tp)).toBe(false);
  });

  test('an unresolved sequence resolves without a bump when a later batch was acknowledged', () => {
    const m = manager();
    const a = batchOf(1);
    const b = batchOf(1);
    m.assignSequence(a);
    m.assignSequence(b);
    m.handleFailedBatch(a, new KafkaProducerError('REQUEST_TIMED_OUT'), false);
    m.markSequenceUnresolved(a);
    m.handleCompletedBatch(b, 10n);
    m.maybeResolveSequences();
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(0);
    expect(m.hasUnresolvedSequence(tp)).toBe(false);
  });

  test('insertInSequenceOrder puts a retried batch before later sequences', () => {
    const m = manager();
    const [a, b, c] = [batchOf(1), batchOf(1), batchOf(1)];
    for (const x of [a, b, c]) m.assignSequence(x);
    const queue = [c, batchOf(1)];
    IdempotenceManager.insertInSequenceOrder(queue, b);
    IdempotenceManager.insertInSequenceOrder(queue, a);
    expect(queue.slice(0, 3)).toEqual([a, b, c]);
  });
});

describe('IdempotenceManager failures (Java TransactionManager.handleFailedBatch)', () => {
  test('a batch refused for good with retries left bumps the epoch: the next in-flight batch restarts at 0', () => {
    const m = manager();
    const a = batchOf(2);
    const b = batchOf(1);
    m.assignSequence(a);
    m.assignSequence(b);
    m.handleFailedBatch(a, new KafkaProducerError('INVALID_RECORD'), true);
    // b's OUT_OF_ORDER_SEQUENCE_NUMBER for the gap is retried
    expect(m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', b, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect([m.producerEpoch, b.producerEpoch, b.baseSequence]).toEqual([1, 1, 0]);
  });

  test('after the last retry the sequences are left alone (whether the batch was written is unknown)', () => {
    const m = manager();
    const a = batchOf(1);
    m.assignSequence(a);
    m.handleFailedBatch(a, new KafkaProducerError('NOT_LEADER_OR_FOLLOWER'), false);
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(0);
  });

  test('OUT_OF_ORDER_SEQUENCE_NUMBER with an unresolved partition bumps only for the batch right after the unresolved one', () => {
    const m = manager();
    const [a, b, c] = [batchOf(2), batchOf(1), batchOf(1)];
    for (const x of [a, b, c]) m.assignSequence(x);
    m.handleFailedBatch(a, new KafkaProducerError('REQUEST_TIMED_OUT'), false);
    m.markSequenceUnresolved(a); // next sequence after it: 2
    expect(m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', c, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect(m.producerEpoch).toBe(0);
    expect(m.canRetry('OUT_OF_ORDER_SEQUENCE_NUMBER', b, 0n, false)).toBe(true);
    m.bumpEpochIfNeeded();
    expect([m.producerEpoch, b.baseSequence, c.baseSequence]).toEqual([1, 0, 1]);
  });

  test.each(['PRODUCER_FENCED', 'CLUSTER_AUTHORIZATION_FAILED', 'UNSUPPORTED_VERSION'] as const)('%s is fatal: nothing drains any more', (type) => {
    const m = manager();
    const a = batchOf(1);
    m.assignSequence(a);
    m.handleFailedBatch(a, new KafkaProducerError(type), true);
    expect(m.fatalError?.type).toBe(type);
    expect(m.shouldStopDrain(batchOf(1))).toBe(true);
  });

  test('UNKNOWN_PRODUCER_ID failing for good restarts the partition at sequence 0', () => {
    const m = manager();
    const a = batchOf(3);
    m.assignSequence(a);
    m.handleFailedBatch(a, new KafkaProducerError('UNKNOWN_PRODUCER_ID'), false);
    const b = batchOf(1);
    m.assignSequence(b);
    expect([b.producerEpoch, b.baseSequence]).toEqual([0, 0]);
  });
});
