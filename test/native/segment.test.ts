// LogSegment: Kafka's .log/.index/.timeindex files, reads, timestamp lookups, recovery, truncation.
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Codec, native, NativeError, type CodecId, type LogSegmentHandle, type SegmentConfig } from '../../src/native/index.js';
import { buildBatch, simpleRecords } from './batch-builder.js';
import { thrownErrorName } from '../support/error-name.js';

const config: SegmentConfig = { indexIntervalBytes: 300, maxIndexSize: 1024, preallocate: false };
const MAX = 1_048_588;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-segment-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Appended {
  bytes: Buffer;
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
}

/** Appends `count` batches of 5 records; batch i has timestamps 1000*i + 0..4. */
function appendBatches(seg: LogSegmentHandle, count: number, opts: { codec?: CodecId; firstTimestamp?: number } = {}): Appended[] {
  const out: Appended[] = [];
  for (let i = 0; i < count; i++) {
    const baseTimestamp = (opts.firstTimestamp ?? 0) + 1000 * (out.length + 1);
    const bytes = buildBatch({ records: simpleRecords(5, 40), codec: opts.codec, baseTimestamp });
    const baseOffset = seg.readNextOffset();
    const lastOffset = native.assignOffsets(bytes, baseOffset, 0, -1);
    const position = seg.append(bytes);
    out.push({ bytes, position, baseOffset, lastOffset, maxTimestamp: baseTimestamp + 4 });
  }
  return out;
}

/** Kafka's rule replayed in JS: the .index entries we expect for these batches. */
function expectedIndex(batches: Appended[], base: number, interval: number): { offsets: Buffer; times: Buffer } {
  const offsets: Buffer[] = [];
  const times: Buffer[] = [];
  let since = 0;
  let maxTs = -1;
  let maxTsOffset = -1;
  let lastTimeEntry = -1;
  for (const b of batches) {
    if (b.maxTimestamp > maxTs) [maxTs, maxTsOffset] = [b.maxTimestamp, b.lastOffset];
    if (since > interval) {
      const e = Buffer.alloc(8);
      e.writeInt32BE(b.lastOffset - base, 0);
      e.writeInt32BE(b.position, 4);
      offsets.push(e);
      if (maxTs > lastTimeEntry) {
        const t = Buffer.alloc(12);
        t.writeBigInt64BE(BigInt(maxTs), 0);
        t.writeInt32BE(maxTsOffset - base, 8);
        times.push(t);
        lastTimeEntry = maxTs;
      }
      since = 0;
    }
    since += b.bytes.length;
  }
  return { offsets: Buffer.concat(offsets), times: Buffer.concat(times) };
}

function files(base: number): { log: string; index: string; timeindex: string } {
  const stem = join(dir, String(base).padStart(20, '0'));
  return { log: `${stem}.log`, index: `${stem}.index`, timeindex: `${stem}.timeindex` };
}

function errorNameOf(fn: () => unknown): string {
  return thrownErrorName(fn, NativeError);
}

