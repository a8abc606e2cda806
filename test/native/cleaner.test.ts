// The native half of the log cleaner: offset map over the dirty range, rewrite into `.cleaned`
// segments (latest per key, tombstones and their delete horizon, producers' last batches, codecs).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Codec, native, type CleanLogOptions, type CodecId } from '../../src/native/index.js';
import { decodeRecordBatches } from '../../src/protocol/records.js';
import { buildBatch, type TestBatch, type TestRecord } from './batch-builder.js';

const segConfig = { indexIntervalBytes: 100, maxIndexSize: 4096, preallocate: false };
const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cleaner-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const stem = (base: number) => join(dir, String(base).padStart(20, '0'));

/** A keyed record; value null is a tombstone. */
function rec(key: string, value: string | null, timestampDelta = 0): TestRecord {
  return { key: Buffer.from(key), value: value === null ? null : Buffer.from(value), timestampDelta };
}

/** Writes segments: each inner array is one segment's batches; offsets assigned consecutively. */
function writeSegments(segments: TestBatch[][]): number[] {
  const bases: number[] = [];
  let next = 0;
  for (const batches of segments) {
    const seg = native.openSegment(dir, next, segConfig);
    bases.push(next);
    for (const b of batches) {
      const bytes = buildBatch({ baseTimestamp: NOW, ...b });
      next = native.assignOffsets(bytes, next, 3, -1) + 1;
      seg.append(bytes);
    }
    seg.close();
  }
  // The active (empty) segment the cleaner never touches.
  native.openSegment(dir, next, segConfig).close();
  bases.push(next);
  return bases;
}

function options(bases: number[], overrides: Partial<CleanLogOptions> = {}): CleanLogOptions {
  const active = bases[bases.length - 1];
  return {
    dir,
    segments: bases.slice(0, -1),
    firstDirtyOffset: 0,
    firstUncleanableOffset: active,
    dedupeBufferSize: 1024 * 1024,
    loadFactor: 0.9,
    maxSegmentBytes: 1024 * 1024,
    maxIndexBytes: 4096,
    indexIntervalBytes: 100,
    deleteRetentionMs: DAY,
    nowMs: NOW,
    activeProducers: [],
    ...overrides,
  };
}

const decompress = (codec: number, data: Buffer) => native.decompress(codec as CodecId, data);
const cleanedBatches = (base: number) => decodeRecordBatches(readFileSync(`${stem(base)}.log.cleaned`), { decompress });
const cleanedRecords = (base: number) =>
  cleanedBatches(base).flatMap((b) =>
    b.records.map((r) => ({ offset: r.offset, key: r.key?.toString(), value: r.value === null ? null : r.value.toString(), timestamp: r.timestamp })),
  );

