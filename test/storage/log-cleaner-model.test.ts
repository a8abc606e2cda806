// Model-based property test of the log cleaner: random appends (keyed, tombstones, compressed,
// idempotent), rolls, DeleteRecords, cleaning rounds at random times and delete.retention.ms (some
// with appends, rolls and DeleteRecords racing the off-thread clean, some cut short by shutdown),
// clean and crash reopens — after every step the log is checked against an in-memory model of
// everything ever written: what a compacted log may and must still hold (Kafka's semantics).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { native } from '../../src/native/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/records.js';
import { defaultLogCleanerConfig, LogCleaner, logToClean } from '../../src/storage/log-cleaner.js';
import type { LogConfig } from '../../src/storage/log-config.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { config, removeDir, tempDir } from './support/batches.js';

const START = 1_700_000_000_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEYS = 12;
const PRODUCER_IDS = [7001, 7002];

/** One record as written: where it landed and everything a consumer reads back. */
interface WrittenRecord {
  offset: number;
  key: string;
  value: string | null;
  header: string;
  timestamp: number;
  producerId: number;
  sequence: number; // -1 unless idempotent
  /** For tombstones: the smallest delete horizon a cleaning since the write can have given it. */
  minHorizon: number;
  /** For tombstones: a cleaning ran at or past minHorizon, so the tombstone may be gone. */
  removable: boolean;
}

/** An idempotent producer's next sequence and its last batch (for a retry). */
interface ProducerModel {
  nextSequence: number;
  lastBatch?: Buffer;
  lastBaseOffset: number;
  lastOffset: number;
}

/** Everything ever appended and the offsets the log must report. */
class Model {
  readonly records = new Map<number, WrittenRecord>();
  readonly producers = PRODUCER_IDS.map((): ProducerModel => ({ nextSequence: 0, lastBaseOffset: -1, lastOffset: -1 }));
  logStart = 0;
  logEnd = 0;
  now = START;

  /** Kafka's tombstone rule: a clean at `now` gives unhorizoned tombstones now + retention; a later one past it may drop them. */
  cleaningRound(now: number, deleteRetentionMs: number): void {
    for (const r of this.records.values()) {
      if (r.value !== null) continue;
      if (now >= r.minHorizon) r.removable = true;
      r.minHorizon = Math.min(r.minHorizon, now + deleteRetentionMs);
    }
  }
}

type RecordSpec = { key: number; tombstone: boolean; value: string; header: string; ageMs: number };
type AppendOp = { kind: 'append'; records: RecordSpec[]; codec: number; producer: number | null };
type RacingOp = AppendOp | { kind: 'roll' } | { kind: 'deleteRecords'; fraction: number } | { kind: 'read' };
type Op =
  | RacingOp
  | { kind: 'retry' }
  | { kind: 'reopen'; crash: boolean; dropSnapshots: boolean }
  | { kind: 'clean'; advanceMs: number; deleteRetentionMs: number; racing: RacingOp[]; shutdown: boolean };

const recordArb: fc.Arbitrary<RecordSpec> = fc.record({
  key: fc.integer({ min: 0, max: KEYS - 1 }),
  tombstone: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  value: fc.string({ maxLength: 12 }),
  header: fc.string({ maxLength: 4 }),
  ageMs: fc.integer({ min: 0, max: 2 * DAY }),
});
const appendArb: fc.Arbitrary<AppendOp> = fc.record({
  kind: fc.constant('append' as const),
  records: fc.array(recordArb, { minLength: 1, maxLength: 8 }),
  codec: fc.constantFrom(0, 0, 0, 1, 2, 3, 4),
  producer: fc.constantFrom(null, null, 0, 1),
});
const racingArb: fc.Arbitrary<RacingOp> = fc.oneof(
  { weight: 4, arbitrary: appendArb },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRecords' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'read' as const }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: racingArb },
  { weight: 1, arbitrary: fc.constant({ kind: 'retry' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), crash: fc.boolean(), dropSnapshots: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('clean' as const),
      advanceMs: fc.constantFrom(0, HOUR, DAY, 3 * DAY),
      deleteRetentionMs: fc.constantFrom(0, HOUR, DAY, 7 * DAY),
      racing: fc.oneof({ weight: 2, arbitrary: fc.constant<RacingOp[]>([]) }, { weight: 1, arbitrary: fc.array(racingArb, { maxLength: 4 }) }),
      shutdown: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    }),
  },
);
const setupArb = fc.record({
  segmentBytes: fc.constantFrom(512, 1024, 2048),
  indexIntervalBytes: fc.constantFrom(1, 150, 4096),
  segmentIndexBytes: fc.constantFrom(120, 10 * 1024 * 1024),
  logAppendTime: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  // 8 slots (7 keys at the 0.9 load factor) fills up within a round; 1 MiB never does.
  dedupeBufferSize: fc.constantFrom(8 * 24, 1 << 20),
  minCompactionLagMs: fc.constantFrom(0, 0, DAY),
});
type Setup = typeof setupArb extends fc.Arbitrary<infer T> ? T : never;

