// A tiny, independent record batch v2 encoder for the native tests (no dependency on src/protocol).
import { native, type CodecId } from '../../src/native/index.js';

/** One record as a producer sends it. */
export interface TestRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: { key: string; value: Buffer | null }[];
  timestampDelta?: number;
  offsetDelta?: number; // defaults to the record's index
}

/** Batch header fields a test may set; anything left out gets a producer's usual value. */
export interface TestBatch {
  records: TestRecord[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  magic?: number;
  codec?: CodecId | 5 | 6 | 7;
  attributes?: number; // extra bits OR-ed onto the codec
  baseTimestamp?: number;
  maxTimestamp?: number; // defaults to baseTimestamp + largest timestampDelta
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  lastOffsetDelta?: number; // defaults to records.length - 1
  recordCount?: number; // defaults to records.length
  payload?: Buffer; // replaces the (compressed) records section verbatim
}

function varint(n: number): number[] {
  let v = (n << 1) ^ (n >> 31); // zigzag, 32-bit
  v >>>= 0;
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function varlong(n: number): number[] {
  let v = (BigInt(n) << 1n) ^ (BigInt(n) < 0n ? -1n : 0n);
  v = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function bytesField(b: Buffer | null): Buffer {
  return b === null ? Buffer.from(varint(-1)) : Buffer.concat([Buffer.from(varint(b.length)), b]);
}

/** Encodes records the way DefaultRecord.writeTo does. */
export function encodeRecords(records: TestRecord[]): Buffer {
  return Buffer.concat(
    records.map((r, i) => {
      const headers = r.headers ?? [];
      const body = Buffer.concat([
        Buffer.from([0]),
        Buffer.from(varlong(r.timestampDelta ?? 0)),
        Buffer.from(varint(r.offsetDelta ?? i)),
        bytesField(r.key),
        bytesField(r.value),
        Buffer.from(varint(headers.length)),
        ...headers.map((h) => Buffer.concat([bytesField(Buffer.from(h.key)), bytesField(h.value)])),
      ]);
      return Buffer.concat([Buffer.from(varint(body.length)), body]);
    }),
  );
}

/** A whole v2 batch with a correct CRC-32C (computed by the addon, itself checked against known vectors). */
export function buildBatch(b: TestBatch): Buffer {
  const codec = b.codec ?? 0;
  const plain = encodeRecords(b.records);
  const payload = b.payload ?? (codec === 0 || codec > 4 ? plain : native.compress(codec as CodecId, plain));
  const baseTimestamp = b.baseTimestamp ?? 1_700_000_000_000;
  const maxDelta = Math.max(0, ...b.records.map((r) => r.timestampDelta ?? 0));
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(BigInt(b.baseOffset ?? 0), 0);
  header.writeInt32BE(61 - 12 + payload.length, 8);
  header.writeInt32BE(b.partitionLeaderEpoch ?? -1, 12);
  header.writeInt8(b.magic ?? 2, 16);
  header.writeInt16BE(codec | (b.attributes ?? 0), 21);
  header.writeInt32BE(b.lastOffsetDelta ?? b.records.length - 1, 23);
  header.writeBigInt64BE(BigInt(baseTimestamp), 27);
  header.writeBigInt64BE(BigInt(b.maxTimestamp ?? baseTimestamp + maxDelta), 35);
  header.writeBigInt64BE(BigInt(b.producerId ?? -1), 43);
  header.writeInt16BE(b.producerEpoch ?? -1, 51);
  header.writeInt32BE(b.baseSequence ?? -1, 53);
  header.writeInt32BE(b.recordCount ?? b.records.length, 57);
  const batch = Buffer.concat([header, payload]);
  batch.writeUInt32BE(native.crc32c(batch.subarray(21)), 17);
  return batch;
}

/** Recomputes the CRC after a test tampered with covered bytes. */
export function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(native.crc32c(batch.subarray(21)), 17);
  return batch;
}

/** n records of `size`-byte values with timestamps baseTimestamp + i. */
export function simpleRecords(n: number, size = 16): TestRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.alloc(size, i & 0xff),
    headers: [{ key: 'h', value: Buffer.from([i & 0xff]) }],
    timestampDelta: i,
  }));
}
