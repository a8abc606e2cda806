// Produce-time batch validation and offset assignment, as the broker relies on them before appending.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec, native, NativeError, type CodecId } from '../../src/native/index.js';
import { buildBatch, encodeRecords, fixCrc, simpleRecords, type TestRecord } from './batch-builder.js';
import { thrownErrorName } from '../support/error-name.js';

const MAX = 1_048_588;

function errorNameOf(fn: () => unknown): string {
  return thrownErrorName(fn, NativeError);
}

describe('native.validateRecordBatches', () => {
  it('accepts a producer batch and reports its header fields', () => {
    const batch = buildBatch({
      records: simpleRecords(3),
      baseTimestamp: 1000,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 7,
      attributes: 0x10,
    });
    const [info, ...rest] = native.validateRecordBatches(batch, MAX);
    expect(rest).toHaveLength(0);
    expect(info).toEqual({
      position: 0,
      sizeInBytes: batch.length,
      baseOffset: 0,
      lastOffsetDelta: 2,
      recordCount: 3,
      partitionLeaderEpoch: -1,
      attributes: 0x10,
      compression: Codec.none,
      timestampType: 0,
      isTransactional: true,
      isControl: false,
      baseTimestamp: 1000,
      maxTimestamp: 1002,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 7,
      minRecordTimestamp: 1000,
      maxRecordTimestamp: 1002,
      hasNullKey: false,
    });
  });

  it.each([Codec.none, Codec.gzip, Codec.zstd])('reports the real min and max record timestamps (codec %i), whatever the header says', (codec) => {
    const records: TestRecord[] = [
      { key: Buffer.from('a'), value: null, timestampDelta: 50 },
      { key: Buffer.from('b'), value: null, timestampDelta: -30 },
      { key: Buffer.from('c'), value: null, timestampDelta: 7 },
    ];
    // A producer-written header that understates maxTimestamp must not hide a record's timestamp.
    const batch = buildBatch({ records, baseTimestamp: 10_000, maxTimestamp: 10_000, codec });
    const [info] = native.validateRecordBatches(batch, MAX);
    expect([info.minRecordTimestamp, info.maxRecordTimestamp]).toEqual([9_970, 10_050]);
  });

  it('leaves records without a timestamp (NO_TIMESTAMP, -1) out of the min and max', () => {
    const none = buildBatch({ records: [{ key: null, value: null }], baseTimestamp: -1 });
    const [info] = native.validateRecordBatches(none, MAX);
    expect([info.minRecordTimestamp, info.maxRecordTimestamp]).toEqual([-1, -1]);
    const mixed = buildBatch({
      records: [
        { key: null, value: null, timestampDelta: 0 },
        { key: null, value: null, timestampDelta: 5 },
      ],
      baseTimestamp: -1,
    });
    const [m] = native.validateRecordBatches(mixed, MAX);
    expect([m.minRecordTimestamp, m.maxRecordTimestamp]).toEqual([4, 4]);
  });

  it.each([Codec.none, Codec.lz4])('flags a batch holding any record with a null key (codec %i)', (codec) => {
    const keyed = buildBatch({ records: simpleRecords(3), codec });
    expect(native.validateRecordBatches(keyed, MAX)[0].hasNullKey).toBe(false);
    const records = simpleRecords(3);
    records[2] = { ...records[2], key: null };
    const oneNull = buildBatch({ records, codec });
    expect(native.validateRecordBatches(oneNull, MAX)[0].hasNullKey).toBe(true);
    // An empty key is a key.
    const empty = buildBatch({ records: [{ key: Buffer.alloc(0), value: null }], codec });
    expect(native.validateRecordBatches(empty, MAX)[0].hasNullKey).toBe(false);
  });

  it.each([Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd])('accepts batches compressed with codec %i', (codec) => {
    const batch = buildBatch({ records: simpleRecords(50, 100), codec });
    const [info] = native.validateRecordBatches(batch, MAX);
    expect(info.compression).toBe(codec);
    expect(info.recordCount).toBe(50);
  });

  it('walks several batches in one buffer, including views into a larger buffer', () => {
    const a = buildBatch({ records: simpleRecords(2) });
    const b = buildBatch({ records: simpleRecords(5), codec: Codec.lz4 });
    const frame = Buffer.concat([Buffer.from('header'), a, b]);
    const infos = native.validateRecordBatches(frame.subarray(6), MAX);
    expect(infos.map((i) => [i.position, i.sizeInBytes, i.recordCount])).toEqual([
      [0, a.length, 2],
      [a.length, b.length, 5],
    ]);
  });

  it('accepts null keys and values, empty values and many headers', () => {
    const records: TestRecord[] = [
      { key: null, value: null },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: 'a', value: null }] },
      { key: null, value: Buffer.from('v'), headers: Array.from({ length: 20 }, (_, i) => ({ key: `h${i}`, value: Buffer.from('x') })) },
    ];
    expect(native.validateRecordBatches(buildBatch({ records }), MAX)[0].recordCount).toBe(3);
  });

  it('rejects a flipped CRC byte, or any flipped covered byte, with CORRUPT_MESSAGE', () => {
    const batch = buildBatch({ records: simpleRecords(3) });
    const crcFlipped = Buffer.from(batch);
    crcFlipped[18] ^= 0x01;
    expect(errorNameOf(() => native.validateRecordBatches(crcFlipped, MAX))).toBe('CORRUPT_MESSAGE');
    const bodyFlipped = Buffer.from(batch);
    bodyFlipped[bodyFlipped.length - 1] ^= 0x80;
    expect(errorNameOf(() => native.validateRecordBatches(bodyFlipped, MAX))).toBe('CORRUPT_MESSAGE');
  });

  it('rejects empty, truncated and trailing-partial input with CORRUPT_MESSAGE', () => {
    const batch = buildBatch({ records: simpleRecords(3) });
    expect(errorNameOf(() => native.validateRecordBatches(Buffer.alloc(0), MAX))).toBe('CORRUPT_MESSAGE');
    expect(errorNameOf(() => native.validateRecordBatches(batch.subarray(0, batch.length - 1), MAX))).toBe('CORRUPT_MESSAGE');
    expect(errorNameOf(() => native.validateRecordBatches(batch.subarray(0, 30), MAX))).toBe('CORRUPT_MESSAGE');
    expect(errorNameOf(() => native.validateRecordBatches(Buffer.concat([batch, batch.subarray(0, 20)]), MAX))).toBe(
      'CORRUPT_MESSAGE',
    );
    const shortLength = Buffer.from(batch);
    shortLength.writeInt32BE(10, 8);
    expect(errorNameOf(() => native.validateRecordBatches(shortLength, MAX))).toBe('CORRUPT_MESSAGE');
  });

  it('rejects magic 0/1 with UNSUPPORTED_FOR_MESSAGE_FORMAT and other magics with CORRUPT_MESSAGE', () => {
    expect(errorNameOf(() => native.validateRecordBatches(buildBatch({ records: simpleRecords(1), magic: 1 }), MAX))).toBe(
      'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    );
    expect(errorNameOf(() => native.validateRecordBatches(buildBatch({ records: simpleRecords(1), magic: 0 }), MAX))).toBe(
      'UNSUPPORTED_FOR_MESSAGE_FORMAT',
    );
    expect(errorNameOf(() => native.validateRecordBatches(buildBatch({ records: simpleRecords(1), magic: 3 }), MAX))).toBe(
      'CORRUPT_MESSAGE',
    );
  });

  it('rejects a batch larger than the maximum with MESSAGE_TOO_LARGE', () => {
    const batch = buildBatch({ records: simpleRecords(10, 200) });
    expect(native.validateRecordBatches(batch, batch.length)).toHaveLength(1);
    expect(errorNameOf(() => native.validateRecordBatches(batch, batch.length - 1))).toBe('MESSAGE_TOO_LARGE');
  });

  it('rejects inconsistent counts and offset deltas with INVALID_RECORD', () => {
    const records = simpleRecords(3);
    const cases = [
      buildBatch({ records, recordCount: 4, lastOffsetDelta: 3 }), // fewer records than declared
      buildBatch({ records, recordCount: 2, lastOffsetDelta: 1 }), // more records than declared
      buildBatch({ records, lastOffsetDelta: 5 }), // lastOffsetDelta != count - 1
      buildBatch({ records: [], recordCount: 0, lastOffsetDelta: -1 }), // empty batch from a producer
      buildBatch({ records: records.map((r, i) => ({ ...r, offsetDelta: [0, 2, 1][i] })) }), // out of order
      buildBatch({ records: records.map((r) => ({ ...r, offsetDelta: 0 })) }), // repeated delta
    ];
    for (const batch of cases) expect(errorNameOf(() => native.validateRecordBatches(batch, MAX))).toBe('INVALID_RECORD');
    const compressed = buildBatch({ records, codec: Codec.zstd, recordCount: 4, lastOffsetDelta: 3 });
    expect(errorNameOf(() => native.validateRecordBatches(compressed, MAX))).toBe('INVALID_RECORD');
  });

  it('rejects malformed records inside a CRC-valid batch with CORRUPT_MESSAGE', () => {
    const batch = buildBatch({ records: simpleRecords(2) });
    const badLength = Buffer.from(batch);
    badLength[61] = 0x7f; // first record's length varint: far too long
    expect(errorNameOf(() => native.validateRecordBatches(fixCrc(badLength), MAX))).toBe('CORRUPT_MESSAGE');
    const garbage = buildBatch({ records: simpleRecords(2), codec: Codec.gzip, payload: Buffer.from('not gzip at all') });
    expect(errorNameOf(() => native.validateRecordBatches(garbage, MAX))).toBe('CORRUPT_MESSAGE');
  });

  it('rejects unknown codec ids 5-7', () => {
    for (const codec of [5, 6, 7] as const) {
      const batch = buildBatch({ records: simpleRecords(1), codec });
      expect(['CORRUPT_MESSAGE', 'UNSUPPORTED_COMPRESSION_TYPE']).toContain(
        errorNameOf(() => native.validateRecordBatches(batch, MAX)),
      );
    }
  });

  it('accepts any well-formed batch of arbitrary records under every codec (property)', () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 40 }).map(Buffer.from)),
      value: fc.option(fc.uint8Array({ maxLength: 300 }).map(Buffer.from)),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 10 }), value: fc.option(fc.uint8Array({ maxLength: 20 }).map(Buffer.from)) }), {
        maxLength: 3,
      }),
      timestampDelta: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 30 }), fc.constantFrom<CodecId>(0, 1, 2, 3, 4), (records, codec) => {
        const batch = buildBatch({ records, codec });
        const [info] = native.validateRecordBatches(batch, MAX);
        expect(info.recordCount).toBe(records.length);
        expect(info.compression).toBe(codec);
      }),
      { numRuns: 100 },
    );
  });
});