describe('LogSegment files', () => {
  it('creates 20-digit named files, preallocates the indexes and writes Kafka index entries', () => {
    const sparse = { ...config, indexIntervalBytes: 700 }; // an entry every third batch
    const seg = native.openSegment(dir, 1234, sparse);
    expect(seg.baseOffset).toBe(1234);
    const f = files(1234);
    expect(statSync(f.log).size).toBe(0);
    expect(statSync(f.index).size).toBe(1024);
    expect(statSync(f.timeindex).size).toBe(1020);
    const batches = appendBatches(seg, 12);
    expect(batches[0].baseOffset).toBe(1234);
    expect(seg.readNextOffset()).toBe(1234 + 60);
    const log = readFileSync(f.log);
    expect(log.equals(Buffer.concat(batches.map((b) => b.bytes)))).toBe(true);
    expect(seg.size()).toBe(log.length);

    const { offsets, times } = expectedIndex(batches, 1234, sparse.indexIntervalBytes);
    expect(offsets.length).toBe(8 * 3);
    // entries reach the file in runs (or at flush), not with a write per batch
    expect(readFileSync(f.index).every((b) => b === 0)).toBe(true);
    seg.flush();
    const index = readFileSync(f.index);
    expect(index.length).toBe(1024); // still preallocated while active
    expect(index.subarray(0, offsets.length).equals(offsets)).toBe(true);
    expect(index.subarray(offsets.length).every((b) => b === 0)).toBe(true);
    expect(readFileSync(f.timeindex).subarray(0, times.length).equals(times)).toBe(true);

    seg.onBecomeInactive();
    expect(readFileSync(f.index).equals(offsets)).toBe(true);
    // the final maybeAppend records the largest timestamp, as Kafka does on roll
    const timeindex = readFileSync(f.timeindex);
    expect(timeindex.length).toBe(times.length + 12);
    expect(timeindex.readBigInt64BE(times.length)).toBe(BigInt(batches[11].maxTimestamp));
    expect(timeindex.readInt32BE(times.length + 8)).toBe(batches[11].lastOffset - 1234);
    seg.close();
  });

  it('writes index entries in runs of 1 KiB without waiting for a flush', () => {
    const dense = { ...config, indexIntervalBytes: 0, maxIndexSize: 8 * 1024 }; // an entry per batch
    const seg = native.openSegment(dir, 0, dense);
    const batches = appendBatches(seg, 130);
    const { offsets } = expectedIndex(batches, 0, dense.indexIntervalBytes);
    const index = readFileSync(files(0).index);
    expect(index.subarray(0, 1024).equals(offsets.subarray(0, 1024))).toBe(true); // the first run
    expect(index.subarray(1024).every((b) => b === 0)).toBe(true); // the rest waits for the next run
    seg.close();
    expect(readFileSync(files(0).index).equals(offsets)).toBe(true);
  });

  it('reports the max timestamp so far and the first batch timestamp', () => {
    const seg = native.openSegment(dir, 0, config);
    expect(seg.maxTimestampSoFar()).toEqual({ timestamp: -1, offset: -1 });
    expect(seg.firstBatchTimestamp()).toBe(-1);
    const batches = appendBatches(seg, 3);
    expect(seg.maxTimestampSoFar()).toEqual({ timestamp: batches[2].maxTimestamp, offset: batches[2].lastOffset });
    expect(seg.firstBatchTimestamp()).toBe(batches[0].maxTimestamp);
    seg.close();
  });

  it('reopens after close with trimmed indexes and keeps appending where it left off', () => {
    let seg = native.openSegment(dir, 0, config);
    const first = appendBatches(seg, 8);
    seg.close();
    const f = files(0);
    const trimmed = statSync(f.index).size;
    expect(trimmed % 8).toBe(0);
    expect(trimmed).toBeLessThan(1024);

    seg = native.openSegment(dir, 0, config);
    expect(seg.needsRecovery()).toBe(false);
    expect(seg.readNextOffset()).toBe(40);
    expect(seg.maxTimestampSoFar()).toEqual({ timestamp: first[7].maxTimestamp, offset: 39 });
    expect(seg.firstBatchTimestamp()).toBe(first[0].maxTimestamp);
    const more = appendBatches(seg, 8);
    expect(more[0].baseOffset).toBe(40);
    expect(statSync(f.index).size).toBe(1024); // grown back to the preallocated size
    const slice = seg.read(more[3].baseOffset + 2, 10_000, seg.size(), true);
    expect(slice?.position).toBe(more[3].position);
    seg.close();
  });

  it('reads the index of a segment that was not closed (preallocated, zero tail)', () => {
    const seg = native.openSegment(dir, 0, config);
    const batches = appendBatches(seg, 10);
    seg.flush();
    const crashed = mkdtempSync(join(tmpdir(), 'sluice-crashed-'));
    try {
      const f = files(0);
      for (const p of [f.log, f.index, f.timeindex]) copyFileSync(p, join(crashed, p.slice(dir.length + 1)));
      const copy = native.openSegment(crashed, 0, config);
      expect(copy.readNextOffset()).toBe(50);
      expect(copy.maxTimestampSoFar().timestamp).toBe(batches[9].maxTimestamp);
      const more = appendBatches(copy, 6);
      copy.flush();
      const all = [...batches, ...more];
      const { offsets } = expectedIndex(all, 0, config.indexIntervalBytes);
      // index entries written after reopening follow Kafka's rule from a fresh byte counter,
      // so only check they are ordered, point at batch starts and map each batch's last offset
      const index = readFileSync(join(crashed, '00000000000000000000.index'));
      const starts = new Map(all.map((b) => [b.position, b.lastOffset]));
      let prev = -1;
      let n = 0;
      for (let i = 0; i + 8 <= index.length; i += 8) {
        const rel = index.readInt32BE(i);
        const pos = index.readInt32BE(i + 4);
        if (rel === 0 && pos === 0) break;
        expect(rel).toBeGreaterThan(prev);
        expect(starts.get(pos)).toBe(rel);
        prev = rel;
        n++;
      }
      expect(n).toBeGreaterThanOrEqual(offsets.length / 8 - 2);
      copy.close();
    } finally {
      rmSync(crashed, { recursive: true, force: true });
    }
    seg.close();
  });

  it('fails with KAFKA_STORAGE_ERROR after close and for a missing directory', () => {
    const seg = native.openSegment(dir, 0, config);
    seg.close();
    expect(errorNameOf(() => seg.readNextOffset())).toBe('KAFKA_STORAGE_ERROR');
    expect(errorNameOf(() => seg.append(buildBatch({ records: simpleRecords(1) })))).toBe('KAFKA_STORAGE_ERROR');
    expect(errorNameOf(() => native.openSegment(join(dir, 'missing'), 0, config))).toBe('KAFKA_STORAGE_ERROR');
  });

  it('refuses to append bytes that are not whole batches, writing nothing', () => {
    const seg = native.openSegment(dir, 0, config);
    appendBatches(seg, 1);
    const size = seg.size();
    expect(errorNameOf(() => seg.append(buildBatch({ records: simpleRecords(2) }).subarray(0, 50)))).toBe('CORRUPT_MESSAGE');
    expect(seg.size()).toBe(size);
    expect(statSync(files(0).log).size).toBe(size);
    seg.close();
  });
});

