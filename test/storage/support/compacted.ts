// Keyed batches and whole-log reads for the log cleaner tests.
import { native } from '../../../src/native/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../../src/protocol/records.js';
import type { PartitionLog } from '../../../src/storage/partition-log.js';

/** One record: a key and a value (null = tombstone). */
export type Entry = [key: string, value: string | null];

/** A produce-style batch (baseOffset 0) of keyed records, timestamps t0, t0+1, ... */
export function keyedBatch(
  entries: Entry[],
  opts: { timestamp?: number; compression?: number; producerId?: number; producerEpoch?: number; baseSequence?: number } = {},
): Buffer {
  const t0 = opts.timestamp ?? 1_700_000_000_000;
  return encodeRecordBatch(
    {
      baseOffset: 0,
      producerId: opts.producerId ?? -1,
      producerEpoch: opts.producerEpoch ?? -1,
      baseSequence: opts.baseSequence ?? -1,
      compression: opts.compression ?? 0,
      records: entries.map(([k, v], i) => ({
        key: Buffer.from(k),
        value: v === null ? null : Buffer.from(v),
        headers: [{ key: 'h', value: Buffer.from(k) }],
        timestamp: t0 + i,
      })),
    },
    { compress: (codec, data) => native.compress(codec as 0, data), crc32c: (buf) => native.crc32c(buf) },
  );
}

/** A record read back: offset, key, value (null for a tombstone), first header's value. */
export interface ReadRecord {
  offset: number;
  key: string;
  value: string | null;
  header: string;
}

/** Decodes fetched bytes (empty batches included) into records. */
export function decodeKeyed(bytes: Buffer): ReadRecord[] {
  return decodeRecordBatches(bytes, { decompress: (codec, data) => native.decompress(codec as 0, data) }).flatMap((b) =>
    b.records.map((r) => ({
      offset: r.offset,
      key: r.key?.toString() ?? '',
      value: r.value === null ? null : r.value.toString(),
      header: r.headers[0]?.value?.toString() ?? '',
    })),
  );
}

/** Every record of the log from its start, fetched as a consumer would (in chunks). */
export function readAllKeyed(log: PartitionLog): ReadRecord[] {
  const out: ReadRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const got = decodeKeyed(log.read(offset, 4096, true, 'uncommitted').records).filter((r) => r.offset >= offset);
    if (got.length === 0) {
      // Only empty batches (or an emptied segment) here: step past what the read covered.
      const next = nextOffsetAfter(log, offset);
      if (next === null) break;
      offset = next;
      continue;
    }
    out.push(...got);
    offset = got[got.length - 1].offset + 1;
  }
  return out;
}

/** The offset after the last batch a read at `offset` returns, or null when it returns nothing. */
function nextOffsetAfter(log: PartitionLog, offset: number): number | null {
  const bytes = log.read(offset, 4096, true, 'uncommitted').records;
  const headers = native.readBatchHeaders(bytes);
  if (headers.length === 0) return null;
  const last = headers[headers.length - 1];
  return last.baseOffset + last.lastOffsetDelta + 1;
}

/** The latest value of every key among the written entries, in key order (what compaction must keep). */
export function latestByKey(entries: Entry[]): Map<string, string | null> {
  const latest = new Map<string, string | null>();
  for (const [key, value] of entries) latest.set(key, value);
  return new Map([...latest].sort(([a], [b]) => (a < b ? -1 : 1)));
}
