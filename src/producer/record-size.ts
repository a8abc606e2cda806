// Kafka's AbstractRecords.estimateSizeInBytesUpperBound for one record in a v2 batch: what the
// producer checks against maxRequestSize and bufferMemory, and the size of the buffer a record
// larger than batchSize gets (so the addon never has to grow it).
import type { BatchHeader } from './producer-batch.js';

/** RecordBatch.RECORD_BATCH_OVERHEAD: the v2 batch header. */
const RECORD_BATCH_OVERHEAD = 61;
/** DefaultRecord.MAX_RECORD_OVERHEAD: length, attributes, timestamp and offset deltas at their widest. */
const MAX_RECORD_OVERHEAD = 21;

/** Bytes of a zigzag varint holding n >= 0 (ByteUtils.sizeOfVarint). */
function sizeOfVarint(n: number): number {
  let v = n * 2; // zigzag of a non-negative int
  let bytes = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    bytes++;
  }
  return bytes;
}

/** A nullable field: its length varint and bytes, or the one byte of -1 for null. */
function fieldSize(len: number | null): number {
  return len === null ? 1 : sizeOfVarint(len) + len;
}

/** The largest a batch holding just this record can be, uncompressed (Kafka's upper bound). */
export function recordSizeUpperBound(key: Buffer | null, value: Buffer | null, headers: BatchHeader[] | null): number {
  let size = RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + fieldSize(key?.length ?? null) + fieldSize(value?.length ?? null);
  size += sizeOfVarint(headers?.length ?? 0);
  if (headers !== null) for (const h of headers) size += fieldSize(Buffer.byteLength(h.key)) + fieldSize(h.value?.length ?? null);
  return size;
}
