import * as fs from 'node:fs';
import fsModule from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { KafkaError } from '../../src/protocol/errors.js';
import { Codec, native, type CodecId } from '../../src/native/index.js';
import { encodeRecordBatch } from '../../src/protocol/records.js';
import type { LogConfig } from '../../src/storage/log-config.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { thrownErrorName as errorName } from '../support/error-name.js';
import { batchesOf, closeQuietly, config, decode, makeBatch, removeDir, tempDir, values } from './support/batches.js';

/** The KafkaError fn throws (fails the test when it throws nothing or something else). */
function thrownKafkaError(fn: () => unknown): KafkaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    return err as KafkaError;
  }
  throw new Error('expected a KafkaError, nothing was thrown');
}

const TOPIC_ID = 'q5tJb8ZkRk2sYw3nM1PbUA';
const realFsyncSync = fsModule.fsyncSync;

let root: string;
let dir: string;
const open: PartitionLog[] = [];

function openLog(overrides: Partial<LogConfig> = {}, opts: { hadCleanShutdown?: boolean; clock?: () => number } = {}): PartitionLog {
  const log = PartitionLog.open({ dir, topic: 'orders', partition: 0, topicId: TOPIC_ID, config: config(overrides), ...opts });
  open.push(log);
  return log;
}

function readAll(log: PartitionLog, from = log.logStartOffset): { offset: number; value: string; timestamp: number }[] {
  const out: { offset: number; value: string; timestamp: number }[] = [];
  let offset = from;
  while (offset < log.logEndOffset) {
    const got = decode(log.read(offset, 1 << 20, true, 'uncommitted').records).filter((r) => r.offset >= offset);
    if (got.length === 0) break;
    out.push(...got);
    offset = got[got.length - 1].offset + 1;
  }
  return out;
}

beforeEach(() => {
  root = tempDir();
  dir = path.join(root, 'orders-0');
});
afterEach(() => {
  closeQuietly(open);
  removeDir(root);
});