describe('native.validateRecordBatches on hostile input (property)', () => {
  it('never crashes: mutated batches (CRC fixed up, so records get walked) either pass or throw NativeError', () => {
    const base = [0, 1, 2, 3, 4].map((codec) => buildBatch({ records: simpleRecords(4, 30), codec: codec as CodecId }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (which, flips, fix) => {
          const batch = Buffer.from(base[which]);
          for (const f of flips) batch[21 + (f.at % (batch.length - 21))] = f.value;
          if (fix) fixCrc(batch);
          try {
            native.validateRecordBatches(batch, MAX);
          } catch (err) {
            expect(err).toBeInstanceOf(NativeError);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never crashes on random bytes for any codec', () => {
    fc.assert(
      fc.property(fc.constantFrom<CodecId>(1, 2, 3, 4), fc.uint8Array({ maxLength: 200 }), (codec, bytes) => {
        try {
          native.decompress(codec, Buffer.from(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(NativeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('native.readBatchHeaders', () => {
  it('frames stored batches without checking CRCs, and rejects partial bytes', () => {
    const a = buildBatch({ records: simpleRecords(2), codec: Codec.gzip, producerId: 5 });
    const b = buildBatch({ records: simpleRecords(3) });
    b[b.length - 1] ^= 0xff; // CRC no longer matches: headers are still read
    const infos = native.readBatchHeaders(Buffer.concat([a, b]));
    expect(infos.map((i) => [i.position, i.recordCount, i.compression, i.producerId])).toEqual([
      [0, 2, Codec.gzip, 5],
      [a.length, 3, Codec.none, -1],
    ]);
    expect(infos.map((i) => [i.minRecordTimestamp, i.maxRecordTimestamp, i.hasNullKey])).toEqual([
      [-1, -1, false],
      [-1, -1, false],
    ]);
    expect(native.readBatchHeaders(Buffer.alloc(0))).toEqual([]);
    expect(errorNameOf(() => native.readBatchHeaders(a.subarray(0, a.length - 1)))).toBe('CORRUPT_MESSAGE');
  });

  it('reads every batch of a long run (more than its first output array holds), each field in place', () => {
    const batches = Array.from({ length: 100 }, (_, i) => buildBatch({ baseOffset: 10 * i, records: simpleRecords(1 + (i % 5)), producerId: 1000 + i, baseSequence: i }));
    const infos = native.readBatchHeaders(Buffer.concat(batches));
    expect(infos).toHaveLength(100);
    let position = 0;
    infos.forEach((info, i) => {
      expect(info).toMatchObject({ position, sizeInBytes: batches[i].length, baseOffset: 10 * i, recordCount: 1 + (i % 5), lastOffsetDelta: i % 5, producerId: 1000 + i, baseSequence: i, isTransactional: false, isControl: false });
      position += batches[i].length;
    });
  });
});

describe('native.recompressBatches', () => {
  const codecs = [Codec.none, Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd] as const;
  const pairs = codecs.flatMap((from) => codecs.filter((to) => to !== from).map((to) => [from, to] as const));

  it.each(pairs)('rebuilds a codec %i batch in codec %i: new codec bits, length and CRC; same records and header', (from, to) => {
    const records = simpleRecords(20, 64);
    const batch = buildBatch({ records, codec: from, producerId: 9, producerEpoch: 2, baseSequence: 40, attributes: 0x10, partitionLeaderEpoch: 3 });
    const out = native.recompressBatches(batch, to);
    const [info] = native.validateRecordBatches(out, MAX); // CRC and records check out
    expect(info.compression).toBe(to);
    expect(info.sizeInBytes).toBe(out.length);
    expect(out.readInt32BE(8)).toBe(out.length - 12);
    expect(out.readInt16BE(21)).toBe(0x10 | to);
    // Everything in the header other than batchLength, CRC and the codec bits is kept.
    const sameFields = (b: Buffer) => Buffer.concat([b.subarray(0, 8), b.subarray(12, 17), b.subarray(23, 61)]);
    expect(sameFields(out)).toEqual(sameFields(batch));
    const plain = (b: Buffer, codec: CodecId) => (codec === Codec.none ? b.subarray(61) : native.decompress(codec, b.subarray(61)));
    expect(plain(out, to)).toEqual(encodeRecords(records));
  });

  it('keeps batches already in the target codec byte for byte, and handles several batches', () => {
    const a = buildBatch({ records: simpleRecords(3), codec: Codec.zstd });
    const b = buildBatch({ records: simpleRecords(4), codec: Codec.gzip });
    const out = native.recompressBatches(Buffer.concat([a, b]), Codec.zstd);
    expect(out.subarray(0, a.length)).toEqual(a);
    const infos = native.validateRecordBatches(out, MAX);
    expect(infos.map((i) => [i.compression, i.recordCount])).toEqual([
      [Codec.zstd, 3],
      [Codec.zstd, 4],
    ]);
  });

  it('copies control batches unchanged (Kafka never compresses them)', () => {
    const control = buildBatch({ records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(6) }], attributes: 0x30 });
    expect(native.recompressBatches(control, Codec.gzip)).toEqual(control);
  });

  it('refuses an unknown target codec and bytes that are not whole batches', () => {
    const batch = buildBatch({ records: simpleRecords(2) });
    expect(errorNameOf(() => native.recompressBatches(batch, 5 as CodecId))).toBe('UNSUPPORTED_COMPRESSION_TYPE');
    expect(errorNameOf(() => native.recompressBatches(batch.subarray(0, 70), Codec.gzip))).toBe('CORRUPT_MESSAGE');
  });
});

describe('native.assignOffsets', () => {
  it('patches baseOffset and leader epoch of each batch in turn, leaving the CRC valid', () => {
    const a = buildBatch({ records: simpleRecords(3) });
    const b = buildBatch({ records: simpleRecords(2), codec: Codec.snappy });
    const records = Buffer.concat([a, b]);
    const crcs = [records.readUInt32BE(17), records.readUInt32BE(a.length + 17)];
    expect(native.assignOffsets(records, 100, 7, -1)).toBe(104);
    expect(records.readBigInt64BE(0)).toBe(100n);
    expect(records.readInt32BE(12)).toBe(7);
    expect(records.readBigInt64BE(a.length)).toBe(103n);
    expect(records.readInt32BE(a.length + 12)).toBe(7);
    expect([records.readUInt32BE(17), records.readUInt32BE(a.length + 17)]).toEqual(crcs);
    const infos = native.validateRecordBatches(records, MAX);
    expect(infos.map((i) => [i.baseOffset, i.partitionLeaderEpoch, i.timestampType])).toEqual([
      [100, 7, 0],
      [103, 7, 0],
    ]);
  });

  it('with LogAppendTime sets maxTimestamp and the timestamp-type bit and recomputes the CRC', () => {
    const records = buildBatch({ records: simpleRecords(4), codec: Codec.zstd, baseTimestamp: 5 });
    expect(native.assignOffsets(records, 0, 0, 1_800_000_000_123)).toBe(3);
    const [info] = native.validateRecordBatches(records, MAX);
    expect(info.maxTimestamp).toBe(1_800_000_000_123);
    expect(info.timestampType).toBe(1);
    expect(info.attributes & 0x08).toBe(0x08);
    expect(info.compression).toBe(Codec.zstd);
    expect(info.baseTimestamp).toBe(5);
  });

  it('rejects bytes that are not whole batches with CORRUPT_MESSAGE and leaves them untouched', () => {
    const batch = buildBatch({ records: simpleRecords(1) });
    const cut = Buffer.from(batch.subarray(0, 40));
    const before = Buffer.from(cut);
    expect(errorNameOf(() => native.assignOffsets(cut, 9, 0, -1))).toBe('CORRUPT_MESSAGE');
    expect(cut.equals(before)).toBe(true);
    expect(errorNameOf(() => native.assignOffsets(Buffer.alloc(0), 9, 0, -1))).toBe('CORRUPT_MESSAGE');
  });
});

describe('native.findInvalidRecords', () => {
  const records: TestRecord[] = [
    { key: Buffer.from('a'), value: null, timestampDelta: 0 },
    { key: null, value: Buffer.from('v'), timestampDelta: 5 },
    { key: Buffer.from('c'), value: null, timestampDelta: -20 },
    { key: null, value: null, timestampDelta: 100 },
  ];
  const open = { requireKey: false, minTimestamp: Number.MIN_SAFE_INTEGER, maxTimestamp: Number.MAX_SAFE_INTEGER };

  it.each([Codec.none, Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd])('names null keys and out-of-range timestamps by record index (codec %i)', (codec) => {
    const batch = buildBatch({ records, baseTimestamp: 1000, codec });
    expect(native.findInvalidRecords(batch, undefined, open)).toEqual([]);
    expect(native.findInvalidRecords(batch, 0, { ...open, requireKey: true })).toEqual([
      { index: 1, timestamp: 1005, nullKey: true },
      { index: 3, timestamp: 1100, nullKey: true },
    ]);
    expect(native.findInvalidRecords(batch, 0, { requireKey: false, minTimestamp: 990, maxTimestamp: 1099 })).toEqual([
      { index: 2, timestamp: 980, nullKey: false },
      { index: 3, timestamp: 1100, nullKey: true },
    ]);
    expect(native.findInvalidRecords(batch, 0, { requireKey: true, minTimestamp: 1000, maxTimestamp: 1000 }).map((r) => r.index)).toEqual([1, 2, 3]);
  });

  it('never refuses NO_TIMESTAMP (-1), and reads the batch at batchPosition', () => {
    const first = buildBatch({ records: simpleRecords(2), baseTimestamp: 5000 });
    const second = buildBatch({ records: [{ key: null, value: null, timestampDelta: 0 }], baseTimestamp: -1 });
    const both = Buffer.concat([first, second]);
    const strict = { requireKey: false, minTimestamp: 0, maxTimestamp: 0 };
    expect(native.findInvalidRecords(both, first.length, strict)).toEqual([]);
    expect(native.findInvalidRecords(both, first.length, { ...strict, requireKey: true })).toEqual([{ index: 0, timestamp: -1, nullKey: true }]);
    expect(native.findInvalidRecords(both, 0, strict).map((r) => r.index)).toEqual([0, 1]);
  });

  it('CORRUPT_MESSAGE when no whole batch sits at batchPosition', () => {
    const batch = buildBatch({ records: simpleRecords(1) });
    expect(errorNameOf(() => native.findInvalidRecords(batch, batch.length, open))).toBe('CORRUPT_MESSAGE');
    expect(errorNameOf(() => native.findInvalidRecords(batch.subarray(0, batch.length - 1), 0, open))).toBe('CORRUPT_MESSAGE');
  });
});
