import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/index.js';
import { Codec, native } from '../../../src/native/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../../src/protocol/records.js';
import { batchOf, fetchRequest, produceRequest } from '../requests.js';
import { TestClient } from '../test-client.js';
import { useBrokerWithClient } from '../test-broker.js';

describe('Fetch', () => {
  const b = useBrokerWithClient();
  let first: Buffer;
  let second: Buffer;

  beforeAll(async () => {
    b.broker.services.topics.createTopic('fetch', { numPartitions: 1 });
    b.broker.services.topics.createTopic('waiting', { numPartitions: 2 });
    first = batchOf(3, 'first');
    second = batchOf(2, 'second');
    for (const batch of [first, second]) {
      const res = await b.client.request(ApiKey.Produce, 9, produceRequest('fetch', 0, Buffer.from(batch)));
      expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
    }
  });

  it('returns what was produced, record for record, with offsets assigned', async () => {
    const res = await b.client.request(ApiKey.Fetch, 12, fetchRequest('fetch', 0, 0));
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.sessionId).toBe(0);
    const p = res.responses[0].partitions[0];
    expect(p).toMatchObject({ errorCode: 0, highWatermark: 5n, lastStableOffset: 5n, logStartOffset: 0n, preferredReadReplica: -1, abortedTransactions: null });
    const batches = decodeRecordBatches(p.records!);
    expect(batches.map((x) => x.baseOffset)).toEqual([0, 3]);
    const sent = [...decodeRecordBatches(first), ...decodeRecordBatches(second)].flatMap((x) => x.records);
    const got = batches.flatMap((x) => x.records);
    expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(got.map(({ key, value, headers, timestamp }) => ({ key, value, headers, timestamp }))).toEqual(
      sent.map(({ key, value, headers, timestamp }) => ({ key, value, headers, timestamp })),
    );
  });

  it('returns the whole batch containing a mid-batch offset', async () => {
    const res = await b.client.request(ApiKey.Fetch, 11, fetchRequest('fetch', 0, 4));
    expect(decodeRecordBatches(res.responses[0].partitions[0].records!).map((x) => x.baseOffset)).toEqual([3]);
  });

  it('returns at least one whole batch even when it exceeds max_bytes', async () => {
    const res = await b.client.request(ApiKey.Fetch, 11, fetchRequest('fetch', 0, 0, { maxBytes: 10, partitionMaxBytes: 10 }));
    const batches = decodeRecordBatches(res.responses[0].partitions[0].records!);
    expect(batches.map((x) => x.baseOffset)).toEqual([0]);
  });

  it('answers an empty (never null) records field at the log end', async () => {
    const res = await b.client.request(ApiKey.Fetch, 4, fetchRequest('fetch', 0, 5));
    const p = res.responses[0].partitions[0];
    expect(p.errorCode).toBe(ErrorCode.NONE);
    expect(p.records).toEqual(Buffer.alloc(0));
  });

  it('answers OFFSET_OUT_OF_RANGE past the log end', async () => {
    const res = await b.client.request(ApiKey.Fetch, 12, fetchRequest('fetch', 0, 6));
    expect(res.responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(res.responses[0].partitions[0].records).toEqual(Buffer.alloc(0));
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for unknown names', async () => {
    const res = await b.client.request(ApiKey.Fetch, 12, fetchRequest('nope', 0, 0, { maxWaitMs: 10_000, minBytes: 1 }));
    expect(res.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('names topics by id from v13 and answers UNKNOWN_TOPIC_ID for unknown ids', async () => {
    const topicId = b.broker.services.topics.get('fetch')!.topicId;
    const known = await b.client.request(ApiKey.Fetch, 13, fetchRequest('', 0, 0, { topicId }));
    expect(known.responses[0].topicId).toBe(topicId);
    expect(decodeRecordBatches(known.responses[0].partitions[0].records!)).toHaveLength(2);
    const unknown = await b.client.request(ApiKey.Fetch, 17, fetchRequest('', 0, 0, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }));
    expect(unknown.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('answers a partition named more than once (or a repeated topic) once, with its last entry’s parameters', async () => {
    const req = fetchRequest('fetch', 0, 0);
    const entry = (topic: string, topicId: string, parts: [number, number][]) => ({
      ...req.topics[0],
      topic,
      topicId,
      partitions: parts.map(([partition, fetchOffset]) => ({ ...req.topics[0].partitions[0], partition, fetchOffset: BigInt(fetchOffset) })),
    });
    const fetchId = b.broker.services.topics.get('fetch')!.topicId;
    const waitingId = b.broker.services.topics.get('waiting')!.topicId;
    for (const [version, names] of [
      [12, true],
      [13, false],
    ] as const) {
      const topic = (name: string, id: string, parts: [number, number][]) => entry(names ? name : '', names ? req.topics[0].topicId : id, parts);
      const res = await b.client.request(ApiKey.Fetch, version, {
        ...req,
        topics: [
          topic('fetch', fetchId, [[0, 0], [0, 5]]),
          topic('waiting', waitingId, [[0, 0]]),
          topic('fetch', fetchId, [[0, 3]]),
          topic('waiting', waitingId, [[1, 0], [0, 0]]),
        ],
      });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      expect(res.responses.map((t) => (names ? t.topic : t.topicId))).toEqual(names ? ['fetch', 'waiting'] : [fetchId, waitingId]);
      expect(res.responses.map((t) => t.partitions.map((p) => p.partitionIndex))).toEqual([[0], [0, 1]]);
      const p = res.responses[0].partitions[0];
      expect(p.errorCode).toBe(ErrorCode.NONE);
      expect(decodeRecordBatches(p.records!).map((x) => x.baseOffset)).toEqual([3]); // the last entry's fetch offset
    }
  });

  it('never creates a fetch session, and rejects a session id it did not issue', async () => {
    const full = await b.client.request(ApiKey.Fetch, 12, { ...fetchRequest('fetch', 0, 0), sessionEpoch: 0 });
    expect(full.sessionId).toBe(0);
    const res = await b.client.request(ApiKey.Fetch, 12, { ...fetchRequest('fetch', 0, 0), sessionId: 1234, sessionEpoch: 1 });
    expect(res.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('sends an empty aborted transactions list to read_committed fetches', async () => {
    const res = await b.client.request(ApiKey.Fetch, 12, { ...fetchRequest('fetch', 0, 0), isolationLevel: 1 });
    expect(res.responses[0].partitions[0].abortedTransactions).toEqual([]);
    expect(decodeRecordBatches(res.responses[0].partitions[0].records!)).toHaveLength(2);
  });

  it('answers UNSUPPORTED_COMPRESSION_TYPE for zstd batches below v10 (KIP-110)', async () => {
    b.broker.services.topics.createTopic('zstd', { numPartitions: 1 });
    const zstd = encodeRecordBatch(
      { compression: Codec.zstd, producerId: -1, producerEpoch: -1, baseSequence: -1, records: [{ key: null, value: Buffer.from('squeezed'), headers: [] }] },
      { compress: (codec, data) => native.compress(codec as typeof Codec.zstd, data) },
    );
    await b.client.request(ApiKey.Produce, 9, produceRequest('zstd', 0, zstd));
    const old = await b.client.request(ApiKey.Fetch, 9, fetchRequest('zstd', 0, 0));
    expect(old.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
    expect(old.responses[0].partitions[0].records).toEqual(Buffer.alloc(0));
    const current = await b.client.request(ApiKey.Fetch, 10, fetchRequest('zstd', 0, 0));
    const batches = decodeRecordBatches(current.responses[0].partitions[0].records!, (codec, data) => native.decompress(codec as typeof Codec.zstd, data));
    expect(batches[0].records[0].value!.toString()).toBe('squeezed');
  });

  it('long-polls: waits for min_bytes and answers as soon as a produce brings them', async () => {
    const started = Date.now();
    const fetchId = b.client.send(ApiKey.Fetch, 12, fetchRequest('waiting', 1, 0, { maxWaitMs: 30_000, minBytes: 1 }));
    await new Promise((r) => setTimeout(r, 200));
    expect(b.client.arrivals).not.toContain(fetchId); // still parked
    const producer = await TestClient.connect(b.port);
    await producer.request(ApiKey.Produce, 9, produceRequest('waiting', 1, batchOf(2, 'late')));
    producer.close();
    const res = await b.client.response(ApiKey.Fetch, 12, fetchId);
    expect(Date.now() - started).toBeLessThan(15_000); // woken by the append, not by max_wait_ms
    const batches = decodeRecordBatches(res.responses[0].partitions[0].records!);
    expect(batches.flatMap((x) => x.records.map((r) => r.value!.toString()))).toEqual(['late-0', 'late-1']);
  });

  it('answers empty after max_wait_ms when nothing arrives', async () => {
    const res = await b.client.request(ApiKey.Fetch, 12, fetchRequest('waiting', 0, 0, { maxWaitMs: 100, minBytes: 1 }));
    expect(res.responses[0].partitions[0]).toMatchObject({ errorCode: 0, highWatermark: 0n });
    expect(res.responses[0].partitions[0].records).toEqual(Buffer.alloc(0));
  });

  it('answers a parked fetch at once when its topic is deleted', async () => {
    b.broker.services.topics.createTopic('doomed', { numPartitions: 1 });
    const started = Date.now();
    const fetchId = b.client.send(ApiKey.Fetch, 12, fetchRequest('doomed', 0, 0, { maxWaitMs: 30_000, minBytes: 1 }));
    await new Promise((r) => setTimeout(r, 100));
    const admin = await TestClient.connect(b.port);
    const deleted = await admin.request(ApiKey.DeleteTopics, 4, { topicNames: ['doomed'], timeoutMs: 1000, topics: [] });
    admin.close();
    expect(deleted.responses[0].errorCode).toBe(ErrorCode.NONE);
    const res = await b.client.response(ApiKey.Fetch, 12, fetchId);
    expect(Date.now() - started).toBeLessThan(15_000); // released by the deletion, not by max_wait_ms
    expect(res.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('drops a parked fetch when its connection closes', async () => {
    const purgatory = (b.broker as unknown as { delayedFetches: { size: number } }).delayedFetches;
    const other = await TestClient.connect(b.port);
    const id = other.send(ApiKey.Fetch, 12, fetchRequest('waiting', 0, 0, { maxWaitMs: 60_000, minBytes: 1 }));
    await expect.poll(() => purgatory.size).toBe(1);
    other.close();
    await expect.poll(() => purgatory.size).toBe(0);
    expect(other.arrivals).not.toContain(id);
  });
});