let root: string;
beforeEach(() => {
  root = tempDir('sluice-cleaner-model-');
});
afterEach(() => removeDir(root));

/** One run: a log, its cleaner and the model, driven op by op. */
class Run {
  readonly model = new Model();
  readonly dir: string;
  readonly logConfig: LogConfig;
  log: PartitionLog;
  cleaner: LogCleaner;

  constructor(readonly setup: Setup, runDir: string) {
    this.dir = path.join(runDir, 'compacted-0');
    this.logConfig = config({
      cleanupPolicy: ['compact'],
      segmentBytes: setup.segmentBytes,
      indexIntervalBytes: setup.indexIntervalBytes,
      segmentIndexBytes: setup.segmentIndexBytes,
      messageTimestampType: setup.logAppendTime ? 'LogAppendTime' : 'CreateTime',
      minCleanableDirtyRatio: 0,
      minCompactionLagMs: setup.minCompactionLagMs,
    });
    this.log = this.openLog({ hadCleanShutdown: true, recoveryPoint: 0 });
    this.cleaner = this.newCleaner();
  }

  private openLog(o: { hadCleanShutdown: boolean; recoveryPoint: number }): PartitionLog {
    return PartitionLog.open({
      dir: this.dir,
      topic: 'compacted',
      partition: 0,
      config: this.logConfig,
      logStartOffset: this.model.logStart,
      clock: () => this.model.now,
      ...o,
    });
  }

  private newCleaner(): LogCleaner {
    const cleaner = new LogCleaner({
      logDirs: [path.dirname(this.dir)],
      logs: () => [this.log],
      config: { ...defaultLogCleanerConfig, dedupeBufferSize: this.setup.dedupeBufferSize },
      clock: () => this.model.now,
    });
    cleaner.loadCheckpoints();
    return cleaner;
  }

  close(): void {
    try {
      this.log.close();
    } catch {
      // a failed run already reported why
    }
  }

  async apply(op: Op): Promise<void> {
    switch (op.kind) {
      case 'append':
      case 'roll':
      case 'deleteRecords':
      case 'read':
        return this.racing(op);
      case 'retry':
        return this.checkRetries();
      case 'reopen':
        return this.reopen(op.crash, op.dropSnapshots);
      case 'clean':
        return this.clean(op);
    }
  }

  /** The ops that may also run while a clean is in progress. */
  private racing(op: RacingOp): void {
    const m = this.model;
    switch (op.kind) {
      case 'append':
        return this.append(op);
      case 'roll':
        return this.log.roll();
      case 'deleteRecords': {
        const target = m.logStart + Math.floor(op.fraction * op.fraction * 0.5 * (m.logEnd - m.logStart));
        expect(this.log.deleteRecordsBefore(target)).toBe(Math.max(m.logStart, target));
        m.logStart = Math.max(m.logStart, target);
        return;
      }
      case 'read':
        readAll(this.log);
        return;
    }
  }

  private append(op: AppendOp): void {
    const m = this.model;
    const producer = op.producer === null ? null : m.producers[op.producer];
    const producerId = op.producer === null ? -1 : PRODUCER_IDS[op.producer];
    const baseSequence = producer ? producer.nextSequence : -1;
    const batch = encodeRecordBatch(
      {
        baseOffset: 0,
        producerId,
        producerEpoch: producer ? 0 : -1,
        baseSequence,
        compression: op.codec,
        records: op.records.map((r) => ({
          key: Buffer.from(`k${r.key}`),
          value: r.tombstone ? null : Buffer.from(r.value),
          headers: [{ key: 'h', value: Buffer.from(r.header) }],
          timestamp: m.now - r.ageMs,
        })),
      },
      { compress: (codec, data) => native.compress(codec as 0, data), crc32c: (buf) => native.crc32c(buf) },
    );
    const retry = Buffer.from(batch); // the append patches offsets into `batch`
    const info = this.log.appendAsLeader(batch, 0);
    expect(info.duplicate).toBe(false);
    expect(info.baseOffset).toBe(m.logEnd);
    op.records.forEach((r, i) => {
      m.records.set(info.baseOffset + i, {
        offset: info.baseOffset + i,
        key: `k${r.key}`,
        value: r.tombstone ? null : r.value,
        header: r.header,
        timestamp: this.setup.logAppendTime ? m.now : m.now - r.ageMs,
        producerId,
        sequence: producer ? baseSequence + i : -1,
        minHorizon: Infinity,
        removable: false,
      });
    });
    m.logEnd = info.lastOffset + 1;
    if (producer) {
      producer.nextSequence += op.records.length;
      producer.lastBatch = retry;
      producer.lastBaseOffset = info.baseOffset;
      producer.lastOffset = info.lastOffset;
    }
  }

