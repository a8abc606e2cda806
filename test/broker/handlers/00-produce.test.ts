import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultApiVersionsRequest, defaultInitProducerIdRequest, defaultProduceRequest } from '../../../src/protocol/index.js';
import { BatchHeader, encodeRecordBatch } from '../../../src/protocol/records.js';
import { batchOf, produceRequest } from '../requests.js';
import { TestClient } from '../test-client.js';
import { startTestBroker, type TestBroker } from '../test-broker.js';

describe('Produce', () => {
  let b: TestBroker;
  let client: TestClient;
  const leo = (topic: string, partition = 0) => b.broker.services.logManager.getLog(topic, partition)!.logEndOffset;

  beforeAll(async () => {
    b = await startTestBroker();
    client = await TestClient.connect(b.port);
    const topics = b.broker.services.topics;
    topics.createTopic('produce', { numPartitions: 2 });
    topics.createTopic('__consumer_offsets', { numPartitions: 1 });
    topics.createTopic('small', { numPartitions: 1, configs: new Map([['max.message.bytes', '200']]) });
  });
  afterAll(async () => {
    client.close();
    await b.stop();
  });

  it('appends a batch and answers its base offset and the log start offset', async () => {
    const first = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, batchOf(3)));
    expect(first.responses[0].partitionResponses[0]).toMatchObject({
      index: 0,
      errorCode: ErrorCode.NONE,
      baseOffset: 0n,
      logAppendTimeMs: -1n,
      logStartOffset: 0n,
      errorMessage: null,
    });
    const second = await client.request(ApiKey.Produce, 3, produceRequest('produce', 0, batchOf(2)));
    expect(second.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(leo('produce')).toBe(5);
  });

  it('refuses client writes to internal topics with INVALID_TOPIC_EXCEPTION', async () => {
    const res = await client.request(ApiKey.Produce, 9, produceRequest('__consumer_offsets', 0, batchOf(1)));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(leo('__consumer_offsets')).toBe(0);
  });

  it('answers UNSUPPORTED_VERSION on every partition below v3', async () => {
    const before = leo('produce', 1);
    const res = await client.request(ApiKey.Produce, 2, produceRequest('produce', 1, batchOf(1)));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(leo('produce', 1)).toBe(before);
  });

  it('fails only the partitions that are unknown', async () => {
    const res = await client.request(ApiKey.Produce, 11, {
      ...defaultProduceRequest(),
      acks: 1,
      topicData: [
        { name: 'produce', partitionData: [{ index: 1, records: batchOf(1) }, { index: 7, records: batchOf(1) }] },
        { name: 'no-such-topic', partitionData: [{ index: 0, records: batchOf(1) }] },
      ],
    });
    expect(res.responses.map((t) => t.partitionResponses.map((p) => [p.index, p.errorCode]))).toEqual([
      [[1, ErrorCode.NONE], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
      [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
  });

  it('appends only the records named last for a partition named twice, and answers each topic once (as Kafka does)', async () => {
    b.broker.services.topics.createTopic('produce-dup', { numPartitions: 2 });
    const res = await client.request(ApiKey.Produce, 9, {
      ...defaultProduceRequest(),
      acks: -1,
      topicData: [
        { name: 'produce-dup', partitionData: [{ index: 1, records: batchOf(2) }, { index: 0, records: batchOf(1) }] },
        { name: 'no-such-topic', partitionData: [{ index: 0, records: batchOf(1) }] },
        { name: 'produce-dup', partitionData: [{ index: 1, records: batchOf(3) }, { index: 1, records: batchOf(4) }] },
      ],
    });
    expect(res.responses.map((t) => [t.name, t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset])])).toEqual([
      ['produce-dup', [[1, ErrorCode.NONE, 0n], [0, ErrorCode.NONE, 0n]]],
      ['no-such-topic', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]]],
    ]);
    expect(leo('produce-dup', 1)).toBe(4);
    expect(leo('produce-dup', 0)).toBe(1);
  });

  it('answers CORRUPT_MESSAGE for a bad CRC, appends nothing, and still serves the other partition', async () => {
    const corrupt = batchOf(2);
    corrupt[corrupt.length - 1] ^= 0xff; // a record byte, covered by the CRC
    const before = [leo('produce', 0), leo('produce', 1)];
    const res = await client.request(ApiKey.Produce, 9, {
      ...defaultProduceRequest(),
      acks: -1,
      topicData: [{ name: 'produce', partitionData: [{ index: 0, records: corrupt }, { index: 1, records: batchOf(1) }] }],
    });
    const [p0, p1] = res.responses[0].partitionResponses;
    expect(p0.errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(p1.errorCode).toBe(ErrorCode.NONE);
    expect(leo('produce', 0)).toBe(before[0]);
    expect(leo('produce', 1)).toBe(before[1] + 1);
  });

  it('answers KAFKA_STORAGE_ERROR for a partition whose disk fails, and serves the others', async () => {
    const failing = b.broker.services.logManager.getLog('produce', 0)!;
    const eio = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', syscall: 'write' });
    const spy = vi.spyOn(failing, 'appendAsLeader').mockImplementation(() => {
      throw eio;
    });
    try {
      const res = await client.request(ApiKey.Produce, 9, {
        ...defaultProduceRequest(),
        acks: -1,
        topicData: [{ name: 'produce', partitionData: [{ index: 0, records: batchOf(1) }, { index: 1, records: batchOf(1) }] }],
      });
      expect(res.responses[0].partitionResponses.map((p) => p.errorCode)).toEqual([ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NONE]);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers INVALID_RECORD for null, empty, or more than one batch', async () => {
    const before = leo('produce');
    for (const records of [null, Buffer.alloc(0), Buffer.concat([batchOf(1), batchOf(1)])]) {
      const res = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, records));
      expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_RECORD);
    }
    expect(leo('produce')).toBe(before);
  });

  it('answers INVALID_RECORD for a batch whose baseOffset is not 0, as Kafka does for client appends', async () => {
    const before = leo('produce');
    const res = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, batchOf(1, 'v', { baseOffset: 7 })));
    expect(res.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, errorMessage: expect.stringMatching(/baseOffset/) });
    expect(leo('produce')).toBe(before);
  });

  it('answers MESSAGE_TOO_LARGE for a batch above max.message.bytes', async () => {
    const res = await client.request(ApiKey.Produce, 9, produceRequest('small', 0, batchOf(50)));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(leo('small')).toBe(0);
  });

  it('answers INVALID_REQUIRED_ACKS for acks other than 0, 1, -1', async () => {
    const before = leo('produce');
    const res = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, batchOf(1), 2));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(leo('produce')).toBe(before);
  });

  it('sends no response at all for acks=0 but appends', async () => {
    const before = leo('produce');
    const produceId = client.send(ApiKey.Produce, 9, produceRequest('produce', 0, batchOf(4), 0));
    const versionsId = client.send(ApiKey.ApiVersions, 3, defaultApiVersionsRequest());
    await client.frame(versionsId);
    expect(client.arrivals).not.toContain(produceId);
    expect(leo('produce')).toBe(before + 4);
  });

  it('closes the connection when an acks=0 produce fails, keeping what succeeded', async () => {
    const other = await TestClient.connect(b.port);
    const before = leo('produce', 1);
    other.send(ApiKey.Produce, 9, {
      ...defaultProduceRequest(),
      acks: 0,
      topicData: [{ name: 'produce', partitionData: [{ index: 1, records: batchOf(2) }, { index: 9, records: batchOf(1) }] }],
    });
    await other.closed;
    expect(other.arrivals).toEqual([]);
    expect(leo('produce', 1)).toBe(before + 2);
  });

  it('refuses transactional produce with TRANSACTIONAL_ID_AUTHORIZATION_FAILED', async () => {
    const before = leo('produce');
    const byId = await client.request(ApiKey.Produce, 9, { ...produceRequest('produce', 0, batchOf(1)), transactionalId: 'tx' });
    expect(byId.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const txBatch = batchOf(1, 'tx', { attributes: 0x10, producerId: 1, producerEpoch: 0, baseSequence: 0 });
    const byBatch = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, txBatch));
    expect(byBatch.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    expect(leo('produce')).toBe(before);
  });

  it('refuses control batches from clients with INVALID_RECORD', async () => {
    const control = batchOf(1, 'c', { attributes: 0x20 });
    const res = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, control));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_RECORD);
  });

  it('answers an idempotent duplicate with its original offset and appends it once', async () => {
    const init = await client.request(ApiKey.InitProducerId, 4, { ...defaultInitProducerIdRequest(), transactionalId: null });
    const producerId = Number(init.producerId);
    const idempotent = (seq: number, n: number) => batchOf(n, `idem-${seq}`, { producerId, producerEpoch: init.producerEpoch, baseSequence: seq });
    const first = await client.request(ApiKey.Produce, 9, produceRequest('produce', 1, idempotent(0, 2)));
    const original = first.responses[0].partitionResponses[0];
    expect(original.errorCode).toBe(ErrorCode.NONE);
    const end = leo('produce', 1);
    const again = await client.request(ApiKey.Produce, 9, produceRequest('produce', 1, idempotent(0, 2)));
    expect(again.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: original.baseOffset });
    expect(leo('produce', 1)).toBe(end);
    const gap = await client.request(ApiKey.Produce, 9, produceRequest('produce', 1, idempotent(5, 1)));
    expect(gap.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const next = await client.request(ApiKey.Produce, 9, produceRequest('produce', 1, idempotent(2, 1)));
    expect(next.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: BigInt(end) });
  });

  it('answers a truncated batch with CORRUPT_MESSAGE', async () => {
    const before = leo('produce');
    const truncated = batchOf(3).subarray(0, BatchHeader.size + 5);
    const res = await client.request(ApiKey.Produce, 9, produceRequest('produce', 0, truncated));
    expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(leo('produce')).toBe(before);
  });
  describe('record_errors (v8+), as Kafka answers refused records', () => {
    const HOUR = 3_600_000;
    /** One batch of records with these keys and timestamps (baseOffset 0, not idempotent). */
    const recordsOf = (records: { key: string | null; timestamp: number }[]) =>
      encodeRecordBatch({
        producerId: -1,
        producerEpoch: -1,
        baseSequence: -1,
        records: records.map((r, i) => ({ key: r.key === null ? null : Buffer.from(r.key), value: Buffer.from(`v-${i}`), headers: [], timestamp: r.timestamp })),
      });

    beforeAll(async () => {
      const topics = b.broker.services.topics;
      topics.createTopic('compacted', { numPartitions: 1, configs: new Map([['cleanup.policy', 'compact']]) });
      topics.createTopic(
        'timed',
        {
          numPartitions: 1,
          configs: new Map([
            ['message.timestamp.before.max.ms', String(HOUR)],
            ['message.timestamp.after.max.ms', String(HOUR)],
          ]),
        },
      );
      // A log start offset above 0, which the error responses must carry.
      for (const topic of ['compacted', 'timed']) {
        const res = await client.request(ApiKey.Produce, 11, produceRequest(topic, 0, recordsOf([1, 2, 3].map((i) => ({ key: `k${i}`, timestamp: Date.now() })))));
        expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
        b.broker.services.logManager.getLog(topic, 0)!.deleteRecordsBefore(2);
      }
    });

    it('answers INVALID_RECORD with one record error per keyless record on a compacted topic (v11)', async () => {
      const now = Date.now();
      const batch = recordsOf(['a', null, 'b', null, null, null].map((key) => ({ key, timestamp: now })));
      const res = await client.request(ApiKey.Produce, 11, produceRequest('compacted', 0, batch));
      const message = 'Compacted topic cannot accept message without key in topic partition compacted-0';
      expect(res.responses[0].partitionResponses[0]).toMatchObject({
        index: 0,
        errorCode: ErrorCode.INVALID_RECORD,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: 2n,
        recordErrors: [1, 3, 4, 5].map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: message })),
        errorMessage:
          'One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: [' +
          [1, 3, 4].map((i) => `RecordError(batchIndex=${i}, message='${message}')`).join(', ') +
          ']',
      });
      expect(leo('compacted')).toBe(3);
    });

    it('answers INVALID_TIMESTAMP with the out-of-range records (v11)', async () => {
      const now = Date.now();
      const batch = recordsOf([
        { key: 'a', timestamp: now },
        { key: 'b', timestamp: now - 2 * HOUR },
        { key: 'c', timestamp: now + 2 * HOUR },
      ]);
      const res = await client.request(ApiKey.Produce, 11, produceRequest('timed', 0, batch));
      const p = res.responses[0].partitionResponses[0];
      expect(p).toMatchObject({
        errorCode: ErrorCode.INVALID_TIMESTAMP,
        baseOffset: -1n,
        logStartOffset: 2n,
        errorMessage: 'One or more records have been rejected due to invalid timestamp',
      });
      expect(p.recordErrors.map((e) => e.batchIndex)).toEqual([1, 2]);
      const range = (m: string | null) => /The timestamp should be within \[(\d+), (\d+)\]$/.exec(m ?? '');
      p.recordErrors.forEach((e, i) => {
        const ts = i === 0 ? now - 2 * HOUR : now + 2 * HOUR;
        expect(e.batchIndexErrorMessage).toMatch(new RegExp(`^Timestamp ${ts} of message with offset ${e.batchIndex} is out of range\\. `));
        const [, low, high] = range(e.batchIndexErrorMessage)!.map(Number);
        expect(high - low).toBe(2 * HOUR);
        expect(low).toBeGreaterThanOrEqual(now - HOUR);
      });
      expect(leo('timed')).toBe(3);
    });

    it('still answers v7, which has no record_errors or error_message', async () => {
      const keyless = await client.request(ApiKey.Produce, 7, produceRequest('compacted', 0, recordsOf([{ key: null, timestamp: Date.now() }])));
      expect(keyless.responses[0].partitionResponses[0]).toMatchObject({
        errorCode: ErrorCode.INVALID_RECORD,
        baseOffset: -1n,
        logStartOffset: 2n,
        recordErrors: [],
        errorMessage: null,
      });
      const late = await client.request(ApiKey.Produce, 7, produceRequest('timed', 0, recordsOf([{ key: 'k', timestamp: Date.now() + 2 * HOUR }])));
      expect(late.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, logStartOffset: 2n, recordErrors: [], errorMessage: null });
      const ok = await client.request(ApiKey.Produce, 7, produceRequest('compacted', 0, recordsOf([{ key: 'k', timestamp: Date.now() }])));
      expect(ok.responses[0].partitionResponses[0]).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n, logStartOffset: 2n });
    });
  });
});