describe('append and read', () => {
  test('a new log is empty at offset 0, has partition.metadata and leads at epoch 0', () => {
    const log = openLog();
    expect([log.logStartOffset, log.logEndOffset, log.highWatermark, log.lastStableOffset]).toEqual([0, 0, 0, 0]);
    expect(log.leaderEpoch).toBe(0);
    expect(log.topicId).toBe(TOPIC_ID);
    expect(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${TOPIC_ID}`);
    expect(fs.readdirSync(dir).sort()).toEqual([
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      'leader-epoch-checkpoint',
      'partition.metadata',
    ]);
    expect(log.read(0, 1000, true, 'uncommitted').records.length).toBe(0);
  });

  test('offsets are assigned consecutively and the leader epoch is stamped on each batch', () => {
    const log = openLog();
    const a = log.appendAsLeader(makeBatch({ values: values('a', 3) }), 0);
    const b = log.appendAsLeader(makeBatch({ values: values('b', 2) }), 0);
    expect(a).toEqual({ baseOffset: 0, lastOffset: 2, logAppendTime: -1, logStartOffset: 0, recordCount: 3, duplicate: false });
    expect(b.baseOffset).toBe(3);
    expect(log.logEndOffset).toBe(5);
    const fetched = log.read(0, 1 << 20, false, 'uncommitted');
    expect(fetched).toMatchObject({ highWatermark: 5, logStartOffset: 0, lastStableOffset: 5 });
    expect(batchesOf(fetched.records).map((x) => [x.baseOffset, x.partitionLeaderEpoch])).toEqual([
      [0, 0],
      [3, 0],
    ]);
    expect(decode(fetched.records).map((r) => r.value)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
  });

  test('rolls on segment.bytes and reads continue across segments', () => {
    const log = openLog({ segmentBytes: 600 });
    for (let i = 0; i < 20; i++) log.appendAsLeader(makeBatch({ values: values(`v${i}`, 2, 40) }), 0);
    expect(log.segmentCount).toBeGreaterThan(3);
    const bases = log.segmentBaseOffsets();
    expect(bases[0]).toBe(0);
    expect([...bases].sort((x, y) => x - y)).toEqual(bases);
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(600);
    }
    const all = readAll(log);
    expect(all.map((r) => r.offset)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(all[39].value.startsWith('v19-1')).toBe(true);
    // a roll leaves a producer snapshot named by the new segment's base offset
    expect(fs.existsSync(path.join(dir, `${String(bases[1]).padStart(20, '0')}.snapshot`))).toBe(true);
  });

  test('a roll flushes the closed segment and its producer snapshot in the background, then moves the recovery point to it', async () => {
    const log = openLog({ segmentBytes: 600 });
    // Kafka's roll: nothing is fsynced while the append that rolls waits (UnifiedLog.roll's takeSnapshot(false)).
    fsModule.fsyncSync = () => {
      throw new Error('fsync on the append path');
    };
    syncBuiltinESMExports();
    try {
      for (let i = 0; i < 6; i++) log.appendAsLeader(makeBatch({ values: values(`v${i}`, 2, 40), producerId: 7, producerEpoch: 0, baseSequence: 2 * i }), 0);
    } finally {
      fsModule.fsyncSync = realFsyncSync;
      syncBuiltinESMExports();
    }
    const active = log.segmentBaseOffsets().at(-1)!;
    expect(active).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, `${String(active).padStart(20, '0')}.snapshot`))).toBe(true);
    await expect.poll(() => log.recoveryPoint, { timeout: 10_000, interval: 5 }).toBe(active);
    expect(log.logEndOffset).toBeGreaterThan(active); // the active segment itself is not flushed by a roll
  });

  test('rolls on segment.ms measured from the first batch timestamp', () => {
    const log = openLog({ segmentMs: 1000 });
    log.appendAsLeader(makeBatch({ values: ['a'], timestamp: 10_000 }), 0);
    log.appendAsLeader(makeBatch({ values: ['b'], timestamp: 10_900 }), 0);
    expect(log.segmentCount).toBe(1);
    log.appendAsLeader(makeBatch({ values: ['c'], timestamp: 11_001 }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  test('segment.ms of Long.MAX_VALUE never rolls, and a full index does', () => {
    const log = openLog({ segmentMs: 9223372036854775807, segmentIndexBytes: 24, indexIntervalBytes: 0 });
    for (let i = 0; i < 3; i++) log.appendAsLeader(makeBatch({ values: [`v${i}`], timestamp: 10_000 + i }), 0);
    expect(log.segmentCount).toBe(1); // the 2nd and 3rd batches each added a .timeindex entry: 24 bytes, full
    log.appendAsLeader(makeBatch({ values: ['v3'], timestamp: 10_003 }), 0);
    expect(log.segmentBaseOffsets()).toEqual([0, 3]);
  });

  test('segment.jitter.ms makes a segment roll up to that much before segment.ms', () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5); // jitter = 0.5 * min(800, 1000) = 400
    try {
      const log = openLog({ segmentMs: 1000, segmentJitterMs: 800 });
      log.appendAsLeader(makeBatch({ values: ['a'], timestamp: 10_000 }), 0);
      log.appendAsLeader(makeBatch({ values: ['b'], timestamp: 10_600 }), 0);
      expect(log.segmentCount).toBe(1);
      log.appendAsLeader(makeBatch({ values: ['c'], timestamp: 10_601 }), 0);
      expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    } finally {
      random.mockRestore();
    }
  });

  test('a fetch offset inside a batch returns that whole batch', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: values('a', 4) }), 0);
    log.appendAsLeader(makeBatch({ values: values('b', 4) }), 0);
    const got = batchesOf(log.read(6, 1 << 20, true, 'uncommitted').records);
    expect(got.map((b) => b.baseOffset)).toEqual([4]);
    expect(got[0].records.map((r) => r.offset)).toEqual([4, 5, 6, 7]);
  });

  test('maxBytes returns whole batches only; minOneMessage returns one batch larger than maxBytes', () => {
    const log = openLog();
    const big = makeBatch({ values: values('big', 5, 300) });
    log.appendAsLeader(big, 0);
    log.appendAsLeader(makeBatch({ values: ['small'] }), 0);
    expect(log.read(0, 100, false, 'uncommitted').records.length).toBe(0);
    const one = log.read(0, 100, true, 'uncommitted').records;
    expect(one.length).toBe(big.length);
    expect(batchesOf(one)).toHaveLength(1);
    const both = log.read(0, big.length + 10_000, true, 'uncommitted').records;
    expect(batchesOf(both)).toHaveLength(2);
  });

  test('offsets outside [logStartOffset, logEndOffset] are OFFSET_OUT_OF_RANGE; the end itself is empty', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: values('a', 3) }), 0);
    expect(errorName(() => log.read(4, 100, true, 'uncommitted'))).toBe('OFFSET_OUT_OF_RANGE');
    expect(errorName(() => log.read(-1, 100, true, 'uncommitted'))).toBe('OFFSET_OUT_OF_RANGE');
    expect(log.read(3, 100, true, 'committed').records.length).toBe(0);
  });

  test('a corrupt batch is CORRUPT_MESSAGE and nothing is appended', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['ok'] }), 0);
    const bad = makeBatch({ values: ['tampered'] });
    bad[bad.length - 2] ^= 0xff;
    expect(errorName(() => log.appendAsLeader(bad, 0))).toBe('CORRUPT_MESSAGE');
    expect(log.logEndOffset).toBe(1);
    const sizeBefore = log.size;
    expect(errorName(() => log.appendAsLeader(Buffer.from('not a batch at all, certainly not'), 0))).toBe('CORRUPT_MESSAGE');
    expect(log.size).toBe(sizeBefore);
    expect(readAll(log).map((r) => r.value)).toEqual(['ok']);
  });

  test('a batch over max.message.bytes is MESSAGE_TOO_LARGE, nothing appended', () => {
    const log = openLog({ maxMessageBytes: 200 });
    expect(errorName(() => log.appendAsLeader(makeBatch({ values: values('x', 4, 100) }), 0))).toBe('MESSAGE_TOO_LARGE');
    expect(log.logEndOffset).toBe(0);
    expect(log.size).toBe(0);
  });

  test('two batches in one append are INVALID_RECORD (Kafka: one v2 batch per partition)', () => {
    const log = openLog();
    const two = Buffer.concat([makeBatch({ values: ['a'] }), makeBatch({ values: ['b'] })]);
    expect(errorName(() => log.appendAsLeader(two, 0))).toBe('INVALID_RECORD');
    expect(log.logEndOffset).toBe(0);
  });

  test('LogAppendTime stamps the append time on the batch and reports it', () => {
    let now = 5_000_000;
    const log = openLog({ messageTimestampType: 'LogAppendTime' }, { clock: () => now });
    const info = log.appendAsLeader(makeBatch({ values: ['a', 'b'], timestamp: 1 }), 0);
    expect(info.logAppendTime).toBe(5_000_000);
    const [b] = batchesOf(log.read(0, 1 << 20, true, 'uncommitted').records);
    expect(b.timestampType).toBe(1);
    expect(b.maxTimestamp).toBe(5_000_000);
    now += 10;
    expect(log.fetchOffsetByTimestamp(5_000_000)).toEqual({ offset: 0, timestamp: 5_000_000, leaderEpoch: 0 });
  });

  test('compressed batches are stored as sent and read back', () => {
    const log = openLog();
    for (const compression of [1, 2, 3, 4]) log.appendAsLeader(makeBatch({ values: values(`c${compression}`, 3, 50), compression }), 0);
    expect(readAll(log).map((r) => r.offset)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(batchesOf(log.read(0, 1 << 20, true, 'uncommitted').records).map((b) => b.compression)).toEqual([1, 2, 3, 4]);
  });

  test('flush.messages=1 fsyncs each append: the recovery point follows the log end', () => {
    const synced = openLog({ flushMessages: 1 });
    synced.appendAsLeader(makeBatch({ values: ['a'] }), 0);
    expect(synced.recoveryPoint).toBe(1);
    synced.appendAsLeader(makeBatch({ values: ['b', 'c'] }), 0);
    expect(synced.recoveryPoint).toBe(3);
  });

  test('flush.ms: maybeFlush fsyncs once the interval since the last flush has passed', () => {
    let now = 1_000;
    const log = openLog({ flushMs: 100 }, { clock: () => now });
    log.appendAsLeader(makeBatch({ values: ['a'], timestamp: now }), 0);
    log.maybeFlush(now + 50);
    expect(log.recoveryPoint).toBe(0);
    now += 100;
    log.maybeFlush(now);
    expect(log.recoveryPoint).toBe(1);
  });

  test('with default flush settings appends are not fsynced until flush()', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['a'] }), 0);
    expect(log.recoveryPoint).toBe(0);
    log.flush();
    expect(log.recoveryPoint).toBe(1);
  });
});

describe('idempotent producers', () => {
  const pid = 1001;

  test('a retried batch returns its original offsets and appends nothing', () => {
    const log = openLog();
    const first = log.appendAsLeader(makeBatch({ values: values('a', 3), producerId: pid, producerEpoch: 0, baseSequence: 0 }), 0);
    log.appendAsLeader(makeBatch({ values: values('b', 2), producerId: pid, producerEpoch: 0, baseSequence: 3 }), 0);
    const size = log.size;
    const retry = log.appendAsLeader(makeBatch({ values: values('a', 3), producerId: pid, producerEpoch: 0, baseSequence: 0 }), 0);
    expect(retry).toMatchObject({ baseOffset: first.baseOffset, lastOffset: first.lastOffset, duplicate: true });
    expect(log.size).toBe(size);
    expect(log.logEndOffset).toBe(5);
  });

  test('a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER; a stale epoch INVALID_PRODUCER_EPOCH; an epoch bump at 0 is accepted', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['a'], producerId: pid, producerEpoch: 1, baseSequence: 0 }), 0);
    expect(errorName(() => log.appendAsLeader(makeBatch({ values: ['x'], producerId: pid, producerEpoch: 1, baseSequence: 2 }), 0))).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    expect(errorName(() => log.appendAsLeader(makeBatch({ values: ['x'], producerId: pid, producerEpoch: 0, baseSequence: 1 }), 0))).toBe(
      'INVALID_PRODUCER_EPOCH',
    );
    expect(log.logEndOffset).toBe(1);
    const bumped = log.appendAsLeader(makeBatch({ values: ['b'], producerId: pid, producerEpoch: 2, baseSequence: 0 }), 0);
    expect(bumped).toMatchObject({ baseOffset: 1, duplicate: false });
  });

  test('producer state survives a clean close and reopen (snapshot)', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: values('a', 2), producerId: pid, producerEpoch: 0, baseSequence: 0 }), 0);
    log.appendAsLeader(makeBatch({ values: values('b', 2), producerId: pid, producerEpoch: 0, baseSequence: 2 }), 0);
    log.close();
    expect(fs.existsSync(path.join(dir, '00000000000000000004.snapshot'))).toBe(true);
    const reopened = openLog({}, { hadCleanShutdown: true });
    const retry = reopened.appendAsLeader(makeBatch({ values: values('b', 2), producerId: pid, producerEpoch: 0, baseSequence: 2 }), 0);
    expect(retry).toMatchObject({ baseOffset: 2, lastOffset: 3, duplicate: true });
    expect(errorName(() => reopened.appendAsLeader(makeBatch({ values: ['c'], producerId: pid, producerEpoch: 0, baseSequence: 9 }), 0))).toBe(
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
    );
    expect(reopened.appendAsLeader(makeBatch({ values: ['c'], producerId: pid, producerEpoch: 0, baseSequence: 4 }), 0).baseOffset).toBe(4);
  });

  test('producer state is rebuilt by replaying the log after an unclean stop (no snapshot)', () => {
    const log = openLog({ segmentBytes: 400 });
    for (let i = 0; i < 8; i++) {
      log.appendAsLeader(makeBatch({ values: values(`p${i}`, 2, 20), producerId: pid, producerEpoch: 3, baseSequence: i * 2 }), 0);
    }
    log.flush();
    // simulate kill -9: no close(), and the snapshots written at rolls are lost too
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(dir, f));
    const reopened = openLog({ segmentBytes: 400 }, { hadCleanShutdown: false });
    expect(reopened.logEndOffset).toBe(16);
    for (let i = 4; i < 8; i++) {
      const retry = reopened.appendAsLeader(makeBatch({ values: values(`p${i}`, 2, 20), producerId: pid, producerEpoch: 3, baseSequence: i * 2 }), 0);
      expect(retry).toMatchObject({ baseOffset: i * 2, duplicate: true });
    }
    expect(reopened.appendAsLeader(makeBatch({ values: ['n'], producerId: pid, producerEpoch: 3, baseSequence: 16 }), 0)).toMatchObject({
      baseOffset: 16,
      duplicate: false,
    });
  });
});

describe('retention and DeleteRecords', () => {
  function fill(log: PartitionLog, batches: number, timestamp: (i: number) => number = () => 1_700_000_000_000): void {
    for (let i = 0; i < batches; i++) log.appendAsLeader(makeBatch({ values: values(`r${i}`, 2, 40), timestamp: timestamp(i) }), 0);
  }

  test('retention.ms deletes closed segments whose newest record is too old', async () => {
    const log = openLog({ segmentBytes: 400, retentionMs: 1000 });
    fill(log, 12, (i) => (i < 6 ? 1_000 : 100_000));
    const before = log.segmentBaseOffsets();
    expect(before.length).toBeGreaterThan(3);
    const deleted = log.deleteOldSegments(50_000);
    expect(deleted).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    expect(log.logStartOffset).toBeGreaterThan(0);
    expect(log.logStartOffset).toBeLessThanOrEqual(12);
    expect(errorName(() => log.read(0, 100, true, 'uncommitted'))).toBe('OFFSET_OUT_OF_RANGE');
    expect(readAll(log).at(-1)?.offset).toBe(23);
    expect(fs.existsSync(path.join(dir, '00000000000000000000.log'))).toBe(false);
    // file.delete.delay.ms 0: the renamed files go at once, off the JS thread.
    await expect.poll(() => fs.readdirSync(dir).filter((n) => n.endsWith('.deleted'))).toEqual([]);
  });

  test('retention.ms also removes an old active segment, rolling a new empty one', () => {
    const log = openLog({ retentionMs: 1000 });
    fill(log, 3, () => 1_000);
    expect(log.deleteOldSegments(10_000)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([6]);
    expect([log.logStartOffset, log.logEndOffset]).toEqual([6, 6]);
    expect(log.read(6, 100, true, 'uncommitted').records.length).toBe(0);
    expect(log.appendAsLeader(makeBatch({ values: ['next'] }), 0).baseOffset).toBe(6);
  });

  test('retention.bytes deletes oldest segments while the rest still holds retention.bytes (Kafka rule)', () => {
    const log = openLog({ segmentBytes: 400, retentionBytes: 900 });
    fill(log, 12);
    const sizeBefore = log.size;
    expect(sizeBefore).toBeGreaterThan(900 + 400);
    expect(log.deleteOldSegments(1_700_000_000_000)).toBeGreaterThan(0);
    const firstSegmentBytes = fs.statSync(path.join(dir, `${String(log.segmentBaseOffsets()[0]).padStart(20, '0')}.log`)).size;
    expect(log.size).toBeGreaterThanOrEqual(900);
    expect(log.size - firstSegmentBytes).toBeLessThan(900);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    expect(readAll(log).at(-1)?.offset).toBe(23);
  });

  test('deleted segments wait as `.deleted` files for file.delete.delay.ms (close removes them)', () => {
    const log = openLog({ segmentBytes: 400, retentionMs: 1000, fileDeleteDelayMs: 60_000 });
    fill(log, 12, () => 1_000);
    log.roll();
    const deleted = log.deleteOldSegments(10_000);
    expect(deleted).toBeGreaterThan(1);
    const pending = fs.readdirSync(dir).filter((n) => n.endsWith('.deleted'));
    expect(pending).toContain('00000000000000000000.log.deleted');
    expect(pending).toContain('00000000000000000000.index.deleted');
    log.close();
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.deleted'))).toEqual([]);
  });

  test('retention -1 keeps everything', () => {
    const log = openLog({ segmentBytes: 400, retentionMs: -1, retentionBytes: -1 });
    fill(log, 12, () => 1);
    expect(log.deleteOldSegments(Date.now())).toBe(0);
    expect(log.logStartOffset).toBe(0);
  });

  test('deleteRecordsBefore moves the log start offset and drops segments wholly below it', () => {
    const log = openLog({ segmentBytes: 400 });
    fill(log, 12);
    const bases = log.segmentBaseOffsets();
    const target = bases[2] + 1;
    expect(log.deleteRecordsBefore(target)).toBe(target);
    expect(log.logStartOffset).toBe(target);
    expect(log.segmentBaseOffsets()[0]).toBe(bases[2]);
    expect(errorName(() => log.read(target - 1, 100, true, 'uncommitted'))).toBe('OFFSET_OUT_OF_RANGE');
    // the batch holding the new start is returned whole; the client skips the earlier record
    expect(decode(log.read(target, 1 << 20, true, 'uncommitted').records)[0].offset).toBe(target - 1);
    expect(log.fetchOffsetByTimestamp(-2)).toMatchObject({ offset: target });
    expect(log.deleteRecordsBefore(1)).toBe(target);
    expect(errorName(() => log.deleteRecordsBefore(25))).toBe('OFFSET_OUT_OF_RANGE');
    expect(log.deleteRecordsBefore(-1)).toBe(24);
    expect(log.logEndOffset).toBe(24);
  });

  test('the log start offset survives reopening through the caller-provided checkpoint', () => {
    const log = openLog();
    fill(log, 3);
    log.deleteRecordsBefore(3);
    log.close();
    const reopened = openLog({}, { hadCleanShutdown: true });
    expect(reopened.logStartOffset).toBe(0); // without the checkpoint the first segment's base
    reopened.close();
    const withCheckpoint = PartitionLog.open({ dir, topic: 'orders', partition: 0, config: config(), logStartOffset: 3, hadCleanShutdown: true });
    open.push(withCheckpoint);
    expect(withCheckpoint.logStartOffset).toBe(3);
  });
});

describe('ListOffsets lookups', () => {
  test('-2 earliest, -1 latest, -3 max timestamp, and by timestamp', () => {
    const log = openLog({ segmentBytes: 300 });
    const ts = [100, 300, 200, 500, 400, 600];
    for (let i = 0; i < ts.length; i++) log.appendAsLeader(makeBatch({ values: [`a${i}`, `b${i}`], timestamps: [ts[i], ts[i] - 50] }), 0);
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(log.fetchOffsetByTimestamp(-2)).toEqual({ offset: 0, timestamp: -1, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(-1)).toEqual({ offset: 12, timestamp: -1, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(-3)).toEqual({ offset: 10, timestamp: 600, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(100)).toEqual({ offset: 0, timestamp: 100, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(260)).toEqual({ offset: 2, timestamp: 300, leaderEpoch: 0 });
    // record timestamps by offset: 100 50 | 300 250 | 200 150 | 500 450 | 400 350 | 600 550
    expect(log.fetchOffsetByTimestamp(150)).toEqual({ offset: 2, timestamp: 300, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(450)).toEqual({ offset: 6, timestamp: 500, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(550)).toEqual({ offset: 10, timestamp: 600, leaderEpoch: 0 });
    expect(log.fetchOffsetByTimestamp(601)).toBeNull();
  });

  test('an empty log answers earliest/latest with 0 and max timestamp with nothing', () => {
    const log = openLog();
    expect(log.fetchOffsetByTimestamp(-2)).toMatchObject({ offset: 0 });
    expect(log.fetchOffsetByTimestamp(-1)).toMatchObject({ offset: 0 });
    expect(log.fetchOffsetByTimestamp(-3)).toBeNull();
    expect(log.fetchOffsetByTimestamp(5)).toBeNull();
  });

  test('endOffsetForEpoch uses the epoch history written by appends', () => {
    const log = openLog();
    log.appendAsLeader(makeBatch({ values: ['a', 'b'] }), 0);
    log.appendAsLeader(makeBatch({ values: ['c'] }), 2);
    expect(log.leaderEpoch).toBe(2);
    expect(log.endOffsetForEpoch(0)).toEqual({ leaderEpoch: 0, endOffset: 2 });
    expect(log.endOffsetForEpoch(1)).toEqual({ leaderEpoch: 0, endOffset: 2 });
    expect(log.endOffsetForEpoch(2)).toEqual({ leaderEpoch: 2, endOffset: 3 });
    expect(log.endOffsetForEpoch(3)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n2 2\n');
  });
});

describe('storage errors', () => {
  test('an I/O failure takes only this partition offline; later calls are KAFKA_STORAGE_ERROR', () => {
    const log = openLog({ segmentBytes: 300 });
    const other = PartitionLog.open({ dir: path.join(root, 'orders-1'), topic: 'orders', partition: 1, config: config() });
    open.push(other);
    log.appendAsLeader(makeBatch({ values: values('a', 2, 100) }), 0);
    fs.rmSync(dir, { recursive: true, force: true }); // the next roll cannot create its segment
    const err = (() => {
      try {
        log.appendAsLeader(makeBatch({ values: values('b', 2, 100) }), 0);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('KAFKA_STORAGE_ERROR');
    expect(log.isOffline).toBe(true);
    expect(errorName(() => log.read(0, 100, true, 'uncommitted'))).toBe('KAFKA_STORAGE_ERROR');
    expect(errorName(() => log.appendAsLeader(makeBatch({ values: ['c'] }), 0))).toBe('KAFKA_STORAGE_ERROR');
    expect(other.appendAsLeader(makeBatch({ values: ['fine'] }), 0).baseOffset).toBe(0);
  });
});

describe('control batches', () => {
  test('clients may not append control batches', () => {
    const log = openLog();
    const control = encodeRecordBatch({
      baseOffset: 0,
      attributes: 0x20 | 0x10,
      producerId: 5,
      producerEpoch: 0,
      baseSequence: -1,
      records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 1 }],
    });
    expect(errorName(() => log.appendAsLeader(control, 0))).toBe('INVALID_RECORD');
    expect(log.logEndOffset).toBe(0);
  });

  test('clients must send baseOffset 0 (the broker assigns offsets): anything else is INVALID_RECORD', () => {
    const log = openLog();
    const batch = encodeRecordBatch({
      baseOffset: 7,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      records: [{ key: null, value: Buffer.from('v'), timestamp: NOW }],
    });
    expect(errorName(() => log.appendAsLeader(batch, 0))).toBe('INVALID_RECORD');
    expect(log.logEndOffset).toBe(0);
  });
});

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

/** One record per entry: key null or a string, value, timestamp; compressed with `compression`. */
function keyedBatch(records: { key: string | null; value: string; timestamp?: number }[], compression: number = Codec.none): Buffer {
  return encodeRecordBatch(
    {
      baseOffset: 0,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      compression,
      records: records.map((r) => ({
        key: r.key === null ? null : Buffer.from(r.key),
        value: Buffer.from(r.value),
        headers: [{ key: 'h', value: Buffer.from('x') }],
        timestamp: r.timestamp ?? NOW,
      })),
    },
    { compress: (codec, data) => native.compress(codec as CodecId, data), crc32c: (buf) => native.crc32c(buf) },
  );
}

describe('timestamp validation (message.timestamp.{before,after}.max.ms, CreateTime)', () => {
  const clock = () => NOW;

  test('Kafka 4 defaults: any past timestamp is accepted, more than 1 h ahead is INVALID_TIMESTAMP', () => {
    const log = openLog({}, { clock });
    log.appendAsLeader(makeBatch({ values: ['old', 'edge'], timestamps: [0, NOW + HOUR] }), 0);
    expect(log.logEndOffset).toBe(2);
    const future = makeBatch({ values: ['ok', 'too-late'], timestamps: [NOW, NOW + HOUR + 1] });
    const err = thrownKafkaError(() => log.appendAsLeader(future, 0));
    expect(err.errorName).toBe('INVALID_TIMESTAMP');
    expect(err.message).toBe('One or more records have been rejected due to invalid timestamp');
    // Kafka 4's before.max.ms is Long.MAX_VALUE: only the upper bound can be crossed.
    expect(err.recordErrors).toEqual([
      { batchIndex: 1, message: expect.stringMatching(/^Timestamp 1700003600001 of message with offset 1 is out of range\. The timestamp should be within \[-\d+, 1700003600000\]$/) },
    ]);
    expect(log.logEndOffset).toBe(2);
  });

  test.each([Codec.none, Codec.gzip, Codec.zstd])('a record below now - before.max.ms fails the whole batch (codec %i), whatever the header maxTimestamp', (codec) => {
    const log = openLog({ messageTimestampBeforeMaxMs: 1000 }, { clock });
    // The out-of-range record is not the last: only the real record walk can find it.
    const batch = keyedBatch(
      [
        { key: 'a', value: 'fine', timestamp: NOW },
        { key: 'b', value: 'stale', timestamp: NOW - 1001 },
        { key: 'c', value: 'fine', timestamp: NOW },
      ],
      codec,
    );
    expect(errorName(() => log.appendAsLeader(batch, 0))).toBe('INVALID_TIMESTAMP');
    expect(log.logEndOffset).toBe(0);
    log.appendAsLeader(keyedBatch([{ key: 'a', value: 'edge', timestamp: NOW - 1000 }], codec), 0);
    expect(log.logEndOffset).toBe(1);
  });

  test('after.max.ms is configurable; LogAppendTime topics do not check producer timestamps', () => {
    const strict = openLog({ messageTimestampAfterMaxMs: 10 }, { clock });
    expect(errorName(() => strict.appendAsLeader(makeBatch({ values: ['x'], timestamp: NOW + 11 }), 0))).toBe('INVALID_TIMESTAMP');
    strict.close();
    const appendTime = openLog({ messageTimestampAfterMaxMs: 10, messageTimestampType: 'LogAppendTime' }, { clock });
    expect(appendTime.appendAsLeader(makeBatch({ values: ['x'], timestamp: NOW + 11 }), 0).logAppendTime).toBe(NOW);
  });
});

describe('compacted topics (cleanup.policy contains compact)', () => {
  test.each([[['compact']], [['delete', 'compact']]])('refuse a batch with any null key as INVALID_RECORD (policy %j), nothing appended', (cleanupPolicy) => {
    const log = openLog({ cleanupPolicy });
    const batch = keyedBatch([
      { key: 'a', value: '1' },
      { key: null, value: '2' },
    ]);
    const err = thrownKafkaError(() => log.appendAsLeader(batch, 0));
    expect(err.errorName).toBe('INVALID_RECORD');
    const message = 'Compacted topic cannot accept message without key in topic partition orders-0';
    expect(err.recordErrors).toEqual([{ batchIndex: 1, message }]);
    expect(err.message).toBe(
      `One or more records have been rejected due to 1 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${message}')]`,
    );
    expect(log.logEndOffset).toBe(0);
    log.appendAsLeader(keyedBatch([{ key: 'a', value: '1' }], Codec.lz4), 0);
    expect(log.logEndOffset).toBe(1);
  });

  test.each([Codec.none, Codec.gzip, Codec.zstd])('name every keyless record (codec %i); the message shows the first three', (codec) => {
    const log = openLog({ cleanupPolicy: ['compact'] });
    const keys = ['a', null, 'b', null, null, null];
    const err = thrownKafkaError(() => log.appendAsLeader(keyedBatch(keys.map((key, i) => ({ key, value: String(i) })), codec), 0));
    expect(err.errorName).toBe('INVALID_RECORD');
    const message = 'Compacted topic cannot accept message without key in topic partition orders-0';
    expect(err.recordErrors).toEqual([1, 3, 4, 5].map((batchIndex) => ({ batchIndex, message })));
    expect(err.message).toBe(
      'One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: [' +
        [1, 3, 4].map((i) => `RecordError(batchIndex=${i}, message='${message}')`).join(', ') +
        ']',
    );
    expect(log.logEndOffset).toBe(0);
  });

  test('a record is named once, for its key; any timestamp error makes the partition INVALID_TIMESTAMP', () => {
    const log = openLog({ cleanupPolicy: ['compact'], messageTimestampBeforeMaxMs: 1000, messageTimestampAfterMaxMs: 1000 }, { clock: () => NOW });
    const keyMessage = 'Compacted topic cannot accept message without key in topic partition orders-0';
    const range = `The timestamp should be within [${NOW - 1000}, ${NOW + 1000}]`;
    // A keyless record with a bad timestamp is refused for its key only, as Kafka checks keys first.
    const keyOnly = thrownKafkaError(() => log.appendAsLeader(keyedBatch([{ key: null, value: '0', timestamp: NOW - 5000 }]), 0));
    expect(keyOnly.errorName).toBe('INVALID_RECORD');
    expect(keyOnly.recordErrors).toEqual([{ batchIndex: 0, message: keyMessage }]);
    const both = thrownKafkaError(() =>
      log.appendAsLeader(
        keyedBatch([
          { key: null, value: '0', timestamp: NOW },
          { key: 'k', value: '1', timestamp: NOW },
          { key: 'k', value: '2', timestamp: NOW + 1001 },
        ]),
        0,
      ),
    );
    expect(both.errorName).toBe('INVALID_TIMESTAMP');
    expect(both.message).toBe('One or more records have been rejected due to invalid timestamp');
    expect(both.recordErrors).toEqual([
      { batchIndex: 0, message: keyMessage },
      { batchIndex: 2, message: `Timestamp ${NOW + 1001} of message with offset 2 is out of range. ${range}` },
    ]);
    expect(log.logEndOffset).toBe(0);
  });

  test('delete-only topics accept null keys', () => {
    const log = openLog({ cleanupPolicy: ['delete'] });
    log.appendAsLeader(keyedBatch([{ key: null, value: '1' }]), 0);
    expect(log.logEndOffset).toBe(1);
  });
});

