import { randomBytes } from 'node:crypto';
// The producer's native batch builder (src/producer/native-batch.ts over native/src/batch_builder.rs):
// the bytes it closes must be the v2 batches Kafka's producer writes, that the broker accepts and
// every consumer decodes; batch.size is honoured as Kafka's MemoryRecordsBuilder does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec, native, NativeError, type CodecId } from '../../src/native/index.js';
import { NativeBatch, type CompressionType } from '../../src/producer/native-batch.js';
import { ApiKey, decodeRequest, decodeRequestHeader } from '../../src/protocol/index.js';
import { decodeRecordBatches, encodeRecordBatch, type RecordHeader } from '../../src/protocol/records.js';
import { thrownErrorName } from '../support/error-name.js';

const CODECS: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const MAX_BATCH = 1 << 30;
const T0 = 1_700_000_000_000;
/** The addon's codecs as decodeRecordBatches takes them. */
const decompress = (codec: number, data: Buffer) => native.decompress(codec as CodecId, data);

interface Rec {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Appends every record (batchSize large enough for all) and closes with the given producer fields. */
function build(records: Rec[], compression: CompressionType = 'none', producer: [number, number, number] = [-1, -1, -1]): Buffer {
  const batch = new NativeBatch({ compression, batchSize: MAX_BATCH });
  for (const r of records) expect(batch.tryAppend(r.timestamp, r.key, r.value, r.headers.length ? r.headers : null)).toBe(true);
  return batch.close(...producer);
}

/** The same batch from the pure-TS reference encoder. */
function reference(records: Rec[], compression: CompressionType = 'none', producer: [number, number, number] = [-1, -1, -1]): Buffer {
  return encodeRecordBatch(
    {
      compression: Codec[compression],
      producerId: producer[0],
      producerEpoch: producer[1],
      baseSequence: producer[2],
      records: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    },
    { compress: (codec, data) => native.compress(codec as CodecId, data) },
  );
}

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
/** Lengths around the 1→2 and 2→3 byte varint boundaries as well as small ones. */
const sizedBytes = fc.oneof(bytes(40), fc.constantFrom(63, 64, 127, 128, 8191, 8192, 16_383, 16_384).map((n) => Buffer.alloc(n, n & 0xff)));
const recordArb: fc.Arbitrary<Rec> = fc.record({
  timestamp: fc.oneof(fc.integer({ min: T0 - 100_000, max: T0 + 100_000 }), fc.constantFrom(0, -1, 2 ** 40, 2 ** 52)),
  key: fc.option(sizedBytes, { nil: null }),
  value: fc.option(sizedBytes, { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 12 }), value: fc.option(bytes(20), { nil: null }) }), { maxLength: 3 }),
});
const producerArb = fc.tuple(
  fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  fc.integer({ min: -1, max: 32_767 }),
  fc.integer({ min: -1, max: 2 ** 31 - 1 }),
);

