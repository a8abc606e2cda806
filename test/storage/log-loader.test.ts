import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { encodeRecordBatch } from '../../src/protocol/records.js';
import type { LogConfig } from '../../src/storage/log-config.js';
import { PartitionLog, type PartitionLogOptions } from '../../src/storage/partition-log.js';
import { batchesOf, closeQuietly, config, decode, makeBatch, removeDir, tempDir, values } from './support/batches.js';

let root: string;
let dir: string;
const open: PartitionLog[] = [];

function openLog(overrides: Partial<LogConfig> = {}, opts: Partial<PartitionLogOptions> = {}): PartitionLog {
  const log = PartitionLog.open({ dir, topic: 't', partition: 0, config: config(overrides), ...opts });
  open.push(log);
  return log;
}

function segmentFile(base: number, suffix = '.log'): string {
  return path.join(dir, `${String(base).padStart(20, '0')}${suffix}`);
}

function allValues(log: PartitionLog): string[] {
  return decode(log.read(log.logStartOffset, 1 << 24, true, 'uncommitted').records).map((r) => r.value);
}

/** Reads every segment in turn (read() returns one segment's batches at a time). */
function everything(log: PartitionLog): { offset: number; value: string }[] {
  const out: { offset: number; value: string }[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const got = decode(log.read(offset, 1 << 24, true, 'uncommitted').records).filter((r) => r.offset >= offset);
    if (got.length === 0) break;
    out.push(...got);
    offset = got[got.length - 1].offset + 1;
  }
  return out;
}

/** Fills a log with `n` two-record batches and "crashes" it: files stay as written, nothing closed. */
function writeAndCrash(n: number, overrides: Partial<LogConfig> = {}): { sizes: number[] } {
  const log = openLog(overrides);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = makeBatch({ values: values(`b${i}`, 2, 30) });
    sizes.push(b.length);
    log.appendAsLeader(b, 0);
  }
  open.splice(open.indexOf(log), 1); // never closed: like kill -9 (the page cache keeps the bytes)
  return { sizes };
}

beforeEach(() => {
  root = tempDir();
  dir = path.join(root, 't-0');
});
afterEach(() => {
  closeQuietly(open);
  removeDir(root);
});

