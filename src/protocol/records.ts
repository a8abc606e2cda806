// Record batch v2 (magic 2) codec in pure TS, for tests, tools and internal topics.
// Never on the broker's data path: there the native addon validates batches without JS walking records.
import { crc32c as pureCrc32c } from './crc32c.js';
import { ProtocolError } from './errors.js';
import { Reader } from './reader.js';
import { BatchHeader } from './record-batch-view.js';
import { Writer } from './writer.js';

export { BatchHeader, RecordBatchView } from './record-batch-view.js';

/** One record header: a string key and a nullable value. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to put in a batch; timestamp in ms (defaults to the batch's baseTimestamp). */
export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
  /** Defaults to the record's index in the batch. */
  offsetDelta?: number;
}

/** A batch to encode. 64-bit fields are numbers (exact far beyond any real offset or time). */
export interface RecordBatchInput {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  /** Attribute bits other than the codec (timestamp type bit 3, transactional 4, control 5). */
  attributes?: number;
  /** Codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd); compressing needs `compress`. */
  compression?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp, or now. */
  baseTimestamp?: number;
  /** Defaults to the largest record timestamp. */
  maxTimestamp?: number;
  records: RecordInput[];
}

/** Compresses the serialized records with a codec id (inject the native codecs). */
export type Compress = (codec: number, data: Buffer) => Buffer;
/** Decompresses a batch's records section with a codec id (inject the native codecs). */
export type Decompress = (codec: number, data: Buffer) => Buffer;

/** A decoded record with absolute offset and timestamp. */
export interface DecodedRecord {
  attributes: number;
  offsetDelta: number;
  offset: number;
  timestampDelta: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A decoded batch: every header field plus its records. */
export interface DecodedRecordBatch {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: 0 | 1;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: DecodedRecord[];
}

/** Options of encodeRecordBatch. */
export interface EncodeOptions {
  compress?: Compress;
  crc32c?: (buf: Buffer) => number;
}

/** Options of decodeRecordBatches. */
export interface DecodeOptions {
  decompress?: Decompress;
  crc32c?: (buf: Buffer) => number;
  /** Check each batch's CRC-32C (default true). */
  verifyCrc?: boolean;
}

const defaultCrc = (b: Buffer) => pureCrc32c(b);

/** Encodes one v2 record batch; the CRC covers attributes through the last record. */
export function encodeRecordBatch(batch: RecordBatchInput, options: EncodeOptions = {}): Buffer {
  const records = batch.records;
  const baseTimestamp = batch.baseTimestamp ?? records[0]?.timestamp ?? Date.now();
  let maxTimestamp = -1;
  const body = new Writer();
  records.forEach((rec, i) => {
    const ts = rec.timestamp ?? baseTimestamp;
    if (ts > maxTimestamp) maxTimestamp = ts;
    writeRecord(body, rec, ts - baseTimestamp, rec.offsetDelta ?? i);
  });
  let recordBytes = body.toBuffer();
  const compression = batch.compression ?? 0;
  if (compression !== 0) {
    if (!options.compress) throw new Error(`compression codec ${compression} needs a compress function`);
    recordBytes = options.compress(compression, recordBytes);
  }
  const lastOffsetDelta = records.length === 0 ? 0 : (records[records.length - 1].offsetDelta ?? records.length - 1);
  const out = Buffer.allocUnsafe(BatchHeader.size + recordBytes.length);
  out.writeBigInt64BE(BigInt(batch.baseOffset ?? 0), BatchHeader.baseOffset);
  out.writeInt32BE(out.length - BatchHeader.logOverhead, BatchHeader.batchLength);
  out.writeInt32BE(batch.partitionLeaderEpoch ?? -1, BatchHeader.partitionLeaderEpoch);
  out.writeInt8(2, BatchHeader.magic);
  out.writeInt16BE(((batch.attributes ?? 0) & ~0x07) | compression, BatchHeader.attributes);
  out.writeInt32BE(lastOffsetDelta, BatchHeader.lastOffsetDelta);
  out.writeBigInt64BE(BigInt(baseTimestamp), BatchHeader.baseTimestamp);
  out.writeBigInt64BE(BigInt(batch.maxTimestamp ?? (records.length ? maxTimestamp : baseTimestamp)), BatchHeader.maxTimestamp);
  out.writeBigInt64BE(BigInt(batch.producerId ?? -1), BatchHeader.producerId);
  out.writeInt16BE(batch.producerEpoch ?? -1, BatchHeader.producerEpoch);
  out.writeInt32BE(batch.baseSequence ?? -1, BatchHeader.baseSequence);
  out.writeInt32BE(records.length, BatchHeader.recordCount);
  recordBytes.copy(out, BatchHeader.size);
  const crc = (options.crc32c ?? defaultCrc)(out.subarray(BatchHeader.attributes));
  out.writeUInt32BE(crc >>> 0, BatchHeader.crc);
  return out;
}

function writeRecord(w: Writer, rec: RecordInput, timestampDelta: number, offsetDelta: number): void {
  const inner = new Writer(64);
  inner.int8(0); // record attributes: unused
  inner.varlong(BigInt(timestampDelta));
  inner.varint(offsetDelta);
  writeVarBytes(inner, rec.key);
  writeVarBytes(inner, rec.value);
  const headers = rec.headers ?? [];
  inner.varint(headers.length);
  for (const h of headers) {
    const n = Buffer.byteLength(h.key);
    inner.varint(n);
    inner.utf8(h.key, n);
    writeVarBytes(inner, h.value);
  }
  const bytes = inner.toBuffer();
  w.varint(bytes.length);
  w.raw(bytes);
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) return w.varint(-1);
  w.varint(b.length);
  w.raw(b);
}