  /** Each producer whose last batch is still in the log gets it recognised as a duplicate. */
  checkRetries(): void {
    for (const p of this.model.producers) {
      if (!p.lastBatch || p.lastOffset < this.model.logStart) continue;
      const info = this.log.appendAsLeader(Buffer.from(p.lastBatch), 0);
      expect(info).toMatchObject({ duplicate: true, baseOffset: p.lastBaseOffset, lastOffset: p.lastOffset });
    }
    expect(this.log.logEndOffset).toBe(this.model.logEnd);
  }

  /**
   * A clean close and open, or a kill -9 (nothing flushed, no snapshot) and an unclean open;
   * without producer snapshots, producer state is replayed from the (cleaned) log start.
   */
  reopen(crash: boolean, dropSnapshots = false): void {
    const recoveryPoint = this.log.recoveryPoint;
    if (crash) this.log.closeForDelete();
    else this.log.close();
    if (dropSnapshots) for (const f of fs.readdirSync(this.dir)) if (f.endsWith('.snapshot')) fs.rmSync(path.join(this.dir, f));
    this.log = this.openLog(crash ? { hadCleanShutdown: false, recoveryPoint } : { hadCleanShutdown: true, recoveryPoint: this.model.logEnd });
    expect(fs.readdirSync(this.dir).filter((f) => /\.(cleaned|swap|deleted)$/.test(f))).toEqual([]);
    this.cleaner = this.newCleaner();
  }

