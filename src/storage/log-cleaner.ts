// Kafka's LogCleaner and LogCleanerManager: compaction of cleanup.policy=compact logs. One cleaner
// (log.cleaner.threads > 1 runs as 1) picks the dirtiest log, has the addon map and rewrite its
// dirty range off the JS thread, swaps the cleaned segments in, and records how far it got in
// each log dir's cleaner-offset-checkpoint.
import * as path from 'node:path';
import { log as logger } from '../logger.js';
import { native, type CleanerAbortHandle, type CleanLogResult } from '../native/index.js';
import { CorruptCheckpointError } from './checkpoint-file.js';
import { OffsetCheckpointFile, partitionKey, type PartitionOffset } from './offset-checkpoint-file.js';
import type { CleanableSegment, PartitionLog } from './partition-log.js';

/** The broker's log.cleaner.* settings the cleaner obeys. */
export interface LogCleanerConfig {
  enable: boolean; // log.cleaner.enable
  threads: number; // log.cleaner.threads: 0 disables cleaning; more than 1 still runs one cleaner
  backoffMs: number; // log.cleaner.backoff.ms: the pause when no log needs cleaning
  dedupeBufferSize: number; // log.cleaner.dedupe.buffer.size: offset map memory, shared by the threads
  ioBufferLoadFactor: number; // log.cleaner.io.buffer.load.factor: how full the offset map may get
}

/** Kafka's defaults for the cleaner settings. */
export const defaultLogCleanerConfig: LogCleanerConfig = Object.freeze({
  enable: true,
  threads: 1,
  backoffMs: 15_000,
  dedupeBufferSize: 128 * 1024 * 1024,
  ioBufferLoadFactor: 0.9,
});

/** The per-log-dir file recording, per compacted partition, the offset below which it is clean. */
export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint';

const INT32_MAX = 2147483647;

/** Kafka's LogToClean: a compacted log's dirty range and how dirty it is. */
export interface LogToClean {
  log: PartitionLog;
  firstDirtyOffset: number;
  /** A segment base offset: cleaning stops before it (active segment, min.compaction.lag.ms). */
  firstUncleanableOffset: number;
  cleanBytes: number;
  cleanableBytes: number;
  cleanableRatio: number;
  /** max.compaction.lag.ms has passed for some dirty record: clean whatever the ratio. */
  needCompactionNow: boolean;
  /** The checkpointed offset was invalid and must be replaced by firstDirtyOffset. */
  forceUpdateCheckpoint: boolean;
}

/** Kafka's LocalLog.logSegments(from, to): the segments from the one holding `from` whose base is below `to`. */
function segmentsIn(segments: readonly CleanableSegment[], from: number, to: number): CleanableSegment[] {
  if (from >= to) return [];
  let first = 0;
  for (let i = 0; i < segments.length; i++) if (segments[i].baseOffset <= from) first = i;
  return segments.slice(first).filter((s) => s.baseOffset < to);
}

/** Kafka's nonActiveLogSegmentsFrom: the segments from the one holding `from`, without the active one. */
function nonActiveFrom(segments: readonly CleanableSegment[], from: number): CleanableSegment[] {
  return segmentsIn(segments, from, segments[segments.length - 1].baseOffset);
}

const sizeOf = (segments: CleanableSegment[]): number => segments.reduce((n, s) => n + s.size, 0);

/**
 * Kafka's LogCleanerManager.cleanableOffsets + calculateCleanableBytes + maxCompactionDelay: the
 * dirty range of one compacted log at `nowMs`, given its checkpointed clean offset.
 */
export function logToClean(log: PartitionLog, lastCleanOffset: number | undefined, nowMs: number): LogToClean {
  const segments = log.segmentSummaries();
  const active = segments[segments.length - 1];
  const logStart = log.logStartOffset;
  const checkpoint = lastCleanOffset ?? logStart;
  // A checkpoint outside the log (truncated or deleted meanwhile): clean from the log start.
  const forceUpdateCheckpoint = checkpoint < logStart || checkpoint > log.logEndOffset;
  const firstDirtyOffset = forceUpdateCheckpoint ? logStart : checkpoint;

  let uncleanable = Math.min(log.lastStableOffset, active.baseOffset);
  const minLag = Math.max(log.config.minCompactionLagMs, 0);
  if (minLag > 0) {
    const young = nonActiveFrom(segments, firstDirtyOffset).find((s) => s.largestTimestamp > nowMs - minLag);
    if (young) uncleanable = Math.min(uncleanable, young.baseOffset);
  }
  uncleanable = Math.max(firstDirtyOffset, uncleanable);
  const firstUncleanableOffset = (nonActiveFrom(segments, uncleanable)[0] ?? active).baseOffset;

  const cleanBytes = sizeOf(segmentsIn(segments, -1, firstDirtyOffset));
  const cleanableBytes = sizeOf(segmentsIn(segments, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset));
  const totalBytes = cleanBytes + cleanableBytes;

  const firstBatchTimestamps = nonActiveFrom(segments, firstDirtyOffset)
    .map((s) => s.firstBatchTimestamp)
    .filter((t) => t > 0);
  const earliest = firstBatchTimestamps.length > 0 ? Math.min(...firstBatchTimestamps) : Number.MAX_SAFE_INTEGER;
  const cleanUntil = nowMs - Math.max(log.config.maxCompactionLagMs, 0);
  return {
    log,
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    cleanableRatio: totalBytes > 0 ? cleanableBytes / totalBytes : 0,
    needCompactionNow: earliest < cleanUntil,
    forceUpdateCheckpoint,
  };
}