describe('NativeBatch bytes', () => {
  it('are byte-identical to the batch Kafka 4.1.1 Java producer wrote (lz4, idempotent)', () => {
    const frame = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../protocol/golden/java/00-produce-v11-request.bin'));
    const header = decodeRequestHeader(frame);
    const java = decodeRequest(ApiKey.Produce, header.requestApiVersion, frame, header.bodyOffset).topicData[0].partitionData[0].records!;
    const [decoded] = decodeRecordBatches(java, decompress);
    expect(decoded.records).toHaveLength(2);
    const ours = build(
      decoded.records.map((r) => ({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers })),
      'lz4',
      [decoded.producerId, decoded.producerEpoch, decoded.baseSequence],
    );
    expect(ours.toString('hex')).toBe(java.toString('hex'));
  });

  it('match encodeRecordBatch byte for byte, uncompressed', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 12 }), producerArb, (records, producer) => {
        expect(build(records, 'none', producer).equals(reference(records, 'none', producer))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it.each(CODECS.filter((c) => c !== 'none'))('match encodeRecordBatch byte for byte with %s (the codec framing Kafka expects)', (codec) => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 8 }), producerArb, (records, producer) => {
        expect(build(records, codec, producer).equals(reference(records, codec, producer))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it.each(CODECS)('decode back to the same records and header fields (%s)', (codec) => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 10 }), producerArb, (records, producer) => {
        const batch = build(records, codec, producer);
        const [decoded, ...rest] = decodeRecordBatches(batch, decompress);
        expect(rest).toHaveLength(0);
        expect(decoded).toMatchObject({
          baseOffset: 0,
          batchLength: batch.length - 12,
          partitionLeaderEpoch: -1,
          magic: 2,
          attributes: Codec[codec],
          compression: Codec[codec],
          timestampType: 0,
          isTransactional: false,
          isControl: false,
          lastOffsetDelta: records.length - 1,
          baseTimestamp: records[0].timestamp,
          maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
          producerId: producer[0],
          producerEpoch: producer[1],
          baseSequence: producer[2],
        });
        expect(decoded.records.map((r) => ({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }))).toEqual(records);
        expect(decoded.records.map((r) => r.offsetDelta)).toEqual(records.map((_, i) => i));
      }),
      { numRuns: 20 },
    );
  });

  it.each(CODECS)('pass the broker validation with the header fields it reports (%s)', (codec) => {
    const records: Rec[] = [
      { timestamp: T0 + 5, key: Buffer.from('a'), value: Buffer.alloc(300, 1), headers: [{ key: 'trace', value: Buffer.from('x') }] },
      { timestamp: T0 - 7, key: null, value: Buffer.alloc(50, 2), headers: [] },
      { timestamp: T0 + 9, key: Buffer.from('c'), value: null, headers: [] },
    ];
    const batch = build(records, codec, [4000, 3, 17]);
    expect(native.validateRecordBatches(batch, 1_048_588)).toEqual([
      {
        position: 0,
        sizeInBytes: batch.length,
        baseOffset: 0,
        lastOffsetDelta: 2,
        recordCount: 3,
        partitionLeaderEpoch: -1,
        attributes: Codec[codec],
        compression: Codec[codec],
        timestampType: 0,
        isTransactional: false,
        isControl: false,
        baseTimestamp: T0 + 5,
        maxTimestamp: T0 + 9,
        producerId: 4000,
        producerEpoch: 3,
        baseSequence: 17,
        minRecordTimestamp: T0 - 7,
        maxRecordTimestamp: T0 + 9,
        hasNullKey: true,
      },
    ]);
  });

  it('count timestamp deltas from the baseTimestamp option when given', () => {
    const batch = new NativeBatch({ compression: 'none', batchSize: 1000, baseTimestamp: T0 - 50 });
    batch.tryAppend(T0, Buffer.from('k'), Buffer.from('v'), null);
    batch.tryAppend(T0 + 10, null, Buffer.from('w'), null);
    const [decoded] = decodeRecordBatches(batch.close(-1, -1, -1));
    expect(decoded.baseTimestamp).toBe(T0 - 50);
    expect(decoded.maxTimestamp).toBe(T0 + 10);
    expect(decoded.records.map((r) => [r.timestampDelta, r.timestamp])).toEqual([
      [50, T0],
      [60, T0 + 10],
    ]);
  });

  it('are independent for batches open at the same time (one per partition)', () => {
    const batches = [new NativeBatch({ compression: 'none', batchSize: 10_000 }), new NativeBatch({ compression: 'zstd', batchSize: 10_000 })];
    const expected: Rec[][] = [[], []];
    for (let i = 0; i < 20; i++) {
      const rec: Rec = { timestamp: T0 + i, key: Buffer.from(`k${i}`), value: Buffer.alloc(i * 3, i), headers: [] };
      expect(batches[i % 2].tryAppend(rec.timestamp, rec.key, rec.value, null)).toBe(true);
      expected[i % 2].push(rec);
    }
    batches.forEach((b, p) => {
      const [decoded] = decodeRecordBatches(b.close(p, 0, p * 10), decompress);
      expect(decoded.records.map((r) => ({ timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }))).toEqual(expected[p]);
    });
  });
});