describe('topic compression.type', () => {
  const types = [
    ['uncompressed', Codec.none],
    ['gzip', Codec.gzip],
    ['snappy', Codec.snappy],
    ['lz4', Codec.lz4],
    ['zstd', Codec.zstd],
  ] as const;
  const sources = [Codec.none, Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd];

  test.each(types.flatMap(([type, target]) => sources.filter((s) => s !== target).map((source) => [source, type, target] as const)))(
    'a codec %i batch is stored as compression.type=%s requires, records unchanged',
    (source, compressionType, target) => {
      const log = openLog({ compressionType });
      const sent = makeBatch({ values: values('v', 10, 40), compression: source, producerId: 3, producerEpoch: 0, baseSequence: 0 });
      const expected = decode(sent);
      log.appendAsLeader(makeBatch({ values: ['first'] }), 0); // stored batches start at a non-zero offset
      const info = log.appendAsLeader(sent, 0);
      expect(info).toMatchObject({ baseOffset: 1, lastOffset: 10 });
      const stored = log.read(1, 1 << 20, true, 'uncommitted').records;
      const [batch] = batchesOf(stored).filter((b) => b.baseOffset === 1);
      expect(batch.compression).toBe(target);
      expect(batch).toMatchObject({ producerId: 3, producerEpoch: 0, baseSequence: 0 });
      expect(native.validateRecordBatches(stored, 1 << 20).every((b) => b.compression === target)).toBe(true); // CRC valid
      expect(decode(stored).filter((r) => r.offset >= 1)).toEqual(expected.map((r) => ({ ...r, offset: r.offset + 1 })));
    },
  );

  test("'producer' keeps the producer's codec byte for byte", () => {
    const log = openLog({ compressionType: 'producer' });
    const sent = makeBatch({ values: values('v', 5), compression: Codec.snappy });
    const copy = Buffer.from(sent);
    log.appendAsLeader(sent, 0);
    const stored = log.read(0, 1 << 20, true, 'uncommitted').records;
    expect(stored.subarray(61)).toEqual(copy.subarray(61));
    expect(batchesOf(stored)[0].compression).toBe(Codec.snappy);
  });

  test('a batch that grows past max.message.bytes when recompressed is MESSAGE_TOO_LARGE, nothing appended', () => {
    const sent = makeBatch({ values: [''.padEnd(5000, 'a')], compression: Codec.zstd });
    const log = openLog({ compressionType: 'uncompressed', maxMessageBytes: sent.length + 100 });
    expect(errorName(() => log.appendAsLeader(sent, 0))).toBe('MESSAGE_TOO_LARGE');
    expect(log.logEndOffset).toBe(0);
  });

  test('retried idempotent batches are still answered as duplicates after recompression', () => {
    const log = openLog({ compressionType: 'gzip' });
    const sent = () => makeBatch({ values: ['a', 'b'], producerId: 8, producerEpoch: 0, baseSequence: 0 });
    log.appendAsLeader(sent(), 0);
    expect(log.appendAsLeader(sent(), 0)).toMatchObject({ baseOffset: 0, lastOffset: 1, duplicate: true });
    expect(log.logEndOffset).toBe(2);
  });
});
