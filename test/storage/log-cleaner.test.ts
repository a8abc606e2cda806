// The log cleaner end to end on real logs: choice of log, compaction keeping exactly the latest
// value per key, tombstone expiry, producer state, the checkpoint, and LogManager wiring.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { CLEANER_CHECKPOINT_FILE, defaultLogCleanerConfig, LogCleaner, logToClean } from '../../src/storage/log-cleaner.js';
import type { LogConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { closeQuietly, config, removeDir, tempDir } from './support/batches.js';
import { keyedBatch, latestByKey, readAllKeyed, type Entry } from './support/compacted.js';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;

let root: string;
const open: PartitionLog[] = [];

beforeEach(() => {
  root = tempDir('sluice-cleaner-');
});
afterEach(() => {
  closeQuietly(open);
  removeDir(root);
});

function openLog(topic: string, overrides: Partial<LogConfig> = {}, clock: () => number = () => NOW): PartitionLog {
  const log = PartitionLog.open({
    dir: path.join(root, `${topic}-0`),
    topic,
    partition: 0,
    config: config({ segmentBytes: 2048, cleanupPolicy: ['compact'], ...overrides }),
    clock,
  });
  open.push(log);
  return log;
}

function cleanerFor(logs: PartitionLog[], clock: () => number = () => NOW): LogCleaner {
  const cleaner = new LogCleaner({ logDirs: [root], logs: () => logs, config: defaultLogCleanerConfig, clock });
  cleaner.loadCheckpoints();
  return cleaner;
}

/** Appends `rounds` updates of each of `keys` keys, one batch of 5 records at a time. */
function writeUpdates(log: PartitionLog, keys: number, rounds: number, compression = 0): Entry[] {
  const written: Entry[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < keys; k += 5) {
      const entries: Entry[] = [];
      for (let j = k; j < Math.min(keys, k + 5); j++) entries.push([`key-${j}`, `value-${j}-${r}`]);
      log.appendAsLeader(keyedBatch(entries, { compression, timestamp: NOW - DAY + r }), 0);
      written.push(...entries);
    }
  }
  return written;
}