  private async clean(op: Extract<Op, { kind: 'clean' }>): Promise<void> {
    const m = this.model;
    m.now += op.advanceMs;
    this.log.updateConfig({ ...this.log.config, deleteRetentionMs: op.deleteRetentionMs });
    const ltc = logToClean(this.log, this.cleaner.checkpointedOffset(this.log), m.now);
    const segments = this.log.segmentBaseOffsets();
    const activeFile = path.join(this.dir, `${String(segments[segments.length - 1]).padStart(20, '0')}.log`);
    const activeBytes = fs.readFileSync(activeFile);
    m.cleaningRound(m.now, op.deleteRetentionMs);

    const cleaning = this.cleaner.cleanFilthiestLog(m.now);
    for (const racing of op.racing) {
      this.racing(racing);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (op.shutdown) await this.cleaner.shutdown();
    const summary = await cleaning;

    expect([this.log.logStartOffset, this.log.logEndOffset, this.log.highWatermark]).toEqual([m.logStart, m.logEnd, m.logEnd]);
    if (op.racing.length === 0 && !op.shutdown) {
      // Nothing interfered: a dirty log is cleaned whole, a clean one is left alone, the active segment is untouched.
      expect(summary !== null).toBe(ltc.cleanableBytes > 0);
      if (summary) expect(summary.swapped).toBe(summary.groups.length);
      expect(this.log.segmentBaseOffsets().at(-1)).toBe(segments.at(-1));
      expect(fs.readFileSync(activeFile)).toEqual(activeBytes);
    }
    if (op.shutdown) this.reopen(false);
  }

  /** Everything the log holds agrees with the model. */
  check(): void {
    const m = this.model;
    expect([this.log.logStartOffset, this.log.logEndOffset, this.log.highWatermark]).toEqual([m.logStart, m.logEnd, m.logEnd]);
    const present = new Map<number, WrittenRecord>();
    for (const r of readAll(this.log)) {
      if (r.offset < m.logStart) continue;
      const written = m.records.get(r.offset);
      expect(written, `offset ${r.offset} was never written`).toBeDefined();
      expect({ ...r, offset: r.offset }).toEqual({
        offset: written!.offset,
        key: written!.key,
        value: written!.value,
        header: written!.header,
        timestamp: written!.timestamp,
        producerId: written!.producerId,
        sequence: written!.sequence,
      });
      present.set(r.offset, written!);
    }
    // Per key, the newest record at or above the log start: a value (or a tombstone not yet past
    // any possible delete horizon) must be there and be the key's newest; a removable tombstone
    // may be gone, but then so is every older record of the key.
    const latest = new Map<string, WrittenRecord>();
    for (const r of m.records.values()) if (r.offset >= m.logStart) latest.set(r.key, r);
    const newestPresent = new Map<string, number>();
    for (const r of present.values()) newestPresent.set(r.key, r.offset);
    for (const [key, r] of latest) {
      if (r.value !== null || !r.removable || present.has(r.offset)) {
        expect(present.has(r.offset), `latest record of ${key} at ${r.offset}`).toBe(true);
        expect(newestPresent.get(key)).toBe(r.offset);
      } else {
        expect(newestPresent.get(key), `${key} after its tombstone at ${r.offset} was removed`).toBeUndefined();
      }
    }
    // Below the cleaner's checkpoint nothing superseded by a record also below it remains.
    const cleanedTo = Math.min(this.cleaner.checkpointedOffset(this.log) ?? m.logStart, m.logEnd);
    const nextOfKey = new Map<number, number>();
    const seen = new Map<string, number>();
    for (const offset of [...m.records.keys()].sort((a, b) => b - a)) {
      const key = m.records.get(offset)!.key;
      const next = seen.get(key);
      if (next !== undefined) nextOfKey.set(offset, next);
      seen.set(key, offset);
    }
    for (const offset of present.keys()) {
      const next = nextOfKey.get(offset);
      if (offset < cleanedTo && next !== undefined && next < cleanedTo) {
        expect.fail(`offset ${offset} is superseded by ${next}, both below the clean offset ${cleanedTo}`);
      }
    }
  }
}

/** A record as a consumer reads it, with its batch's producer fields. */
interface ReadBack {
  offset: number;
  key: string;
  value: string | null;
  header: string;
  timestamp: number;
  producerId: number;
  sequence: number;
}

/**
 * Fetches the whole log from its start as a consumer does, checking on the way that batches and
 * records come in strictly increasing offsets and that reads reach the log end.
 */
function readAll(log: PartitionLog): ReadBack[] {
  const out: ReadBack[] = [];
  let offset = log.logStartOffset;
  let lastSeen = -1;
  while (offset < log.logEndOffset) {
    const bytes = log.read(offset, 1 << 20, true, 'uncommitted').records;
    const batches = decodeRecordBatches(bytes, { decompress: (codec, data) => native.decompress(codec as 0, data) });
    expect(batches.length, `a read at ${offset} below the log end ${log.logEndOffset} returned nothing`).toBeGreaterThan(0);
    for (const b of batches) {
      expect(b.baseOffset).toBeGreaterThan(lastSeen);
      for (const r of b.records) {
        expect(r.offset).toBeGreaterThan(lastSeen);
        expect(r.offset).toBeLessThanOrEqual(b.baseOffset + b.lastOffsetDelta);
        lastSeen = r.offset;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? '',
          value: r.value === null ? null : r.value.toString(),
          header: r.headers[0]?.value?.toString() ?? '',
          // LogAppendTime: consumers take the batch's maxTimestamp for every record.
          timestamp: b.timestampType === 1 ? b.maxTimestamp : r.timestamp,
          producerId: b.producerId,
          sequence: b.producerId >= 0 ? b.baseSequence + r.offsetDelta : -1,
        });
      }
      lastSeen = b.baseOffset + b.lastOffsetDelta;
    }
    offset = lastSeen + 1;
  }
  expect(lastSeen).toBeLessThan(log.logEndOffset);
  return out;
}

test('a compacted log agrees with the model of what it was written after every append, clean, race and reopen', async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(setupArb, fc.array(opArb, { minLength: 10, maxLength: 80 }), async (setup, ops) => {
      const run = new Run(setup, path.join(root, `run-${runs++}`));
      try {
        for (const op of ops) {
          await run.apply(op);
          run.check();
        }
        await run.apply({ kind: 'reopen', crash: true, dropSnapshots: true });
        run.check();
        run.checkRetries();
      } finally {
        await run.cleaner.shutdown();
        run.close();
      }
    }),
    { numRuns: 50 },
  );
}, 60_000);