describe('LogSegment.appendAsLeader', () => {
  const roll = { segmentBytes: 1 << 30, rollMs: 1e12, createdMs: 0, nowMs: 0 };

  it('assigns offsets and epoch in place and appends in one call, returning the last offset', () => {
    const seg = native.openSegment(dir, 100, config);
    const bytes = buildBatch({ records: simpleRecords(5, 40), baseTimestamp: 1000 });
    expect(seg.appendAsLeader(bytes, 100, 7, -1, roll)).toBe(104);
    expect(bytes.readBigInt64BE(0)).toBe(100n);
    expect(bytes.readInt32BE(12)).toBe(7); // partitionLeaderEpoch
    expect(seg.readNextOffset()).toBe(105);
    expect(readFileSync(files(100).log).equals(bytes)).toBe(true);
    seg.close();
  });

  it('answers -1 and writes nothing when Kafka would roll: size, time, offset range or full index', () => {
    const seg = native.openSegment(dir, 0, { ...config, indexIntervalBytes: 0, maxIndexSize: 16 });
    const batch = () => buildBatch({ records: simpleRecords(5, 40), baseTimestamp: 1000 });
    const first = batch();
    // an empty segment never rolls, whatever the limits
    expect(seg.appendAsLeader(first, 0, 0, -1, { ...roll, segmentBytes: 1, rollMs: -1 })).toBe(4);
    const size = seg.size();
    const refused = (b: Buffer, base: number, r: typeof roll): void => {
      const [before, sizeBefore] = [Buffer.from(b), seg.size()];
      expect(seg.appendAsLeader(b, base, 0, -1, r)).toBe(-1);
      expect(b.equals(before)).toBe(true); // offsets not patched either
      expect(seg.size()).toBe(sizeBefore);
    };
    refused(batch(), 5, { ...roll, segmentBytes: size + first.length - 1 }); // would pass segment.bytes
    refused(buildBatch({ records: simpleRecords(5, 40), baseTimestamp: 1000 + 60_000 }), 5, { ...roll, rollMs: 59_999 }); // segment.ms since the first batch
    refused(batch(), 2 ** 31, roll); // offsets no longer fit the index's relative i32
    expect(seg.appendAsLeader(batch(), 5, 0, -1, { ...roll, segmentBytes: size + first.length })).toBe(9); // exactly fits
    refused(batch(), 10, roll); // the .timeindex (16 bytes: one entry) is full
    seg.close();
  });
});

describe('LogSegment.read', () => {
  it('returns whole batches from the one containing the start offset', () => {
    const seg = native.openSegment(dir, 0, config);
    const batches = appendBatches(seg, 10);
    const size = batches[0].bytes.length;
    const slice = seg.read(17, 3 * size, seg.size(), false); // offset 17 lives in batch 3 (15..19)
    expect(slice).toEqual({ position: batches[3].position, size: 3 * size, firstBatchBaseOffset: 15 });
    const bytes = seg.readBytes(slice!.position, slice!.size);
    expect(bytes.equals(Buffer.concat(batches.slice(3, 6).map((b) => b.bytes)))).toBe(true);
    expect(seg.read(17, 3 * size - 1, seg.size(), false)?.size).toBe(2 * size); // never a partial batch
    seg.close();
  });

  it('returns at least one batch with minOneMessage, none without, and honours maxPosition', () => {
    const seg = native.openSegment(dir, 0, config);
    const batches = appendBatches(seg, 4);
    const size = batches[0].bytes.length;
    expect(seg.read(0, 1, seg.size(), true)?.size).toBe(size);
    expect(seg.read(0, 1, seg.size(), false)).toEqual({ position: 0, size: 0, firstBatchBaseOffset: 0 });
    expect(seg.read(5, 100_000, batches[3].position, false)).toEqual({ position: batches[1].position, size: 2 * size, firstBatchBaseOffset: 5 });
    expect(seg.read(20, 100_000, seg.size(), true)).toBeNull(); // past the end
    expect(seg.readBytes(seg.size() - 10, 100).length).toBe(10); // clamped to the file
    expect(seg.readBytes(seg.size() + 5, 100).length).toBe(0);
    const target = Buffer.alloc(size + 8, 0xee);
    expect(seg.readInto(batches[2].position, target.subarray(4))).toBe(size + 4);
    expect(target.subarray(4, 4 + size).equals(batches[2].bytes)).toBe(true);
    expect(target.readUInt32BE(0)).toBe(0xeeeeeeee);
    seg.close();
  });
});