describe('NativeBatch batch.size', () => {
  const key = Buffer.from('key');
  /** Bytes of one encoded record with a 3-byte key, an n-byte value and no headers at offsetDelta < 64, same timestamp. */
  const recordSize = (n: number) => {
    const body = 1 + 1 + 1 + 1 + 3 + (n < 64 ? 1 : 2) + n + 1;
    return (body < 64 ? 1 : 2) + body;
  };

  it('estimates header + uncompressed records, exactly the uncompressed batch size', () => {
    const batch = new NativeBatch({ compression: 'none', batchSize: 1 << 20 });
    expect(batch.recordCount).toBe(0);
    expect(batch.estimatedSizeInBytes).toBe(61);
    let expected = 61;
    for (let i = 0; i < 10; i++) {
      batch.tryAppend(T0, key, Buffer.alloc(100), null);
      expected += recordSize(100);
      expect(batch.estimatedSizeInBytes).toBe(expected);
      expect(batch.recordCount).toBe(i + 1);
    }
    expect(batch.close(-1, -1, -1).length).toBe(expected);
  });

  it('estimates the uncompressed size for compressed batches too', () => {
    const plain = new NativeBatch({ compression: 'none', batchSize: 1 << 20 });
    const gzip = new NativeBatch({ compression: 'gzip', batchSize: 1 << 20 });
    for (let i = 0; i < 50; i++) {
      plain.tryAppend(T0 + i, key, Buffer.alloc(200, 7), null);
      gzip.tryAppend(T0 + i, key, Buffer.alloc(200, 7), null);
    }
    expect(gzip.estimatedSizeInBytes).toBe(plain.estimatedSizeInBytes);
    expect(gzip.close(-1, -1, -1).length).toBeLessThan(plain.close(-1, -1, -1).length / 10);
  });

  it('takes a record that ends exactly at batchSize and refuses one byte more', () => {
    const batchSize = 61 + 3 * recordSize(100);
    const exact = new NativeBatch({ compression: 'none', batchSize });
    for (let i = 0; i < 3; i++) expect(exact.tryAppend(T0, key, Buffer.alloc(100), null)).toBe(true);
    expect(exact.estimatedSizeInBytes).toBe(batchSize);
    expect(exact.tryAppend(T0, null, null, null)).toBe(false);

    const over = new NativeBatch({ compression: 'none', batchSize: batchSize - 1 });
    for (let i = 0; i < 2; i++) expect(over.tryAppend(T0, key, Buffer.alloc(100), null)).toBe(true);
    expect(over.tryAppend(T0, key, Buffer.alloc(100), null)).toBe(false);
    expect(over.recordCount).toBe(2);
  });

  it('leaves the batch untouched when a record does not fit', () => {
    const batch = new NativeBatch({ compression: 'none', batchSize: 200 });
    expect(batch.tryAppend(T0, key, Buffer.alloc(100, 1), null)).toBe(true);
    const before = batch.estimatedSizeInBytes;
    expect(batch.tryAppend(T0 + 1, key, Buffer.alloc(150, 2), [{ key: 'h', value: null }])).toBe(false);
    expect(batch.estimatedSizeInBytes).toBe(before);
    expect(batch.tryAppend(T0 + 2, key, Buffer.alloc(10, 3), null)).toBe(true);
    const [decoded] = decodeRecordBatches(batch.close(-1, -1, -1));
    expect(decoded.records.map((r) => [r.offsetDelta, r.value?.length, r.timestamp])).toEqual([
      [0, 100, T0],
      [1, 10, T0 + 2],
    ]);
    expect(decoded.maxTimestamp).toBe(T0 + 2);
  });

  it('gives a first record larger than batchSize a batch of its own (Java semantics)', () => {
    for (const batchSize of [0, 100, 16_384]) {
      const batch = new NativeBatch({ compression: 'lz4', batchSize });
      expect(batch.tryAppend(T0, key, Buffer.alloc(20_000, 9), null)).toBe(true);
      expect(batch.tryAppend(T0, null, Buffer.alloc(1), null)).toBe(false);
      const [decoded] = decodeRecordBatches(batch.close(-1, -1, -1), decompress);
      expect(decoded.records.map((r) => r.value?.length)).toEqual([20_000]);
    }
  });

  it('fills batches the accumulator can drain in order, none over batchSize unless a single record is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4096 }), fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }), (batchSize, sizes) => {
        const closed: Buffer[] = [];
        let open = new NativeBatch({ compression: 'none', batchSize });
        sizes.forEach((n, i) => {
          if (!open.tryAppend(T0 + i, null, Buffer.alloc(n, i), null)) {
            closed.push(open.close(-1, -1, -1));
            open = new NativeBatch({ compression: 'none', batchSize });
            expect(open.tryAppend(T0 + i, null, Buffer.alloc(n, i), null)).toBe(true);
          }
        });
        closed.push(open.close(-1, -1, -1));
        const decoded = decodeRecordBatches(Buffer.concat(closed));
        expect(decoded.flatMap((b) => b.records.map((r) => r.value!.length))).toEqual(sizes);
        for (const [i, b] of closed.entries()) {
          if (decoded[i].records.length > 1) expect(b.length).toBeLessThanOrEqual(batchSize);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('NativeBatch re-close', () => {
  it.each(CODECS)('rewrites only the producer fields and CRC of the same Buffer (%s)', (codec) => {
    const batch = new NativeBatch({ compression: codec, batchSize: 1 << 20 });
    for (let i = 0; i < 30; i++) batch.tryAppend(T0 + i, Buffer.from(`k${i}`), Buffer.alloc(64, i), null);
    const first = batch.close(1000n, 4, 120);
    const snapshot = Buffer.from(first);
    const again = batch.close(1001n, 0, 0);
    expect(again).toBe(first);
    const changed = [...again.keys()].filter((i) => again[i] !== snapshot[i]);
    // CRC @17..20, producerId @43..50, producerEpoch @51..52, baseSequence @53..56
    expect(changed.every((i) => (i >= 17 && i < 21) || (i >= 43 && i < 57))).toBe(true);
    expect(native.validateRecordBatches(again, 1 << 30)[0]).toMatchObject({ producerId: 1001, producerEpoch: 0, baseSequence: 0, recordCount: 30 });
    const fresh = new NativeBatch({ compression: codec, batchSize: 1 << 20 });
    for (let i = 0; i < 30; i++) fresh.tryAppend(T0 + i, Buffer.from(`k${i}`), Buffer.alloc(64, i), null);
    expect(again.equals(fresh.close(1001, 0, 0))).toBe(true);
  });

  it('accepts bigint and number producer ids alike', () => {
    const a = build([{ timestamp: T0, key: null, value: Buffer.from('v'), headers: [] }], 'none', [77, 1, 2]);
    const batch = new NativeBatch({ compression: 'none', batchSize: 100 });
    batch.tryAppend(T0, null, Buffer.from('v'), null);
    expect(batch.close(77n, 1, 2).equals(a)).toBe(true);
  });
});

describe('NativeBatch misuse', () => {
  it('refuses an unknown compression type', () => {
    expect(() => new NativeBatch({ compression: 'brotli' as CompressionType, batchSize: 100 })).toThrow(/unknown compression type 'brotli'/);
  });

  it('refuses a negative or fractional batchSize', () => {
    expect(() => new NativeBatch({ compression: 'none', batchSize: -1 })).toThrow(RangeError);
    expect(() => new NativeBatch({ compression: 'none', batchSize: 1.5 })).toThrow(RangeError);
  });

  it('refuses to close a batch with no records (it would be an invalid batch)', () => {
    expect(() => new NativeBatch({ compression: 'none', batchSize: 100 }).close(-1, -1, -1)).toThrow(/no records/);
  });

  it('refuses appends after close', () => {
    const batch = new NativeBatch({ compression: 'none', batchSize: 100 });
    batch.tryAppend(T0, null, null, null);
    batch.close(-1, -1, -1);
    expect(() => batch.tryAppend(T0, null, null, null)).toThrow(/closed/);
  });

  it('refuses a producer epoch that is not an int16 and a producerId beyond 2^53, keeping the batch closable', () => {
    const batch = new NativeBatch({ compression: 'none', batchSize: 100 });
    batch.tryAppend(T0, null, Buffer.from('v'), null);
    expect(() => batch.close(1, 40_000, 0)).toThrow(/int16/);
    expect(() => batch.close(2n ** 60n, 0, 0)).toThrow(RangeError);
    expect(native.validateRecordBatches(batch.close(1, 2, 3), 1000)[0]).toMatchObject({ producerId: 1, producerEpoch: 2, baseSequence: 3 });
  });

  it('rewriteProducerState refuses bytes that are not exactly one batch', () => {
    const batch = build([{ timestamp: T0, key: null, value: Buffer.from('v'), headers: [] }]);
    expect(thrownErrorName(() => native.rewriteProducerState(Buffer.concat([batch, batch]), 1, 1, 1), NativeError)).toBe('CORRUPT_MESSAGE');
    expect(thrownErrorName(() => native.rewriteProducerState(batch.subarray(0, 30), 1, 1, 1), NativeError)).toBe('CORRUPT_MESSAGE');
  });

  it('a buffer holds an open batch from open to close only, and a reused buffer starts afresh', () => {
    const buf = Buffer.alloc(100);
    // Never opened (a pool buffer before its first batch): nothing to append to.
    expect(() => native.recordBatchAppend(buf, T0, null, Buffer.from('a'), null)).toThrow(/no open record batch/);
    native.recordBatchOpen(buf, Codec.none, 100, null);
    native.recordBatchAppend(buf, T0, null, Buffer.from('a'), null);
    const first = native.recordBatchClose(buf, -1, -1, -1) as number;
    expect(decodeRecordBatches(buf.subarray(0, first))[0].records.map((r) => r.value?.toString())).toEqual(['a']);
    // Closed: the header took the state's place.
    expect(() => native.recordBatchAppend(buf, T0, null, Buffer.from('b'), null)).toThrow(/closed/);
    expect(() => native.recordBatchClose(buf, -1, -1, -1)).toThrow(/closed/);
    // The pool hands the buffer to the next batch: only that batch's records are in it.
    native.recordBatchOpen(buf, Codec.none, 100, null);
    native.recordBatchAppend(buf, T0, null, Buffer.from('c'), null);
    const second = native.recordBatchClose(buf, -1, -1, -1) as number;
    expect(decodeRecordBatches(buf.subarray(0, second))[0].records.map((r) => r.value?.toString())).toEqual(['c']);
  });

  it('a batch whose state bytes were overwritten is refused, not read out of bounds', () => {
    const buf = Buffer.alloc(100);
    native.recordBatchOpen(buf, Codec.none, 100, null);
    native.recordBatchAppend(buf, T0, null, Buffer.from('a'), null);
    buf.writeUInt32LE(5000, 0); // the written length, past the buffer's end
    expect(() => native.recordBatchAppend(buf, T0, null, Buffer.from('b'), null)).toThrow(/damaged/);
    expect(() => native.recordBatchClose(buf, -1, -1, -1)).toThrow(/damaged/);
  });

  it('open refuses an unknown codec, a negative batchSize and a buffer shorter than a batch header', () => {
    expect(thrownErrorName(() => native.recordBatchOpen(Buffer.alloc(100), 9 as CodecId, 100, null), NativeError)).toBe('UNSUPPORTED_COMPRESSION_TYPE');
    expect(() => native.recordBatchOpen(Buffer.alloc(100), Codec.none, -1, null)).toThrow(/batchSize/);
    expect(() => native.recordBatchOpen(Buffer.alloc(60), Codec.none, 100, null)).toThrow(/at least 61 bytes/);
  });

  it('append rejects arguments of the wrong type with a clear error, writing nothing', () => {
    const buf = Buffer.alloc(100);
    native.recordBatchOpen(buf, Codec.none, 100, null);
    const append = (b: unknown, ts: unknown, key: unknown, value: unknown, headers: unknown = null) =>
      native.recordBatchAppend(b as Buffer, ts as number, key as Buffer | null, value as Buffer | null, headers as null);
    expect(() => append('not a buffer', T0, null, Buffer.from('v'))).toThrow(/buf must be a Buffer/);
    expect(() => append(buf, 'soon', null, Buffer.from('v'))).toThrow(/cannot read timestamp/);
    expect(() => append(buf, T0, 'k', Buffer.from('v'))).toThrow(/key must be a Buffer or null/);
    expect(() => append(buf, T0, null, 42)).toThrow(/value must be a Buffer or null/);
    expect(() => append(buf, T0, null, Buffer.from('v'), 'h')).toThrow(/Array/);
    // The addon writes buf while it reads the record: a key, value or header value inside buf is refused.
    expect(() => append(buf, T0, null, buf.subarray(70, 80))).toThrow(/must not share memory with buf/);
    expect(() => append(buf, T0, buf.subarray(0, 1), Buffer.from('v'))).toThrow(/must not share memory with buf/);
    expect(() => append(buf, T0, null, Buffer.from('v'), [{ key: 'h', value: buf.subarray(90, 95) }])).toThrow(/must not share memory with buf/);
    // undefined reads as null, as before; an empty key is a key of length 0, not null.
    expect(append(buf, T0, undefined, Buffer.from('v'), undefined)).toBeGreaterThan(61);
    expect(append(buf, T0, Buffer.alloc(0), Buffer.from('w'))).toBeGreaterThan(61);
    const size = native.recordBatchClose(buf, -1, -1, -1) as number;
    const [decoded] = decodeRecordBatches(buf.subarray(0, size));
    expect(decoded.records.map((r) => [r.key, r.value?.toString()])).toEqual([
      [null, 'v'],
      [Buffer.alloc(0), 'w'],
    ]);
  });
});

describe('NativeBatch buffers', () => {
  it('builds the batch in the buffer it is given: the bytes are a view of it, nothing is allocated', () => {
    const buffer = Buffer.alloc(16384);
    const batch = new NativeBatch({ compression: 'none', batchSize: 16384, buffer });
    const values = Array.from({ length: 50 }, (_, i) => Buffer.alloc(200, i));
    for (const v of values) expect(batch.tryAppend(T0, null, v, null)).toBe(true);
    const bytes = batch.close(1, 0, 0);
    expect(bytes.buffer).toBe(buffer.buffer);
    expect(bytes.byteOffset).toBe(buffer.byteOffset);
    expect(bytes.length).toBe(batch.estimatedSizeInBytes);
    expect(decodeRecordBatches(bytes)[0].records.map((r) => r.value)).toEqual(values);
  });

  it('moves to a larger buffer when a record does not fit the one it has, keeping what was written', () => {
    const buffer = Buffer.alloc(100);
    const batch = new NativeBatch({ compression: 'none', batchSize: 4096, buffer });
    const values = [Buffer.alloc(20, 1), Buffer.alloc(1000, 2), Buffer.alloc(1500, 3)];
    for (const v of values) expect(batch.tryAppend(T0, Buffer.from('k'), v, [{ key: 'h', value: Buffer.from('x') }])).toBe(true);
    const bytes = batch.close(1, 0, 0);
    expect(bytes.buffer).not.toBe(buffer.buffer);
    expect(native.validateRecordBatches(bytes, 10_000)).toHaveLength(1);
    expect(decodeRecordBatches(bytes)[0].records.map((r) => r.value)).toEqual(values);
  });

  it('compressed records that outgrow the buffer come back as bytes of their own', () => {
    // Random bytes do not compress: gzip's framing makes them larger than the buffer they filled.
    const value = Buffer.from(Array.from({ length: 900 }, (_, i) => (i * 7919 + 13) % 251));
    const records = [{ timestamp: T0, key: null, value: randomBytes(900), headers: [] }];
    const buffer = Buffer.alloc(61 + 920);
    const batch = new NativeBatch({ compression: 'gzip', batchSize: buffer.length, buffer });
    expect(batch.tryAppend(T0, null, records[0].value, null)).toBe(true);
    expect(batch.estimatedSizeInBytes).toBeLessThanOrEqual(buffer.length);
    const bytes = batch.close(1, 0, 0);
    expect(bytes.length).toBeGreaterThan(buffer.length);
    expect(bytes.buffer).not.toBe(buffer.buffer);
    // The batch lives on in those bytes: the buffer no longer holds it open.
    expect(() => native.recordBatchAppend(buffer, T0, null, Buffer.from('v'), null)).toThrow(/closed/);
    expect(decodeRecordBatches(bytes, decompress)[0].records[0].value).toEqual(records[0].value);
    // Compressible records are written back into the buffer itself.
    const again = Buffer.alloc(61 + 920);
    const small = new NativeBatch({ compression: 'gzip', batchSize: again.length, buffer: again });
    small.tryAppend(T0, null, value, null);
    const compressed = small.close(1, 0, 0);
    expect(compressed.buffer).toBe(again.buffer);
    expect(decodeRecordBatches(compressed, decompress)[0].records[0].value).toEqual(value);
  });
});