describe('recovery after an unclean shutdown', () => {
  test('a .log cut mid-batch loses only the torn batch', () => {
    const { sizes } = writeAndCrash(5);
    const full = sizes.reduce((a, b) => a + b, 0);
    fs.truncateSync(segmentFile(0), full - 7);
    const log = openLog({}, { hadCleanShutdown: false });
    expect(log.logEndOffset).toBe(8);
    expect(log.loadSummary.truncatedBytes).toBe(sizes[4] - 7);
    expect(fs.statSync(segmentFile(0)).size).toBe(full - sizes[4]);
    expect(allValues(log)).toEqual(values('b0', 2, 30).concat(values('b1', 2, 30), values('b2', 2, 30), values('b3', 2, 30)));
    expect(log.appendAsLeader(makeBatch({ values: ['after'] }), 0).baseOffset).toBe(8);
    expect(allValues(log).at(-1)).toBe('after');
  });

  test('garbage appended after the last batch is truncated', () => {
    const { sizes } = writeAndCrash(3);
    fs.appendFileSync(segmentFile(0), Buffer.from('\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x01\x00garbage garbage garbage'));
    const log = openLog({}, { hadCleanShutdown: false });
    expect(log.logEndOffset).toBe(6);
    expect(fs.statSync(segmentFile(0)).size).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(allValues(log)).toHaveLength(6);
  });

  test('a corrupt batch in an older segment ends the log there and deletes later segments', () => {
    writeAndCrash(12, { segmentBytes: 400 });
    const bases = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
    expect(bases.length).toBeGreaterThanOrEqual(3);
    const victim = segmentFile(bases[1]);
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 3] ^= 0x55; // flips a byte inside the segment's last batch: its CRC fails
    fs.writeFileSync(victim, bytes);
    const log = openLog({ segmentBytes: 400 }, { hadCleanShutdown: false });
    expect(log.segmentBaseOffsets()).toEqual([bases[0], bases[1]]);
    expect(log.loadSummary.deletedSegments).toBe(bases.length - 2);
    expect(log.logEndOffset).toBeLessThan(bases[2]);
    expect(log.logEndOffset).toBeGreaterThan(bases[1]);
    const got = everything(log);
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: log.logEndOffset }, (_, i) => i));
    for (const b of bases.slice(2)) expect(fs.existsSync(segmentFile(b))).toBe(false);
  });

  test('segments below the recovery point are trusted; those from it on are scanned', () => {
    writeAndCrash(12, { segmentBytes: 400 });
    const bases = fs.readdirSync(dir).filter((n) => n.endsWith('.log')).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
    const log = openLog({ segmentBytes: 400 }, { hadCleanShutdown: false, recoveryPoint: bases[bases.length - 1] });
    expect(log.loadSummary.recoveredSegments).toBe(1);
    expect(log.logEndOffset).toBe(24);
    expect(log.recoveryPoint).toBe(bases[bases.length - 1]);
  });

  test('after a clean shutdown nothing is scanned, and the recovery point is the log end', () => {
    const log = openLog({ segmentBytes: 400 });
    for (let i = 0; i < 12; i++) log.appendAsLeader(makeBatch({ values: values(`c${i}`, 2, 30) }), 0);
    log.close();
    const reopened = openLog({ segmentBytes: 400 }, { hadCleanShutdown: true, recoveryPoint: 24 });
    expect(reopened.loadSummary.recoveredSegments).toBe(0);
    expect(reopened.recoveryPoint).toBe(24);
    expect(everything(reopened)).toHaveLength(24);
    // the reopened active segment keeps taking appends and index entries
    for (let i = 0; i < 4; i++) reopened.appendAsLeader(makeBatch({ values: values(`d${i}`, 2, 30) }), 0);
    expect(everything(reopened).map((r) => r.offset)).toEqual(Array.from({ length: 32 }, (_, i) => i));
  });

  test('missing index files are rebuilt even after a clean shutdown', () => {
    const log = openLog({ indexIntervalBytes: 100 });
    const ts = [10, 20, 30, 40, 50, 60, 70, 80];
    for (const t of ts) log.appendAsLeader(makeBatch({ values: values(`i${t}`, 2, 40), timestamp: t * 1000 }), 0);
    log.close();
    fs.rmSync(segmentFile(0, '.index'));
    fs.rmSync(segmentFile(0, '.timeindex'));
    const reopened = openLog({ indexIntervalBytes: 100 }, { hadCleanShutdown: true });
    expect(reopened.loadSummary.recoveredSegments).toBe(1);
    expect(fs.statSync(segmentFile(0, '.index')).size).toBeGreaterThan(0);
    expect(batchesOf(reopened.read(11, 1, true, 'uncommitted').records)[0].baseOffset).toBe(10);
    expect(reopened.fetchOffsetByTimestamp(55_000)).toMatchObject({ offset: 10, timestamp: 60_000 });
  });

  test('transient .deleted, .cleaned, .swap and .tmp files and orphan indexes are removed at open', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['x'] }), 0);
    log.close();
    const junk = [
      '00000000000000000007.log.deleted',
      '00000000000000000007.index.deleted',
      '00000000000000000009.log.cleaned',
      '00000000000000000011.log.swap',
      'leader-epoch-checkpoint.tmp',
      '00000000000000000042.index',
      '00000000000000000042.timeindex',
    ];
    for (const name of junk) {
      fs.writeFileSync(path.join(dir, name), 'junk');
    }
    const reopened = openLog({}, { hadCleanShutdown: true });
    expect(fs.readdirSync(dir).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      '00000000000000000001.snapshot',
      'leader-epoch-checkpoint',
    ]);
    expect(allValues(reopened)).toEqual(['x']);
  });

  test('producer state = the last snapshot plus a replay of the batches after it', () => {
    const pid = 77;
    const log = openLog({ segmentBytes: 400 });
    for (let i = 0; i < 10; i++) {
      log.appendAsLeader(makeBatch({ values: values(`p${i}`, 2, 30), producerId: pid, producerEpoch: 0, baseSequence: i * 2 }), 0);
    }
    open.splice(open.indexOf(log), 1); // crash: the snapshots written at rolls remain, nothing after them
    const snapshots = fs.readdirSync(dir).filter((n) => n.endsWith('.snapshot'));
    expect(snapshots.length).toBeGreaterThan(0);
    const lastSnapshot = Math.max(...snapshots.map((n) => Number(n.slice(0, 20))));
    expect(lastSnapshot).toBeLessThan(20);
    const reopened = openLog({ segmentBytes: 400 }, { hadCleanShutdown: false });
    const retry = reopened.appendAsLeader(makeBatch({ values: values('p9', 2, 30), producerId: pid, producerEpoch: 0, baseSequence: 18 }), 0);
    expect(retry).toMatchObject({ baseOffset: 18, duplicate: true });
    expect(fs.existsSync(path.join(dir, '00000000000000000020.snapshot'))).toBe(true);
  });

  test('a stored batch the produce validator would refuse (compacted by Kafka) replays into producer state', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['a'], producerId: 5, producerEpoch: 0, baseSequence: 0 }), 0);
    log.close();
    open.splice(open.indexOf(log), 1);
    // offsets 1 and 3 of a batch whose offset 2 was compacted away: valid on disk, never produced like this
    const compacted = encodeRecordBatch(
      {
        baseOffset: 1,
        producerId: 5,
        producerEpoch: 0,
        baseSequence: 1,
        records: [
          { key: Buffer.from('k1'), value: Buffer.from('b'), timestamp: 1, offsetDelta: 0 },
          { key: Buffer.from('k3'), value: Buffer.from('d'), timestamp: 1, offsetDelta: 2 },
        ],
      },
      { crc32c: (b) => native.crc32c(b) },
    );
    fs.appendFileSync(segmentFile(0), compacted);
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(dir, f));
    const reopened = openLog({}, { hadCleanShutdown: false });
    expect(reopened.logEndOffset).toBe(4);
    expect(reopened.loadSummary.producerStateProblem).toBeUndefined();
    expect(everything(reopened).map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [3, 'd'],
    ]);
    // The compacted batch's sequences 1..3 were replayed: a retry of it is a duplicate, 4 continues.
    const retry = makeBatch({ values: ['b', 'c', 'd'], producerId: 5, producerEpoch: 0, baseSequence: 1 });
    expect(reopened.appendAsLeader(retry, 0)).toMatchObject({ baseOffset: 1, lastOffset: 3, duplicate: true });
    const next = makeBatch({ values: ['e'], producerId: 5, producerEpoch: 0, baseSequence: 4 });
    expect(reopened.appendAsLeader(next, 0)).toMatchObject({ baseOffset: 4, duplicate: false });
  });

  test('a log start checkpoint beyond the recovered end restarts the log empty at that offset', () => {
    writeAndCrash(2);
    const log = openLog({}, { hadCleanShutdown: false, logStartOffset: 50 });
    expect([log.logStartOffset, log.logEndOffset]).toEqual([50, 50]);
    expect(log.segmentBaseOffsets()).toEqual([50]);
    expect(log.appendAsLeader(makeBatch({ values: ['z'] }), 0).baseOffset).toBe(50);
  });
});