describe('cleanLog', () => {
  it.each([
    ['none', Codec.none],
    ['gzip', Codec.gzip],
    ['snappy', Codec.snappy],
    ['lz4', Codec.lz4],
    ['zstd', Codec.zstd],
  ] as const)('keeps only the latest value of each key, at its offset, recompressed with the batch codec (%s)', async (_name, codec) => {
    const bases = writeSegments([
      [
        { codec, records: [rec('a', 'a0'), rec('b', 'b0', 1), rec('c', 'c0', 2)] },
        { codec, records: [rec('a', 'a1', 3), rec('d', 'd0', 4)] },
      ],
      [{ codec, records: [rec('b', 'b1', 5), rec('a', 'a2', 6)] }],
    ]);
    const result = await native.cleanLog(options(bases), native.newCleanerAbort());
    expect(result.endOffset).toBe(7);
    expect(result.groups).toEqual([{ baseOffset: 0, segments: [0, 5], size: expect.any(Number) }]);
    expect(result.messagesRead).toBe(7);
    expect(result.messagesRetained).toBe(4);
    expect(cleanedRecords(0)).toEqual([
      { offset: 2, key: 'c', value: 'c0', timestamp: NOW + 2 },
      { offset: 4, key: 'd', value: 'd0', timestamp: NOW + 4 },
      { offset: 5, key: 'b', value: 'b1', timestamp: NOW + 5 },
      { offset: 6, key: 'a', value: 'a2', timestamp: NOW + 6 },
    ]);
    const batches = cleanedBatches(0);
    expect(batches.map((b) => [b.baseOffset, b.baseOffset + b.lastOffsetDelta, b.compression, b.partitionLeaderEpoch])).toEqual([
      [0, 2, codec, 3],
      [3, 4, codec, 3],
      [5, 6, codec, 3], // untouched: every record is still the latest, copied as it was
    ]);
    // A rewritten batch's base timestamp is its first kept record's (Kafka's MemoryRecordsBuilder).
    expect(batches[0].baseTimestamp).toBe(NOW + 2);
    expect(batches[0].maxTimestamp).toBe(NOW + 2);
    // The cleaned segment's indexes exist and are trimmed like an inactive segment's.
    expect(existsSync(`${stem(0)}.index.cleaned`)).toBe(true);
    expect(readFileSync(`${stem(0)}.timeindex.cleaned`).length % 12).toBe(0);
  });

  it('maps only the dirty range: clean records of keys not rewritten since stay', async () => {
    const bases = writeSegments([
      [{ records: [rec('a', 'a0'), rec('b', 'b0')] }],
      [{ records: [rec('a', 'a1'), rec('c', 'c0')] }],
    ]);
    // Offsets below 2 were cleaned before: only [2, 4) is mapped, and both segments are rewritten.
    const result = await native.cleanLog(options(bases, { firstDirtyOffset: 2 }), native.newCleanerAbort());
    expect(result.endOffset).toBe(4);
    expect(result.mapEntries).toBe(2);
    expect(cleanedRecords(0).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['1:b=b0', '2:a=a1', '3:c=c0']);
  });

  it('stamps a delete horizon on a kept tombstone, then drops it once the horizon has passed', async () => {
    const bases = writeSegments([[{ records: [rec('a', 'a0'), rec('b', 'b0')] }], [{ records: [rec('a', null)] }]]);
    await native.cleanLog(options(bases), native.newCleanerAbort());
    const [first, tombstoneBatch] = cleanedBatches(0);
    expect(first.records.map((r) => r.key?.toString())).toEqual(['b']);
    expect(tombstoneBatch.records).toHaveLength(1);
    expect(tombstoneBatch.records[0].value).toBeNull();
    expect(tombstoneBatch.attributes & 0x40).toBe(0x40); // KIP-534 delete horizon bit
    expect(tombstoneBatch.baseTimestamp).toBe(NOW + DAY);
    expect(tombstoneBatch.records[0].timestamp).toBe(NOW); // record timestamps survive the new base

    // Clean the cleaned segment again: before the horizon the tombstone stays, after it goes.
    rmSync(`${stem(0)}.log`);
    rmSync(`${stem(0)}.index`);
    rmSync(`${stem(0)}.timeindex`);
    rmSync(`${stem(2)}.log`);
    rmSync(`${stem(2)}.index`);
    rmSync(`${stem(2)}.timeindex`);
    for (const ext of ['log', 'index', 'timeindex']) writeFileSync(`${stem(0)}.${ext}`, readFileSync(`${stem(0)}.${ext}.cleaned`));
    const again = { segments: [0], firstDirtyOffset: 0, firstUncleanableOffset: 3 };
    await native.cleanLog(options(bases, { ...again, nowMs: NOW + DAY - 1 }), native.newCleanerAbort());
    expect(cleanedRecords(0).map((r) => `${r.key}=${r.value}`)).toEqual(['b=b0', 'a=null']);
    await native.cleanLog(options(bases, { ...again, nowMs: NOW + DAY }), native.newCleanerAbort());
    const after = cleanedBatches(0);
    // The tombstone is gone; its batch was the round's last, so it stays as an empty batch (keeps the last offset).
    expect(after.map((b) => [b.baseOffset, b.lastOffsetDelta, b.records.length])).toEqual([
      [0, 1, 1],
      [2, 0, 0],
    ]);
  });

  it("keeps an active producer's last batch empty when all its records are superseded", async () => {
    const pid = { producerId: 7, producerEpoch: 2 };
    const bases = writeSegments([
      [
        { ...pid, baseSequence: 0, records: [rec('a', 'a0'), rec('b', 'b0')] },
        { ...pid, baseSequence: 2, records: [rec('a', 'a1')] },
        { producerId: 9, producerEpoch: 0, baseSequence: 0, records: [rec('b', 'b-old')] },
      ],
      [{ records: [rec('a', 'a2'), rec('b', 'b1')] }, { records: [rec('z', 'z')] }],
    ]);
    const result = await native.cleanLog(
      options(bases, { activeProducers: [{ producerId: 7, lastOffset: 2 }] }),
      native.newCleanerAbort(),
    );
    const batches = cleanedBatches(0);
    expect(result.messagesRetained).toBe(3);
    // Producer 7's first batch goes; its last (offset 2) stays empty with its producer fields and
    // offsets; producer 9 is not active, so its superseded batch goes entirely.
    const empty = batches.find((b) => b.producerId === 7)!;
    expect(batches.filter((b) => b.producerId === 7)).toHaveLength(1);
    expect(empty).toMatchObject({ baseOffset: 2, lastOffsetDelta: 0, producerEpoch: 2, baseSequence: 2, records: [], compression: 0 });
    expect(empty.baseTimestamp).toBe(-1);
    expect(empty.maxTimestamp).toBe(NOW);
    expect(batches.some((b) => b.producerId === 9)).toBe(false);
    expect(cleanedRecords(0).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['4:a=a2', '5:b=b1', '6:z=z']);
  });

  it('keeps a control batch (a transaction marker in a segment Kafka wrote) byte for byte and never maps its key', async () => {
    const markerKey = Buffer.from([0, 0, 0, 1]); // version 0, COMMIT
    const txn = { producerId: 11, producerEpoch: 0, attributes: 0x10 };
    const bases = writeSegments([
      [
        { records: [{ key: markerKey, value: Buffer.from('data with the marker key bytes') }] },
        { ...txn, baseSequence: 0, records: [rec('a', 'a0')] },
        { ...txn, attributes: 0x30, baseSequence: -1, records: [{ key: markerKey, value: Buffer.from([0, 0, 0, 0, 0, 5]) }] },
      ],
      [{ records: [rec('a', 'a1')] }],
    ]);
    const original = decodeRecordBatches(readFileSync(`${stem(0)}.log`), { decompress });
    await native.cleanLog(options(bases), native.newCleanerAbort());
    const batches = cleanedBatches(0);
    expect(batches.find((b) => b.isControl)).toEqual(original[2]);
    // The data record sharing the marker's key bytes is still its key's latest; the superseded transactional a0 goes.
    expect(cleanedRecords(0).map((r) => `${r.offset}:${r.key}`)).toEqual([`0:${markerKey.toString()}`, `2:${markerKey.toString()}`, '3:a']);
  });

  it('maps only as many keys as the dedupe buffer holds and reports how far it got', async () => {
    const records = Array.from({ length: 50 }, (_, i) => rec(`k${i}`, `v${i}`));
    const bases = writeSegments([[{ records: records.slice(0, 25) }], [{ records: records.slice(25) }], [{ records: [rec('k0', 'new')] }]]);
    // 24 bytes a slot: 40 slots, 36 keys at load factor 0.9.
    const result = await native.cleanLog(options(bases, { dedupeBufferSize: 40 * 24 }), native.newCleanerAbort());
    expect(result.mapEntries).toBe(36);
    expect(result.endOffset).toBe(36);
    // Segments 0 and 25 (below the end offset) are cleaned; nothing was lost (all keys distinct).
    expect(result.groups.map((g) => g.segments)).toEqual([[0, 25]]);
    expect(cleanedRecords(0)).toHaveLength(50);
  });

  it.each([1, 1.5])('a load factor of %s fills every slot of the map without hanging the clean', async (loadFactor) => {
    // Offsets 0-1 were cleaned before: their keys are looked up in a map that has no empty slot left.
    const bases = writeSegments([
      [{ records: [rec('old-0', 'v'), rec('old-1', 'v')] }],
      [{ records: Array.from({ length: 6 }, (_, i) => rec(`k${i}`, `v${i}`)) }],
    ]);
    // 4 slots: the map fills after 4 keys, so it covers offsets 2..5.
    const result = await native.cleanLog(options(bases, { firstDirtyOffset: 2, dedupeBufferSize: 4 * 24, loadFactor }), native.newCleanerAbort());
    expect([result.mapEntries, result.endOffset]).toEqual([4, 6]);
    expect(cleanedRecords(0).map((r) => r.key)).toEqual(['old-0', 'old-1', 'k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  }, 10_000);

  it('groups segments so a cleaned segment stays within segment.bytes', async () => {
    const big = 'x'.repeat(200);
    const bases = writeSegments([[{ records: [rec('a', big)] }], [{ records: [rec('b', big)] }], [{ records: [rec('c', big)] }]]);
    const one = readFileSync(`${stem(0)}.log`).length;
    const result = await native.cleanLog(options(bases, { maxSegmentBytes: 2 * one }), native.newCleanerAbort());
    expect(result.groups.map((g) => g.segments)).toEqual([[0, 1], [2]]);
    expect(existsSync(`${stem(2)}.log.cleaned`)).toBe(true);
  });

  it('refuses a corrupt batch and leaves no .cleaned file behind', async () => {
    const bases = writeSegments([[{ records: [rec('a', 'a0')] }, { records: [rec('a', 'a1')] }]]);
    const bytes = readFileSync(`${stem(0)}.log`);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(`${stem(0)}.log`, bytes);
    await expect(native.cleanLog(options(bases), native.newCleanerAbort())).rejects.toMatchObject({ errorName: 'CORRUPT_MESSAGE' });
    expect(existsSync(`${stem(0)}.log.cleaned`)).toBe(false);
  });

  it('stops when aborted and removes what it wrote', async () => {
    const bases = writeSegments([[{ records: [rec('a', 'a0')] }], [{ records: [rec('a', 'a1')] }]]);
    const abort = native.newCleanerAbort();
    abort.abort();
    await expect(native.cleanLog(options(bases), abort)).rejects.toThrow(/aborted/);
    expect(existsSync(`${stem(0)}.log.cleaned`)).toBe(false);
  });
});

describe('readNextOffsetOfFile', () => {
  it('frames whole batches of a file of any name and ignores a torn tail', () => {
    const bases = writeSegments([[{ records: [rec('a', 'a0'), rec('b', 'b0')] }, { records: [rec('c', 'c0')] }]]);
    const file = `${stem(bases[0])}.log`;
    expect(native.readNextOffsetOfFile(file)).toBe(3);
    writeFileSync(`${file}.swap`, readFileSync(file).subarray(0, readFileSync(file).length - 3));
    expect(native.readNextOffsetOfFile(`${file}.swap`)).toBe(2);
    writeFileSync(`${file}.empty`, Buffer.alloc(0));
    expect(native.readNextOffsetOfFile(`${file}.empty`)).toBe(-1);
  });
});