/** Kafka's grabFilthiestCompactedLog choice: the highest dirty ratio among logs due for cleaning. */
export function filthiest(candidates: LogToClean[]): LogToClean | undefined {
  let best: LogToClean | undefined;
  for (const c of candidates) {
    if (c.cleanBytes + c.cleanableBytes === 0) continue;
    const due = (c.needCompactionNow && c.cleanableBytes > 0) || c.cleanableRatio > c.log.config.minCleanableDirtyRatio;
    if (due && (best === undefined || c.cleanableRatio > best.cleanableRatio)) best = c;
  }
  return best;
}

/** How LogCleaner reaches the logs and the clock. */
export interface LogCleanerOptions {
  logDirs: string[];
  /** Every log of this node (the cleaner considers the compacted, online ones). */
  logs: () => PartitionLog[];
  config: LogCleanerConfig;
  clock?: () => number;
}

/** What one cleaning did, for logs and tests. */
export interface CleanSummary extends CleanLogResult {
  topic: string;
  partition: number;
  firstDirtyOffset: number;
  /** Cleaned segments that were swapped in (a log that changed meanwhile keeps its segments). */
  swapped: number;
}

/** The log cleaner of one broker: one cleaning at a time, off the JS thread except for the swap. */
export class LogCleaner {
  private readonly checkpoints = new Map<string, Map<string, PartitionOffset>>();
  private readonly uncleanable = new WeakSet<PartitionLog>();
  private readonly inProgress = new Set<PartitionLog>();
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  /** Every cleaning in progress (the loop runs one, but callers may start more), its log and abort flag. */
  private readonly running = new Map<Promise<unknown>, { log: PartitionLog; abort: CleanerAbortHandle }>();
  private stopped = false;