/**
 * Decodes every whole v2 batch in buf. A trailing partial batch (as a size-capped fetch may
 * return) is ignored, like Kafka's clients do; anything malformed is a ProtocolError.
 */
export function decodeRecordBatches(buf: Buffer, options: DecodeOptions | Decompress = {}): DecodedRecordBatch[] {
  const opts: DecodeOptions = typeof options === 'function' ? { decompress: options } : options;
  const batches: DecodedRecordBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= BatchHeader.logOverhead) {
    const batchLength = buf.readInt32BE(pos + BatchHeader.batchLength);
    if (batchLength < BatchHeader.size - BatchHeader.logOverhead) {
      throw new ProtocolError(`record batch length ${batchLength} is smaller than the batch header`);
    }
    const end = pos + BatchHeader.logOverhead + batchLength;
    if (end > buf.length) break;
    batches.push(decodeBatch(buf.subarray(pos, end), opts));
    pos = end;
  }
  return batches;
}

function decodeBatch(b: Buffer, opts: DecodeOptions): DecodedRecordBatch {
  const magic = b.readInt8(BatchHeader.magic);
  if (magic !== 2) throw new ProtocolError(`unsupported record batch magic ${magic}`);
  const crc = b.readUInt32BE(BatchHeader.crc);
  if (opts.verifyCrc !== false) {
    const actual = (opts.crc32c ?? defaultCrc)(b.subarray(BatchHeader.attributes)) >>> 0;
    if (actual !== crc) throw new ProtocolError(`record batch CRC mismatch: stored ${crc}, computed ${actual}`);
  }
  const attributes = b.readInt16BE(BatchHeader.attributes);
  const compression = attributes & 0x07;
  const baseOffset = Number(b.readBigInt64BE(BatchHeader.baseOffset));
  const baseTimestamp = Number(b.readBigInt64BE(BatchHeader.baseTimestamp));
  const recordCount = b.readInt32BE(BatchHeader.recordCount);
  let data = b.subarray(BatchHeader.size);
  if (compression !== 0) {
    if (!opts.decompress) throw new ProtocolError(`compressed batch (codec ${compression}) needs a decompress function`);
    data = opts.decompress(compression, data);
  }
  if (recordCount < 0 || recordCount > data.length) throw new ProtocolError(`bad record count ${recordCount}`);
  const r = new Reader(data);
  const records: DecodedRecord[] = [];
  for (let i = 0; i < recordCount; i++) records.push(readRecord(r, baseOffset, baseTimestamp));
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} bytes left after the last record`);
  return {
    baseOffset,
    batchLength: b.readInt32BE(BatchHeader.batchLength),
    partitionLeaderEpoch: b.readInt32BE(BatchHeader.partitionLeaderEpoch),
    magic,
    crc,
    attributes,
    compression,
    timestampType: attributes & 0x08 ? 1 : 0,
    isTransactional: (attributes & 0x10) !== 0,
    isControl: (attributes & 0x20) !== 0,
    lastOffsetDelta: b.readInt32BE(BatchHeader.lastOffsetDelta),
    baseTimestamp,
    maxTimestamp: Number(b.readBigInt64BE(BatchHeader.maxTimestamp)),
    producerId: Number(b.readBigInt64BE(BatchHeader.producerId)),
    producerEpoch: b.readInt16BE(BatchHeader.producerEpoch),
    baseSequence: b.readInt32BE(BatchHeader.baseSequence),
    records,
  };
}

function readRecord(r: Reader, baseOffset: number, baseTimestamp: number): DecodedRecord {
  const length = r.varint();
  if (length < 0) throw new ProtocolError(`negative record length ${length}`);
  r.need(length, 'record');
  const end = r.pos + length;
  const outerEnd = r.end;
  r.end = end;
  const attributes = r.int8();
  const timestampDelta = Number(r.varlong());
  const offsetDelta = r.varint();
  const key = readVarBytes(r, 'record key');
  const value = readVarBytes(r, 'record value');
  const headerCount = r.varint();
  if (headerCount < 0 || headerCount > r.remaining) throw new ProtocolError(`bad header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = r.varint();
    if (keyLength < 0) throw new ProtocolError('null record header key');
    const hkey = r.utf8(r.checkedLength(keyLength, 'header key'));
    headers.push({ key: hkey, value: readVarBytes(r, 'header value') });
  }
  if (r.pos !== end) throw new ProtocolError(`record length ${length} does not match its contents`);
  r.end = outerEnd;
  return {
    attributes,
    offsetDelta,
    offset: baseOffset + offsetDelta,
    timestampDelta,
    timestamp: baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function readVarBytes(r: Reader, what: string): Buffer | null {
  const n = r.checkedLength(r.varint(), what);
  return n < 0 ? null : r.bytes(n, what);
}