describe('compaction', () => {
  test.each([
    ['uncompressed', 0],
    ['lz4', 3],
    ['zstd', 4],
  ])('a log with many updates per key shrinks and keeps exactly the latest value of each key (%s)', async (_name, codec) => {
    const log = openLog('compacted', {}, () => NOW);
    const written = writeUpdates(log, 20, 15, codec);
    log.roll();
    const active = log.segmentBaseOffsets().at(-1)!;
    const sizeBefore = log.size;
    const endBefore = log.logEndOffset;

    const summary = await cleanerFor([log]).cleanFilthiestLog();
    expect(summary).not.toBeNull();
    expect(summary!.swapped).toBe(summary!.groups.length);
    expect(summary!.endOffset).toBe(active);

    const records = readAllKeyed(log);
    expect(new Map(records.map((r) => [r.key, r.value]))).toEqual(latestByKey(written));
    expect(records).toHaveLength(20); // exactly one record per key
    expect(records.every((r) => r.header === r.key)).toBe(true); // headers survive the rewrite
    for (let i = 1; i < records.length; i++) expect(records[i].offset).toBeGreaterThan(records[i - 1].offset);
    // Offsets are kept: the latest update of key-j was written at its original offset.
    const lastIndex = new Map(written.map(([k], i) => [k, i]));
    for (const r of records) expect(r.offset).toBe(lastIndex.get(r.key));
    expect(log.size).toBeLessThan(sizeBefore / 5);
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark]).toEqual([0, endBefore, endBefore]);
    expect(log.segmentBaseOffsets().at(-1)).toBe(active);
    expect(fs.readdirSync(log.dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
  });

  test('the active segment is never cleaned, and a clean log is not cleaned again', async () => {
    const log = openLog('compacted', { segmentBytes: 1 << 20 });
    writeUpdates(log, 5, 10);
    const activeFile = path.join(log.dir, '00000000000000000000.log');
    const before = fs.readFileSync(activeFile);
    const cleaner = cleanerFor([log]);
    expect(await cleaner.cleanFilthiestLog()).toBeNull(); // everything is in the active segment
    expect(fs.readFileSync(activeFile)).toEqual(before);

    log.roll();
    expect(await cleaner.cleanFilthiestLog()).not.toBeNull();
    expect(cleaner.checkpointedOffset(log)).toBe(50);
    expect(await cleaner.cleanFilthiestLog()).toBeNull(); // nothing dirty left
  });

  test('cleanup.policy=delete logs are never touched', async () => {
    const log = openLog('plain', { cleanupPolicy: ['delete'] });
    writeUpdates(log, 10, 10);
    log.roll();
    const digest = () =>
      fs.readdirSync(log.dir).map((f) => [f, createHash('sha256').update(fs.readFileSync(path.join(log.dir, f))).digest('hex')]);
    const files = digest();
    expect(await cleanerFor([log]).cleanFilthiestLog()).toBeNull();
    expect(digest()).toEqual(files);
  });

  test('compact,delete logs are compacted too, and retention still applies', async () => {
    const log = openLog('both', { cleanupPolicy: ['compact', 'delete'] });
    const written = writeUpdates(log, 10, 10);
    log.roll();
    expect(await cleanerFor([log]).cleanFilthiestLog()).not.toBeNull();
    expect(new Map(readAllKeyed(log).map((r) => [r.key, r.value]))).toEqual(latestByKey(written));
    // Segments emptied by cleaning carry their files' real modification time: retention judges by it.
    expect(log.deleteOldSegments(Date.now() + 30 * DAY)).toBeGreaterThan(0);
  });

  test('the dirtiest log is cleaned first; a log not above min.cleanable.dirty.ratio waits', async () => {
    const cleanedBefore = openLog('cleaned-before', { minCleanableDirtyRatio: 0.5 });
    const fresh = openLog('fresh');
    const cleaner = cleanerFor([cleanedBefore, fresh]);
    writeUpdates(cleanedBefore, 10, 10);
    cleanedBefore.roll();
    expect((await cleaner.cleanFilthiestLog())?.topic).toBe('cleaned-before');
    writeUpdates(cleanedBefore, 10, 1); // a little dirt on top of a clean head
    cleanedBefore.roll();
    writeUpdates(fresh, 10, 10); // all dirty: ratio 1
    fresh.roll();
    const ratio = logToClean(cleanedBefore, cleaner.checkpointedOffset(cleanedBefore), NOW).cleanableRatio;
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    expect((await cleaner.cleanFilthiestLog())?.topic).toBe('fresh');
    cleanedBefore.updateConfig({ ...cleanedBefore.config, minCleanableDirtyRatio: ratio });
    expect(await cleaner.cleanFilthiestLog()).toBeNull(); // Kafka cleans only above the ratio
    cleanedBefore.updateConfig({ ...cleanedBefore.config, minCleanableDirtyRatio: ratio - 0.01 });
    expect((await cleaner.cleanFilthiestLog())?.topic).toBe('cleaned-before');
  });

  test('min.compaction.lag.ms keeps recent segments dirty; max.compaction.lag.ms forces old ones', async () => {
    let now = NOW;
    const log = openLog('lag', { minCompactionLagMs: DAY, minCleanableDirtyRatio: 1 }, () => now);
    writeUpdates(log, 5, 10); // timestamps NOW - DAY + r: within the lag at NOW
    log.roll();
    const cleaner = cleanerFor([log], () => now);
    expect(logToClean(log, undefined, now).cleanableBytes).toBe(0);
    expect(await cleaner.cleanFilthiestLog()).toBeNull();
    now = NOW + DAY;
    // Past the lag but the ratio (at most 1) never exceeds min.cleanable.dirty.ratio=1 ...
    expect(await cleaner.cleanFilthiestLog()).toBeNull();
    // ... until max.compaction.lag.ms says the dirty records waited too long.
    log.updateConfig({ ...log.config, maxCompactionLagMs: DAY });
    expect(await cleaner.cleanFilthiestLog()).not.toBeNull();
  });

  test('a tombstone is kept for delete.retention.ms after it was first cleaned, then removed', async () => {
    let now = NOW;
    const log = openLog('tombstones', { minCleanableDirtyRatio: 0.01 }, () => now);
    const cleaner = cleanerFor([log], () => now);
    log.appendAsLeader(keyedBatch([['a', 'a0'], ['b', 'b0'], ['c', 'c0']]), 0);
    log.appendAsLeader(keyedBatch([['a', null]]), 0);
    log.roll();
    await cleaner.cleanFilthiestLog();
    expect(readAllKeyed(log).map((r) => `${r.key}=${r.value}`)).toEqual(['b=b0', 'c=c0', 'a=null']);

    // More updates, cleaned before the horizon: the tombstone stays.
    now = NOW + DAY - 1;
    log.appendAsLeader(keyedBatch([['b', 'b1']]), 0);
    log.roll();
    await cleaner.cleanFilthiestLog();
    expect(readAllKeyed(log).map((r) => `${r.key}=${r.value}`)).toEqual(['c=c0', 'a=null', 'b=b1']);

    now = NOW + DAY;
    log.appendAsLeader(keyedBatch([['c', 'c1']]), 0);
    log.roll();
    await cleaner.cleanFilthiestLog();
    expect(readAllKeyed(log).map((r) => `${r.key}=${r.value}`)).toEqual(['b=b1', 'c=c1']);
    expect(log.logEndOffset).toBe(6);
  });

  test("an idempotent producer's sequence survives the removal of all its records, also across a restart", async () => {
    const log = openLog('idempotent');
    const pid = { producerId: 42, producerEpoch: 0 };
    log.appendAsLeader(keyedBatch([['a', 'a0'], ['b', 'b0']], { ...pid, baseSequence: 0 }), 0);
    log.appendAsLeader(keyedBatch([['a', 'a1']], { ...pid, baseSequence: 2 }), 0);
    log.appendAsLeader(keyedBatch([['a', 'a2'], ['b', 'b1']]), 0); // supersedes all of the producer's records
    log.roll();
    await cleanerFor([log]).cleanFilthiestLog();
    expect(readAllKeyed(log).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual(['3:a=a2', '4:b=b1']);
    // A retry of the producer's last batch is still recognised as a duplicate at its original offset.
    const retry = log.appendAsLeader(keyedBatch([['a', 'a1']], { ...pid, baseSequence: 2 }), 0);
    expect(retry).toMatchObject({ duplicate: true, baseOffset: 2, lastOffset: 2 });
    log.close();
    const reopened = openLog('idempotent');
    const next = reopened.appendAsLeader(keyedBatch([['c', 'c0']], { ...pid, baseSequence: 3 }), 0);
    expect(next.baseOffset).toBe(5);
  });

  test('cleaned segments are not swapped in for segments retention deleted meanwhile', async () => {
    const log = openLog('changing', { cleanupPolicy: ['compact', 'delete'] });
    writeUpdates(log, 10, 10);
    log.roll();
    const ltc = logToClean(log, undefined, NOW);
    const segments = log.segmentBaseOffsets().slice(0, -1);
    const result = await native.cleanLog(
      {
        dir: log.dir,
        segments,
        firstDirtyOffset: ltc.firstDirtyOffset,
        firstUncleanableOffset: ltc.firstUncleanableOffset,
        dedupeBufferSize: 1 << 20,
        loadFactor: 0.9,
        maxSegmentBytes: log.config.segmentBytes,
        maxIndexBytes: log.config.segmentIndexBytes,
        indexIntervalBytes: log.config.indexIntervalBytes,
        deleteRetentionMs: DAY,
        nowMs: NOW,
        activeProducers: [],
      },
      native.newCleanerAbort(),
    );
    expect(log.deleteOldSegments(NOW + 30 * DAY)).toBe(segments.length);
    expect(result.groups.map((g) => log.replaceSegments(g))).toEqual(result.groups.map(() => false));
    expect(log.segmentBaseOffsets()).toEqual([ltc.firstUncleanableOffset]);
    expect(fs.readdirSync(log.dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
  });

  test('a log whose segments go while it is being cleaned is left alone and cleaned again later', async () => {
    const log = openLog('racing', { cleanupPolicy: ['compact', 'delete'] });
    writeUpdates(log, 10, 10);
    log.roll();
    const cleaner = cleanerFor([log]);
    const cleaning = cleaner.clean(logToClean(log, undefined, NOW));
    log.deleteOldSegments(NOW + 30 * DAY);
    // The pool thread may open the files before or after they go: the clean then fails (null) or
    // finishes a copy that is not swapped in. Either way the log is left alone.
    expect((await cleaning)?.swapped ?? 0).toBe(0);
    expect(cleaner.checkpointedOffset(log)).toBeUndefined();
    writeUpdates(log, 10, 10);
    log.roll();
    expect(await cleaner.cleanFilthiestLog()).not.toBeNull(); // not marked uncleanable
  });
  test('shutdown aborts and waits for every cleaning in progress, not only the latest one started', async () => {
    const logs = [openLog('first', { segmentBytes: 64 * 1024 }), openLog('second', { segmentBytes: 64 * 1024 })];
    writeUpdates(logs[0], 50, 400); // long to clean
    writeUpdates(logs[1], 5, 2); // started last, done at once
    for (const log of logs) log.roll();
    const cleaner = cleanerFor(logs);
    const settled: string[] = [];
    const cleanings = logs.map((log) => cleaner.clean(logToClean(log, undefined, NOW)).finally(() => settled.push(log.topic)));
    await cleaner.shutdown();
    // Nothing of either cleaning runs once shutdown resolves: the logs may close under it.
    expect(settled.sort()).toEqual(['first', 'second']);
    // Aborted, or finished but not swapped in: the logs keep their segments and no checkpoint moves.
    for (const summary of await Promise.all(cleanings)) expect(summary?.swapped ?? 0).toBe(0);
    expect(logs.map((log) => cleaner.checkpointedOffset(log))).toEqual([undefined, undefined]);
    for (const log of logs) expect(fs.readdirSync(log.dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
  });
});

describe('LogManager', () => {
  test('runs the cleaner, writes cleaner-offset-checkpoint in Kafka format, reopens the compacted log', async () => {
    const opts = { logDirs: [root], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 };
    const manager = await LogManager.open(opts);
    const log = manager.createLog('__consumer_offsets', 3, '', config({ segmentBytes: 2048, cleanupPolicy: ['compact'] }));
    const written = writeUpdates(log, 10, 20);
    log.roll();
    const summary = await manager.cleaner.cleanFilthiestLog();
    expect(summary).toMatchObject({ topic: '__consumer_offsets', partition: 3 });
    expect(fs.readFileSync(path.join(root, CLEANER_CHECKPOINT_FILE), 'utf8')).toBe(`0\n1\n__consumer_offsets 3 ${summary!.endOffset}\n`);
    await manager.shutdown();

    const reopened = await LogManager.open({ ...opts, configFor: () => config({ segmentBytes: 2048, cleanupPolicy: ['compact'] }) });
    const again = reopened.getLog('__consumer_offsets', 3)!;
    expect(new Map(readAllKeyed(again).map((r) => [r.key, r.value]))).toEqual(latestByKey(written));
    expect(reopened.cleaner.checkpointedOffset(again)).toBe(summary!.endOffset);
    expect(await reopened.cleaner.cleanFilthiestLog()).toBeNull();
    await reopened.shutdown();
  });

  test('a deleted log\'s clean offset is forgotten: a log recreated under its name is cleaned from its start', async () => {
    const manager = await LogManager.open({ logDirs: [root], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 });
    const compacted = config({ segmentBytes: 2048, cleanupPolicy: ['compact'] });
    const old = manager.createLog('recreated', 0, '', compacted);
    writeUpdates(old, 10, 20);
    old.roll();
    expect((await manager.cleaner.cleanFilthiestLog())?.endOffset).toBe(200);

    manager.deleteLog('recreated', 0);
    expect(fs.readFileSync(path.join(root, CLEANER_CHECKPOINT_FILE), 'utf8')).toBe('0\n0\n');
    const log = manager.createLog('recreated', 0, '', compacted);
    const written = writeUpdates(log, 10, 30); // past the old log's clean offset before the cleaner looks
    log.roll();
    expect(manager.cleaner.checkpointedOffset(log)).toBeUndefined();
    expect((await manager.cleaner.cleanFilthiestLog())?.firstDirtyOffset).toBe(0);
    // Trusting the old offset (200) would have left every update below it uncompared: 10 keys, 10 records.
    expect(readAllKeyed(log).map((r) => r.value)).toEqual([...latestByKey(written).values()]);
    await manager.shutdown();
  });

  test('shutdown aborts a cleaning in progress and leaves no transient files', async () => {
    const manager = await LogManager.open({ logDirs: [root], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 });
    const log = manager.createLog('big', 0, '', config({ segmentBytes: 64 * 1024, cleanupPolicy: ['compact'] }));
    writeUpdates(log, 50, 200);
    log.roll();
    const cleaning = manager.cleaner.cleanFilthiestLog();
    await manager.shutdown();
    await cleaning;
    const dir = path.join(root, 'big-0');
    expect(fs.readdirSync(dir).filter((f) => /\.(cleaned|swap)$/.test(f))).toEqual([]);
    expect(native.readNextOffsetOfFile(path.join(dir, '00000000000000000000.log'))).toBeGreaterThan(0);
  });
});
