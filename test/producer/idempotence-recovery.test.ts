// The idempotent producer recovers as Kafka's TransactionManager does (non-transactional part, 4.1):
// from batches that fail for good, fencing and fatal InitProducerId answers, against a broker that
// checks sequences.
import { describe, expect, test } from 'vitest';
import { IdempotenceManager } from '../../src/producer/idempotence.js';
import { ProducerBatch, type BatchBuilder, type TopicPartition } from '../../src/producer/producer-batch.js';
import { fakeClusterFixture, outcome, sleep } from './fake-broker.js';

const INIT_PRODUCER_ID = 22;
const INVALID_RECORD = 87;
const PRODUCER_FENCED = 90;
const CLUSTER_AUTHORIZATION_FAILED = 31;

const { setup } = fakeClusterFixture();

describe('idempotent producer: failed batches, fencing and InitProducerId errors', () => {
  // Java: Sender.failBatch(..., adjustSequenceNumbers = attempts < retries) → handleFailedBatch →
  // requestEpochBumpForPartition; the later in-flight batch's OUT_OF_ORDER_SEQUENCE_NUMBER is retried
  // under the bumped epoch from sequence 0 and succeeds. The producer does the same.
  test('a batch refused for good while the next one is in flight: the next one is still delivered (epoch bump)', async () => {
    const { b, p } = await setup({ batchSize: 100, requestTimeoutMs: 1000, deliveryTimeoutMs: 2000 });
    b.checkSequences = true;
    await p.connect();
    // the first batch (sequence 0) is refused with a non-retriable error, once
    b.produceScript = (r) => (r.baseSequence === 0 && r.producerEpoch === 0 ? INVALID_RECORD : undefined);
    const first = outcome(p.produce('t', { value: Buffer.alloc(60, 1) }));
    const second = outcome(p.produce('t', { value: Buffer.alloc(60, 2) })); // its own batch (batchSize 100)
    expect(await first).toBe('INVALID_RECORD');
    expect(await second).toBe('ok');
    expect(b.logEnd('t', 0)).toBe(1n);
  });

  // Java: ProducerFencedException → TransactionManager.maybeTransitionToErrorState → fatal error; the
  // sender then aborts every incomplete batch with it and sends nothing more.
  test('PRODUCER_FENCED is fatal: later records fail with it and are not sent', async () => {
    const { b, p } = await setup();
    b.produceScript = () => PRODUCER_FENCED;
    expect(await outcome(p.produce('t', { value: 'a' }))).toBe('PRODUCER_FENCED');
    const sent = b.received.length;
    expect(await outcome(p.produce('t', { value: 'b' }))).toBe('PRODUCER_FENCED');
    expect(b.received.length).toBe(sent);
  });

  // Java: a non-retriable InitProducerId error is fatal and is not asked again.
  test('a fatal InitProducerId answer is not re-requested in a loop', async () => {
    const { b, p } = await setup();
    b.initProducerIdError = CLUSTER_AUTHORIZATION_FAILED;
    const errors: unknown[] = [];
    p.on('error', (e) => errors.push(e));
    expect(await outcome(p.produce('t', { value: 'a' }))).toBe('CLUSTER_AUTHORIZATION_FAILED');
    await sleep(300);
    expect(b.count(INIT_PRODUCER_ID)).toBe(1);
    expect(errors).toHaveLength(1);
  });

  // Java: a broker without InitProducerId → UnsupportedVersionException, fatal once.
  test('a broker without InitProducerId: one fatal UNSUPPORTED_VERSION, no busy loop', async () => {
    const { b, p } = await setup();
    b.apiVersions = b.apiVersions.filter((k) => k.apiKey !== INIT_PRODUCER_ID);
    const errors: unknown[] = [];
    p.on('error', (e) => errors.push(e));
    expect(await outcome(p.produce('t', { value: 'a' }))).toBe('UNSUPPORTED_VERSION');
    await sleep(300);
    expect(errors).toHaveLength(1);
  });

  // As Java: UNKNOWN_PRODUCER_ID with a log start offset → local epoch bump (KIP-360), retried from sequence 0.
  test('UNKNOWN_PRODUCER_ID: epoch bumped locally and the batch delivered from sequence 0', async () => {
    const { b, p } = await setup();
    b.checkSequences = true;
    await p.produce('t', { value: 'a' });
    b.produceScript = (r) => (r.producerEpoch === 0 && r.baseSequence === 1 ? 59 : undefined);
    const md = await p.produce('t', { value: 'b' });
    expect(md.offset).toBe(1n);
    expect(b.received.slice(-1)[0]).toMatchObject({ producerEpoch: 1, baseSequence: 0 });
  });
});

class FakeBuilder implements BatchBuilder {
  recordCount = 0;
  estimatedSizeInBytes = 61;
  tryAppend(): boolean {
    this.recordCount++;
    return true;
  }
  close(): Buffer {
    return Buffer.alloc(0);
  }
}

describe('sequence numbers', () => {
  // Java: DefaultRecordBatch.incrementSequence wraps at Integer.MAX_VALUE (the broker accepts
  // MAX_VALUE → 0); a long-lived producer passes 2^31 records to one partition within an epoch.
  test('the next sequence wraps past Integer.MAX_VALUE as Java does', () => {
    const tp: TopicPartition = { topic: 't', partition: 0 };
    const m = new IdempotenceManager();
    m.setProducerIdAndEpoch(7n, 0);
    const first = new ProducerBatch(tp, new FakeBuilder(), 0, 0);
    first.tryAppend(0, null, null, null, () => {});
    m.assignSequence(first);
    m.handleCompletedBatch(first, 0n);
    m.entry(tp).nextSequence = 2147483647 - 2;
    const b = new ProducerBatch(tp, new FakeBuilder(), 0, 0);
    for (let i = 0; i < 5; i++) b.tryAppend(0, null, null, null, () => {});
    m.assignSequence(b);
    expect(b.baseSequence).toBe(2147483645);
    expect(m.sequenceNumber(tp)).toBe(2);
  });
});