describe('LogSegment index lookups (property)', () => {
  it('locates the batch holding any offset for any batch sizes and index interval, before and after recovery', () => {
    const spec = fc.record({ records: fc.integer({ min: 1, max: 6 }), valueSize: fc.integer({ min: 0, max: 500 }) });
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1500 }), (specs, interval) => {
        const sub = mkdtempSync(join(dir, 'p-'));
        const cfg = { indexIntervalBytes: interval, maxIndexSize: 4096, preallocate: false };
        let seg = native.openSegment(sub, 100, cfg);
        const appended = specs.map((s) => {
          const bytes = buildBatch({ records: simpleRecords(s.records, s.valueSize) });
          const base = seg.readNextOffset();
          const last = native.assignOffsets(bytes, base, 0, -1);
          return { position: seg.append(bytes), base, last, size: bytes.length };
        });
        const check = (): void => {
          for (const a of appended) {
            for (const o of [a.base, a.last]) {
              expect(seg.read(o, 1, seg.size(), true)).toEqual({ position: a.position, size: a.size, firstBatchBaseOffset: a.base });
            }
          }
        };
        check();
        seg.close();
        const index = readFileSync(join(sub, '00000000000000000100.index'));
        seg = native.openSegment(sub, 100, cfg);
        check();
        expect(seg.recover(MAX).batches).toBe(specs.length);
        expect(readFileSync(join(sub, '00000000000000000100.index')).equals(index)).toBe(true);
        check();
        seg.close();
      }),
      { numRuns: 40 },
    );
  });
});

describe('LogSegment.findOffsetByTimestamp', () => {
  it.each([Codec.none, Codec.gzip, Codec.lz4] as CodecId[])('finds the first record at or after a timestamp (codec %i)', (codec) => {
    const seg = native.openSegment(dir, 0, config);
    appendBatches(seg, 10, { codec }); // batch i: offsets 5i..5i+4, timestamps 1000(i+1) + 0..4
    expect(seg.findOffsetByTimestamp(6002, 0)).toEqual({ timestamp: 6002, offset: 27 });
    expect(seg.findOffsetByTimestamp(5500, 0)).toEqual({ timestamp: 6000, offset: 25 });
    expect(seg.findOffsetByTimestamp(0, 0)).toEqual({ timestamp: 1000, offset: 0 });
    expect(seg.findOffsetByTimestamp(2000, 12)).toEqual({ timestamp: 3002, offset: 12 });
    expect(seg.findOffsetByTimestamp(10_005, 0)).toBeNull();
    seg.close();
  });

  it('uses the batch maxTimestamp for LogAppendTime batches', () => {
    const seg = native.openSegment(dir, 0, config);
    for (let i = 0; i < 3; i++) {
      const bytes = buildBatch({ records: simpleRecords(5), baseTimestamp: 1 });
      native.assignOffsets(bytes, seg.readNextOffset(), 0, 50_000 + i * 100);
      seg.append(bytes);
    }
    expect(seg.findOffsetByTimestamp(50_150, 0)).toEqual({ timestamp: 50_200, offset: 10 });
    seg.close();
  });
});