  constructor(private readonly opts: LogCleanerOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** Reads every log dir's cleaner-offset-checkpoint (once the logs are loaded: entries of absent logs are dropped). */
  loadCheckpoints(): void {
    for (const dir of this.opts.logDirs) this.checkpoints.set(dir, this.readCheckpoint(dir));
  }

  /** Starts the cleaning loop unless log.cleaner.enable=false or log.cleaner.threads=0. */
  startup(): void {
    if (!this.opts.config.enable || this.opts.config.threads < 1 || this.stopped || this.timer) return;
    this.schedule(0);
  }

  /** Stops the loop, aborts every cleaning in progress and waits for them to let go of the files. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const { abort } of this.running.values()) abort.abort();
    await Promise.allSettled([...this.running.keys()]);
  }

  /** The clean offset recorded for a log, if any (what the next round starts from). */
  checkpointedOffset(log: PartitionLog): number | undefined {
    return this.checkpoints.get(path.dirname(log.dir))?.get(partitionKey(log.topic, log.partition))?.offset;
  }

  /**
   * Kafka's CleanerThread.cleanFilthiestLog: cleans the dirtiest compacted log that is due, if any.
   * Resolves with what was done, or null when no log needed cleaning.
   */
  async cleanFilthiestLog(nowMs: number = this.clock()): Promise<CleanSummary | null> {
    const candidates: LogToClean[] = [];
    for (const log of this.opts.logs()) {
      if (!log.isOpen || !log.config.cleanupPolicy.includes('compact')) continue;
      if (this.uncleanable.has(log) || this.inProgress.has(log)) continue;
      try {
        const ltc = logToClean(log, this.checkpointedOffset(log), nowMs);
        if (ltc.forceUpdateCheckpoint) this.updateCheckpoint(log, ltc.firstDirtyOffset);
        candidates.push(ltc);
      } catch (err) {
        this.markUncleanable(log, err);
      }
    }
    const chosen = filthiest(candidates);
    return chosen ? this.clean(chosen, nowMs) : null;
  }

  /** Kafka's Cleaner.doClean: maps and rewrites natively, then swaps each cleaned group in. */
  async clean(ltc: LogToClean, nowMs: number = this.clock()): Promise<CleanSummary | null> {
    const { log } = ltc;
    if (this.inProgress.has(log)) return null;
    this.inProgress.add(log);
    const abort = native.newCleanerAbort();
    const config = this.opts.config;
    const segments = log
      .segmentSummaries()
      .slice(0, -1)
      .map((s) => s.baseOffset)
      .filter((base) => base < ltc.firstUncleanableOffset);
    const work = (async () => {
      const result = await native.cleanLog(
        {
          dir: log.dir,
          segments,
          firstDirtyOffset: ltc.firstDirtyOffset,
          firstUncleanableOffset: ltc.firstUncleanableOffset,
          dedupeBufferSize: Math.min(Math.floor(config.dedupeBufferSize / Math.max(1, config.threads)), INT32_MAX),
          loadFactor: config.ioBufferLoadFactor,
          maxSegmentBytes: log.config.segmentBytes,
          maxIndexBytes: log.config.segmentIndexBytes,
          indexIntervalBytes: log.config.indexIntervalBytes,
          deleteRetentionMs: log.config.deleteRetentionMs,
          nowMs,
          activeProducers: log.activeProducers(),
        },
        abort,
      );
      let swapped = 0;
      for (const group of result.groups) {
        // A log closed or changed while its copy was cleaned keeps its segments; the rest is discarded.
        if (!this.stopped && log.replaceSegments(group)) swapped++;
        else log.discardCleaned(group);
      }
      // A log deleted meanwhile must not get its entry back (removeLog dropped it).
      if (swapped === result.groups.length && log.isOpen) this.updateCheckpoint(log, result.endOffset);
      return { ...result, topic: log.topic, partition: log.partition, firstDirtyOffset: ltc.firstDirtyOffset, swapped };
    })();
    this.running.set(work, { log, abort });
    try {
      return await work;
    } catch (err) {
      // Retention, DeleteRecords or a deletion removing segments meanwhile is no fault of the log.
      const present = new Set(log.isOpen ? log.segmentBaseOffsets() : []);
      if (!this.stopped && segments.every((base) => present.has(base))) this.markUncleanable(log, err);
      return null;
    } finally {
      this.inProgress.delete(log);
      this.running.delete(work);
    }
  }

  /**
   * Kafka's abortCleaning plus updateCheckpoints(partitionToRemove) for a log being deleted: a
   * cleaning of it stops, and its clean offset is forgotten, so a log later created under the same
   * name is cleaned from its start rather than trusted clean up to the old log's offset.
   */
  removeLog(log: PartitionLog): void {
    for (const running of this.running.values()) if (running.log === log) running.abort.abort();
    const dir = path.dirname(log.dir);
    const entries = this.checkpoints.get(dir);
    if (entries?.delete(partitionKey(log.topic, log.partition))) this.writeCheckpoint(dir, entries);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.cleanFilthiestLog().then(
        (summary) => {
          if (summary) {
            logger.info(
              `Cleaned ${summary.topic}-${summary.partition} from offset ${summary.firstDirtyOffset} to ${summary.endOffset}: ` +
                `${summary.messagesRetained} of ${summary.messagesRead} records kept (${summary.bytesRetained} of ${summary.bytesRead} bytes)`,
            );
          }
          this.schedule(summary ? 0 : this.opts.config.backoffMs);
        },
        (err: unknown) => {
          logger.error(`Log cleaner pass failed: ${(err as Error).message}`);
          this.schedule(this.opts.config.backoffMs);
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  /** Kafka marks a log it failed to clean uncleanable until restart; other logs go on being cleaned. */
  private markUncleanable(log: PartitionLog, err: unknown): void {
    this.uncleanable.add(log);
    logger.error(`Cleaning ${log.topic}-${log.partition} failed; it will not be cleaned again until restart: ${(err as Error).message}`);
  }

  private readCheckpoint(dir: string): Map<string, PartitionOffset> {
    const entries = new Map<string, PartitionOffset>();
    let offsets: Map<string, number>;
    try {
      offsets = new OffsetCheckpointFile(dir, CLEANER_CHECKPOINT_FILE).read();
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      logger.warn(`${err.message}; compacted logs will be cleaned from their start`);
      return entries;
    }
    for (const log of this.opts.logs()) {
      const key = partitionKey(log.topic, log.partition);
      const offset = offsets.get(key);
      if (offset !== undefined && path.dirname(log.dir) === dir) entries.set(key, { topic: log.topic, partition: log.partition, offset });
    }
    return entries;
  }

  /** Kafka's updateCheckpoints: rewrites the dir's file with this entry, dropping logs no longer here. */
  private updateCheckpoint(log: PartitionLog, offset: number): void {
    const dir = path.dirname(log.dir);
    const entries = this.checkpoints.get(dir) ?? new Map<string, PartitionOffset>();
    this.checkpoints.set(dir, entries);
    entries.set(partitionKey(log.topic, log.partition), { topic: log.topic, partition: log.partition, offset });
    const present = new Set(this.opts.logs().map((l) => partitionKey(l.topic, l.partition)));
    for (const key of [...entries.keys()]) if (!present.has(key)) entries.delete(key);
    this.writeCheckpoint(dir, entries);
  }

  private writeCheckpoint(dir: string, entries: Map<string, PartitionOffset>): void {
    try {
      new OffsetCheckpointFile(dir, CLEANER_CHECKPOINT_FILE).write([...entries.values()]);
    } catch (err) {
      logger.error(`Writing ${CLEANER_CHECKPOINT_FILE} in ${dir} failed: ${(err as Error).message}`);
    }
  }
}
