import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.js';
import { decodeRecordBatches, encodeRecordBatch, RecordBatchView, type RecordBatchInput } from '../../src/protocol/records.js';

const require = createRequire(import.meta.url);
// kafkajs's own batch codec, an independent implementation to check byte compatibility against.
const { RecordBatch: KafkaJsRecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const KafkaJsRecord = require('kafkajs/src/protocol/recordBatch/record/v0');
const KafkaJsBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const KafkaJsDecoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');

const gzip = (codec: number, data: Buffer) => {
  if (codec !== 1) throw new Error(`codec ${codec}`);
  return gzipSync(data);
};
const gunzip = (codec: number, data: Buffer) => {
  if (codec !== 1) throw new Error(`codec ${codec}`);
  return gunzipSync(data);
};

const bytesOrNull = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null });
const batchArb: fc.Arbitrary<RecordBatchInput> = fc.record({
  baseOffset: fc.integer({ min: 0, max: 2 ** 40 }),
  partitionLeaderEpoch: fc.integer({ min: -1, max: 1000 }),
  attributes: fc.constantFrom(0, 0x08, 0x10),
  compression: fc.constantFrom(0, 1),
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  producerEpoch: fc.integer({ min: -1, max: 32767 }),
  baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
  baseTimestamp: fc.integer({ min: 0, max: 2 ** 42 }),
  records: fc.array(
    fc.record({
      key: bytesOrNull,
      value: bytesOrNull,
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 8 }), value: bytesOrNull }), { maxLength: 3 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 42 }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

describe('record batch v2 codec', () => {
  it('round-trips every header field and record (property)', () => {
    fc.assert(
      fc.property(batchArb, (input) => {
        const buf = encodeRecordBatch(input, { compress: gzip });
        const [batch] = decodeRecordBatches(buf, gunzip);
        const view = new RecordBatchView(buf);
        expect(view.sizeInBytes).toBe(buf.length);
        expect(view.magic).toBe(2);
        expect(batch).toMatchObject({
          baseOffset: input.baseOffset,
          partitionLeaderEpoch: input.partitionLeaderEpoch,
          compression: input.compression,
          timestampType: input.attributes! & 0x08 ? 1 : 0,
          isTransactional: (input.attributes! & 0x10) !== 0,
          lastOffsetDelta: input.records.length - 1,
          baseTimestamp: input.baseTimestamp,
          maxTimestamp: Math.max(...input.records.map((r) => r.timestamp!)),
          producerId: input.producerId,
          producerEpoch: input.producerEpoch,
          baseSequence: input.baseSequence,
          crc: view.crc,
        });
        expect(view.recordCount).toBe(input.records.length);
        expect(view.lastOffset).toBe(input.baseOffset! + input.records.length - 1);
        batch.records.forEach((r, i) => {
          const want = input.records[i];
          expect(r).toMatchObject({ offsetDelta: i, offset: input.baseOffset! + i, timestamp: want.timestamp, key: want.key, value: want.value, headers: want.headers });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('decodes several concatenated batches and ignores a trailing partial one', () => {
    const a = encodeRecordBatch({ baseOffset: 0, records: [{ key: null, value: Buffer.from('a'), timestamp: 1 }] });
    const b = encodeRecordBatch({ baseOffset: 1, records: [{ key: Buffer.from('k'), value: null, timestamp: 2 }] });
    const batches = decodeRecordBatches(Buffer.concat([a, b, b.subarray(0, 30)]));
    expect(batches.map((x) => x.baseOffset)).toEqual([0, 1]);
    expect(batches[1].records[0]).toMatchObject({ key: Buffer.from('k'), value: null, offset: 1 });
  });

  it('rejects a flipped byte with a CRC error', () => {
    const buf = encodeRecordBatch({ records: [{ key: null, value: Buffer.from('hello'), timestamp: 5 }] });
    buf[buf.length - 2] ^= 1;
    expect(() => decodeRecordBatches(buf)).toThrow(/CRC/);
  });

  it('never throws anything but ProtocolError on mutated batches (hostile input)', () => {
    const good = encodeRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [{ key: 'h', value: null }], timestamp: 5 }] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.boolean(), (flips, verifyCrc) => {
        const buf = Buffer.from(good);
        for (const [at, v] of flips) buf[at % buf.length] = v;
        try {
          decodeRecordBatches(buf, { verifyCrc });
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('decodes batches written by kafkajs (gzip and none) with the same records', async () => {
    for (const compression of [0, 1]) {
      const records = [
        KafkaJsRecord({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { h: Buffer.from('x') } }),
        KafkaJsRecord({ offsetDelta: 1, timestampDelta: 7, key: null, value: Buffer.from('v2') }),
      ];
      const encoder = await KafkaJsRecordBatch({
        compression,
        firstOffset: Long.fromNumber(10),
        firstTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_007,
        lastOffsetDelta: 1,
        producerId: Long.fromNumber(3),
        producerEpoch: 1,
        firstSequence: 4,
        records,
      });
      const [batch] = decodeRecordBatches(encoder.buffer, gunzip);
      expect(batch).toMatchObject({ baseOffset: 10, compression, producerId: 3, producerEpoch: 1, baseSequence: 4, maxTimestamp: 1_700_000_000_007 });
      expect(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString(), r.headers])).toEqual([
        [10, 1_700_000_000_000, 'k1', 'v1', [{ key: 'h', value: Buffer.from('x') }]],
        [11, 1_700_000_000_007, null, 'v2', []],
      ]);
    }
  });

  it('writes batches kafkajs decodes (CRC checked by kafkajs)', async () => {
    const buf = encodeRecordBatch({
      baseOffset: 42,
      producerId: 9,
      producerEpoch: 0,
      baseSequence: 0,
      records: [
        { key: Buffer.from('a'), value: Buffer.from('1'), headers: [{ key: 'h', value: Buffer.from('v') }], timestamp: 1000 },
        { key: null, value: Buffer.from('2'), timestamp: 1005 },
      ],
    });
    const decoded = await KafkaJsBatchDecoder(new KafkaJsDecoder(buf));
    expect(decoded.firstOffset).toBe('42');
    expect(decoded.records.map((r: { offset: string; timestamp: string; value: Buffer; headers: object }) => [r.offset, r.timestamp, r.value.toString(), r.headers])).toEqual([
      ['42', '1000', '1', { h: Buffer.from('v') }],
      ['43', '1005', '2', {}],
    ]);
  });
});