describe('LogSegment.recover', () => {
  function writeClosedSegment(count: number, codec?: CodecId): Appended[] {
    const seg = native.openSegment(dir, 0, config);
    const batches = appendBatches(seg, count, { codec });
    seg.close();
    return batches;
  }

  it('keeps a clean log whole and rebuilds the same indexes', () => {
    const batches = writeClosedSegment(12, Codec.snappy);
    const f = files(0);
    const index = readFileSync(f.index);
    const timeindex = readFileSync(f.timeindex);
    writeFileSync(f.index, Buffer.alloc(64, 0x55)); // garbage index: recovery must not trust it
    const seg = native.openSegment(dir, 0, config);
    const total = batches.reduce((n, b) => n + b.bytes.length, 0);
    expect(seg.recover(MAX)).toEqual({ validBytes: total, truncatedBytes: 0, nextOffset: 60, batches: 12 });
    expect(readFileSync(f.index).equals(index)).toBe(true);
    expect(readFileSync(f.timeindex).equals(timeindex)).toBe(true);
    seg.close();
  });

  it('truncates garbage appended after the last batch', () => {
    const batches = writeClosedSegment(5);
    const f = files(0);
    const valid = statSync(f.log).size;
    appendFileSync(f.log, Buffer.from('torn write garbage that is not a batch'));
    const seg = native.openSegment(dir, 0, config);
    const result = seg.recover(MAX);
    expect(result).toEqual({ validBytes: valid, truncatedBytes: 38, nextOffset: 25, batches: 5 });
    expect(statSync(f.log).size).toBe(valid);
    expect(seg.readNextOffset()).toBe(25);
    expect(appendBatches(seg, 1)[0].position).toBe(valid);
    expect(seg.readBytes(0, batches[0].bytes.length).equals(batches[0].bytes)).toBe(true);
    seg.close();
  });

  it('drops a torn last batch and everything from a batch with a bad CRC onward', () => {
    const batches = writeClosedSegment(6);
    const f = files(0);
    truncateSync(f.log, statSync(f.log).size - 7);
    let seg = native.openSegment(dir, 0, config);
    expect(seg.recover(MAX)).toMatchObject({ validBytes: batches[5].position, nextOffset: 25, batches: 5 });
    seg.close();

    const log = readFileSync(f.log);
    log[batches[2].position + 70] ^= 0xff;
    writeFileSync(f.log, log);
    seg = native.openSegment(dir, 0, config);
    expect(seg.recover(MAX)).toMatchObject({ validBytes: batches[2].position, nextOffset: 10, batches: 2 });
    expect(seg.read(10, 1000, seg.size(), true)).toBeNull();
    seg.close();
  });

  it('flags a non-empty segment whose index files are missing', () => {
    writeClosedSegment(3);
    rmSync(files(0).index);
    const seg = native.openSegment(dir, 0, config);
    expect(seg.needsRecovery()).toBe(true);
    expect(seg.recover(MAX).batches).toBe(3);
    expect(seg.needsRecovery()).toBe(false);
    seg.close();
  });
});

describe('LogSegment.truncateTo', () => {
  it('cuts at the batch holding the offset and drops index entries at or after it', () => {
    const seg = native.openSegment(dir, 0, config);
    const batches = appendBatches(seg, 12);
    const sizeBefore = seg.size();
    const removed = seg.truncateTo(32); // batch 6 holds 30..34
    expect(removed).toBe(sizeBefore - batches[6].position);
    expect(seg.size()).toBe(batches[6].position);
    expect(statSync(files(0).log).size).toBe(batches[6].position);
    expect(seg.readNextOffset()).toBe(30);
    const index = readFileSync(files(0).index);
    for (let i = 0; i + 8 <= index.length; i += 8) {
      const rel = index.readInt32BE(i);
      if (rel === 0 && index.readInt32BE(i + 4) === 0) break;
      expect(rel).toBeLessThan(30);
    }
    expect(seg.truncateTo(1000)).toBe(0);
    const next = appendBatches(seg, 1);
    expect(next[0].baseOffset).toBe(30);
    expect(seg.read(30, 10_000, seg.size(), true)?.position).toBe(batches[6].position);
    const size = seg.size();
    expect(seg.truncateTo(0)).toBe(size);
    expect(seg.size()).toBe(0);
    expect(seg.readNextOffset()).toBe(0);
    expect(seg.firstBatchTimestamp()).toBe(-1);
    seg.close();
  });
});

describe('native.fsyncFilesAsync', () => {
  it('fsyncs the files off the JS thread and skips ones already deleted', async () => {
    const seg = native.openSegment(dir, 0, config);
    seg.append(buildBatch({ records: simpleRecords(2) }));
    const f = files(0);
    await expect(native.fsyncFilesAsync([f.log, f.index, f.timeindex, join(dir, 'gone.log')])).resolves.toBeUndefined();
    seg.close();
  });

  it('rejects with KAFKA_STORAGE_ERROR when a file cannot be opened', async () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    await expect(native.fsyncFilesAsync([join(dir, 'not-a-dir', 'x.log')])).rejects.toMatchObject({ errorName: 'KAFKA_STORAGE_ERROR' });
  });
});
