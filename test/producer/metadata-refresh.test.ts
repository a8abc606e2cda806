// The producer's metadata handling, as Kafka's Metadata/ProducerMetadata (4.1): refresh backoff after
// answers that make no progress, partitions added while producing, leader moves, deleted topics.
import { describe, expect, test } from 'vitest';
import type { KafkaProducerError, ProducerOptions } from '../../src/producer/index.js';
import { until } from '../support/until.js';
import { fakeClusterFixture, sleep } from './fake-broker.js';

const METADATA = 3;
const fixture = fakeClusterFixture({ retryBackoffMs: 100, retryBackoffMaxMs: 1000 });
const setup = (topics: Record<string, number>, options: Partial<ProducerOptions> = {}) => fixture.setup(options, topics);


describe('metadata refresh', () => {
  // Java: Metadata.timeToAllowUpdate keeps retryBackoffMs (exponential on equivalent answers) between
  // refreshes even after a successful one, so an unknown topic costs ~4 Metadata requests in 500 ms.
  test('a topic the cluster does not know: Metadata is re-requested with retryBackoffMs, not in a tight loop', async () => {
    const { b, p } = await setup({}, { maxBlockMs: 500, allowAutoCreateTopics: false });
    const err = await p.produce('missing', { value: 'v' }).catch((e: KafkaProducerError) => e);
    expect(err).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    // retryBackoffMs 100 → at most ~1 request per 80 ms (jitter 20%) over 500 ms, plus the first one.
    expect(b.count(METADATA)).toBeLessThanOrEqual(8);
  });

  test('partitions without a leader: Metadata is re-requested with backoff, not in a tight loop', async () => {
    const { b, p } = await setup({ t: 1 });
    b.leaderId = -1;
    const pending = p.produce('t', { value: 'v', partition: 0 }).catch((e: KafkaProducerError) => e);
    await sleep(500);
    const during = b.count(METADATA);
    b.leaderId = 1;
    expect(await pending).toMatchObject({ partition: 0, offset: 0n });
    expect(during).toBeLessThanOrEqual(8);
  });

  // As Java: the partitionsFor view grows on the next refresh; keyed records follow the new count.
  test('partitions added while producing: explicit partition beyond the old count waits for a refresh and lands there', async () => {
    const { b, p } = await setup({ t: 1 }, { metadataMaxAgeMs: 300_000, maxBlockMs: 5_000 });
    await p.produce('t', { value: 'a' });
    b.topics = { t: 3 };
    const md = await p.produce('t', { value: 'b', partition: 2 });
    expect(md).toMatchObject({ partition: 2, offset: 0n });
    expect(b.logEnd('t', 2)).toBe(1n);
  });

  // As Java: NOT_LEADER_OR_FOLLOWER asks for a refresh and the batch is retried, not failed.
  test('NOT_LEADER_OR_FOLLOWER with a newer leader epoch in metadata: refreshed and retried once', async () => {
    const { b, p } = await setup({ t: 1 }, { retryBackoffMs: 10, retryBackoffMaxMs: 20 });
    await p.produce('t', { value: 'a' });
    const before = b.count(METADATA);
    b.produceScript = (_r, attempt) => (attempt === 2 ? 6 : undefined);
    b.leaderEpoch = 5;
    const md = await p.produce('t', { value: 'b' });
    expect(md.offset).toBe(1n);
    // The retry need not wait for the refresh (as in Java), so the refresh may reach the broker after it.
    await until(() => b.count(METADATA) > before, 'a metadata refresh after NOT_LEADER_OR_FOLLOWER', 5_000);
    expect(b.logEnd('t', 0)).toBe(2n);
  });

  // As Java: a deleted topic (metadata and Produce answer UNKNOWN_TOPIC_OR_PARTITION) fails its
  // records within deliveryTimeoutMs (Java: retriable until delivery.timeout.ms) and frees their memory.
  test('the topic is deleted while producing: records fail within deliveryTimeoutMs, memory returns to 0', async () => {
    const { b, p } = await setup({ t: 1 }, { retryBackoffMs: 10, retryBackoffMaxMs: 20, requestTimeoutMs: 300, deliveryTimeoutMs: 600, allowAutoCreateTopics: false });
    await p.produce('t', { value: 'a' });
    b.topics = {};
    b.produceScript = () => 3;
    const started = Date.now();
    const err = await p.produce('t', { value: 'b' }).catch((e: KafkaProducerError) => e);
    expect(err).toMatchObject({ type: expect.stringMatching(/^(UNKNOWN_TOPIC_OR_PARTITION|REQUEST_TIMED_OUT)$/) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.metrics()).toMatchObject({ bufferedBytes: 0, bufferedRecords: 0 });
  });

  // Java: send() blocks only its own caller in waitOnMetadata (with its own max.block.ms); a send to an
  // existing topic fetches that topic's metadata and proceeds. The producer does the same: a record
  // for an unknown topic does not share its deadline with, or delay, records for other topics.
  test('a record waiting for an unknown topic does not hold back (or fail) records for an existing topic', async () => {
    const { p } = await setup({ t: 1 }, { maxBlockMs: 3000, allowAutoCreateTopics: false });
    await p.connect();
    const missing = p.produce('missing', { value: 'x' }).catch((e: KafkaProducerError) => e);
    const started = Date.now();
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(Date.now() - started).toBeLessThan(1000);
    await missing;
  });
});
