// Kafka's UnifiedLog for one partition: its segments, offsets, producer state and epoch history.
// The single owner of the partition's files; the bytes themselves are handled by the native addon.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { log as logger } from '../logger.js';
import { native, type ActiveProducer, type CleanedGroup, type FileRegionHandle } from '../native/index.js';
import { KafkaError } from '../protocol/errors.js';
import { ZERO_UUID } from './kafka-uuid.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import type { LogConfig } from './log-config.js';
import { targetCodec, validateBatchForTopic } from './log-validator.js';
import { offsetFileStem, Suffix } from './log-file-names.js';
import { loadSegments, type LoadSummary } from './log-loader.js';
import { fsyncDir } from './durable-file.js';
import {
  changeFileSuffixes,
  floorSegmentIndex,
  openLogSegment,
  removeSegmentFiles,
  type LogSegment,
} from './log-segment.js';
import { readPartitionMetadata, writePartitionMetadata } from './partition-metadata.js';
import { ProducerStateManager } from './producer-state-manager.js';
import { replayProducerState } from './producer-state-replay.js';
import { SegmentDeletionQueue } from './segment-deletion.js';

/** What an append wrote (or, for a retried batch, what was written the first time). */
export interface LogAppendInfo {
  baseOffset: number;
  lastOffset: number;
  logAppendTime: number; // -1 unless the topic uses LogAppendTime
  logStartOffset: number;
  recordCount: number;
  duplicate: boolean;
}

/** Whole record batches read from the log, plus the partition's offsets at read time. */
export interface FetchDataInfo {
  records: Buffer;
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
}

/** What a fetch read: whole batches as a file region to send (an empty Buffer when none), plus offsets. */
export interface FetchRegionInfo {
  records: FileRegionHandle | Buffer;
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
}

/** A ListOffsets answer: the offset found, its record's timestamp (-1 when none) and epoch. */
export interface TimestampAndOffset {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** A segment as the log cleaner weighs it. */
export interface CleanableSegment {
  baseOffset: number;
  size: number;
  largestTimestamp: number; // newest batch timestamp, else the file's mtime (Kafka's largestTimestamp)
  firstBatchTimestamp: number; // -1 when empty
}

/** Fetch isolation: read_uncommitted reads to the high watermark, read_committed to the LSO. */
export type IsolationLevel = 'uncommitted' | 'committed';

/** The special ListOffsets timestamps Kafka defines. */
const ListOffsetsTimestamp = { latest: -1, earliest: -2, maxTimestamp: -3, earliestLocal: -4 } as const;

/** How to open a partition's log (LogManager fills the checkpointed offsets in). */
export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  /** Written to partition.metadata when the directory has none. */
  topicId?: string;
  config: LogConfig;
  /** From log-start-offset-checkpoint; 0 when absent. */
  logStartOffset?: number;
  /** From recovery-point-offset-checkpoint; 0 when absent. */
  recoveryPoint?: number;
  /** True when the log dir had Kafka's clean-shutdown marker: checkpoints are trusted, no scan. */
  hadCleanShutdown?: boolean;
  /** Milliseconds clock (tests inject one). */
  clock?: () => number;
  /** Called after DeleteRecords moved the log start offset, so it can be checkpointed at once. */
  onLogStartOffsetMoved?: (log: PartitionLog) => void;
}

const EMPTY = Buffer.alloc(0);

/** True for failures of the disk rather than of the input: they take the partition offline. */
function isStorageError(err: unknown): boolean {
  const e = err as { errorName?: unknown; syscall?: unknown; code?: unknown } | null;
  if (e?.errorName === 'KAFKA_STORAGE_ERROR') return true;
  return typeof e?.syscall === 'string' && typeof e?.code === 'string';
}

/** One partition's log: append as leader, read, list offsets, retention and recovery. */
export class PartitionLog {
  private segments: LogSegment[] = [];
  private _logStartOffset = 0;
  private nextOffset = 0;
  private _recoveryPoint = 0;
  private lastFlushMs: number;
  private offlineCause: unknown = null;
  private closed = false;
  private readonly deletions = new SegmentDeletionQueue();
  private _topicId: string;
  private producerState!: ProducerStateManager;
  private epochCache!: LeaderEpochCache;
  /** What the last open() found and repaired. */
  loadSummary: LoadSummary = { recoveredSegments: 0, truncatedBytes: 0, deletedSegments: 0 };

  private constructor(
    readonly topic: string,
    readonly partition: number,
    topicId: string,
    readonly dir: string,
    public config: LogConfig,
    private readonly clock: () => number,
    private readonly onLogStartOffsetMoved?: (log: PartitionLog) => void,
  ) {
    this._topicId = topicId;
    this.lastFlushMs = clock();
  }

  /**
   * Opens (creating if needed) the partition directory: removes transient files, opens the
   * segments, recovers them from the recovery point unless the shutdown was clean, and rebuilds
   * producer state from the newest snapshot plus the log after it.
   */
  static open(opts: PartitionLogOptions): PartitionLog {
    const clock = opts.clock ?? Date.now;
    const { topic, partition, dir, config } = opts;
    const log = new PartitionLog(topic, partition, opts.topicId ?? ZERO_UUID, dir, config, clock, opts.onLogStartOffsetMoved);
    try {
      log.load(opts);
    } catch (err) {
      log.closeHandlesQuietly();
      throw err;
    }
    return log;
  }

  /** A log whose directory could not be opened: it answers KAFKA_STORAGE_ERROR to everything. */
  static offline(opts: PartitionLogOptions, cause: unknown): PartitionLog {
    const clock = opts.clock ?? Date.now;
    const log = new PartitionLog(opts.topic, opts.partition, opts.topicId ?? ZERO_UUID, opts.dir, opts.config, clock);
    log.offlineCause = cause;
    // Kept so the LogManager's checkpoints go on carrying them until the partition loads again.
    log._logStartOffset = opts.logStartOffset ?? 0;
    log._recoveryPoint = opts.recoveryPoint ?? 0;
    return log;
  }

  /** The topic id from partition.metadata (Kafka's zero Uuid when unknown). */
  get topicId(): string {
    return this._topicId;
  }

  /** First offset still readable. */
  get logStartOffset(): number {
    return this._logStartOffset;
  }

  /** Offset the next appended record gets. */
  get logEndOffset(): number {
    return this.nextOffset;
  }

  /** Single node: everything appended is committed. */
  get highWatermark(): number {
    return this.nextOffset;
  }

  /** Equals the high watermark until transactions exist. */
  get lastStableOffset(): number {
    return this.nextOffset;
  }

  /** Offset below which everything is fsynced (what recovery-point-offset-checkpoint records). */
  get recoveryPoint(): number {
    return this._recoveryPoint;
  }

  /** Current leader epoch: the newest one in the epoch history. */
  get leaderEpoch(): number {
    return this.offlineCause === null && this.epochCache ? this.epochCache.latestEpoch() : -1;
  }

  /** Bytes of all segments' .log files. */
  get size(): number {
    if (this.offlineCause !== null || this.closed) return 0;
    let total = 0;
    for (const s of this.segments) total += s.handle.size();
    return total;
  }

  /** Number of segments. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first (for tools and tests). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** True once an I/O failure took this partition offline. */
  get isOffline(): boolean {
    return this.offlineCause !== null;
  }

  /** Replaces the config; new segments and the next retention pass use it. */
  updateConfig(config: LogConfig): void {
    this.config = config;
  }

  /** Records the topic id for a log that had none (a directory written without partition.metadata). */
  assignTopicId(topicId: string): void {
    this.checkOnline();
    this.io(() => writePartitionMetadata(this.dir, topicId));
    this._topicId = topicId;
  }

  /**
   * Validates the batch natively, checks idempotent producer state, assigns offsets, rolls when
   * due, appends and indexes. Nothing is written when anything is refused.
   */
  appendAsLeader(records: Buffer, leaderEpoch: number): LogAppendInfo {
    this.checkOnline();
    // Throws CORRUPT_MESSAGE for an empty buffer, so there is always a first batch below.
    const batches = native.validateRecordBatches(records, this.config.maxMessageBytes);
    if (batches.length !== 1) {
      throw new KafkaError('INVALID_RECORD', 'A produce request must carry exactly one v2 record batch per partition');
    }
    const batch = batches[0];
    if (batch.isControl) throw new KafkaError('INVALID_RECORD', 'Clients may not write control batches');
    if (batch.baseOffset !== 0) {
      // Kafka's LogValidator on client appends: the broker assigns offsets, so a producer sends 0.
      throw new KafkaError('INVALID_RECORD', `The baseOffset of a produced record batch must be 0, but it is ${batch.baseOffset}`);
    }
    validateBatchForTopic(records, batch, this.config, this.clock(), `${this.topic}-${this.partition}`);
    const codec = targetCodec(this.config.compressionType);
    if (codec !== null && batch.compression !== codec) {
      records = native.recompressBatches(records, codec);
      // As Kafka re-checks sizes after recompression: the stored batch must fit max.message.bytes.
      if (records.length > this.config.maxMessageBytes) {
        throw new KafkaError(
          'MESSAGE_TOO_LARGE',
          `The batch is ${records.length} bytes after recompression, more than max.message.bytes ${this.config.maxMessageBytes}`,
        );
      }
    }
    if (records.length > this.config.segmentBytes) {
      throw new KafkaError(
        'RECORD_LIST_TOO_LARGE',
        `The batch of ${records.length} bytes exceeds segment.bytes ${this.config.segmentBytes}`,
      );
    }
    const duplicate = this.producerState.checkLeaderAppend(batch);
    if (duplicate) {
      return {
        baseOffset: duplicate.lastOffset - duplicate.offsetDelta,
        lastOffset: duplicate.lastOffset,
        logAppendTime: this.config.messageTimestampType === 'LogAppendTime' ? duplicate.timestamp : -1,
        logStartOffset: this._logStartOffset,
        recordCount: batch.recordCount,
        duplicate: true,
      };
    }
    return this.io(() => {
      const now = this.clock();
      const logAppendTime = this.config.messageTimestampType === 'LogAppendTime' ? now : -1;
      const baseOffset = this.nextOffset;
      const maxTimestamp = logAppendTime >= 0 ? logAppendTime : batch.maxTimestamp;
      // One native call checks the roll, assigns offsets and writes; -1 asks for a roll first
      // (a fresh segment never does).
      let lastOffset = this.appendToActive(records, baseOffset, leaderEpoch, logAppendTime, now);
      if (lastOffset < 0) {
        this.rollSegment();
        lastOffset = this.appendToActive(records, baseOffset, leaderEpoch, logAppendTime, now);
      }
      this.nextOffset = lastOffset + 1;
      this.producerState.update(batch, lastOffset, maxTimestamp);
      this.producerState.updateMapEndOffset(this.nextOffset);
      this.epochCache.assign(leaderEpoch, baseOffset);
      if (this.nextOffset - this._recoveryPoint >= this.config.flushMessages) this.flush();
      return {
        baseOffset,
        lastOffset,
        logAppendTime,
        logStartOffset: this._logStartOffset,
        recordCount: batch.recordCount,
        duplicate: false,
      };
    });
  }

  /**
   * Whole batches from the one containing fetchOffset, up to maxBytes (at least one batch when
   * minOneMessage), copied into a Buffer (group loading, tools). OFFSET_OUT_OF_RANGE outside
   * [logStartOffset, logEndOffset].
   */
  read(fetchOffset: number, maxBytes: number, minOneMessage: boolean, isolation: IsolationLevel): FetchDataInfo {
    const { found, ...offsets } = this.locateRead(fetchOffset, maxBytes, minOneMessage, isolation);
    const records = found ? this.io(() => found.segment.handle.readBytes(found.position, found.size)) : EMPTY;
    return { records, ...offsets };
  }

  /**
   * read() for a fetch: the same batches as a file region the connection sends with sendfile,
   * so no record byte enters the JS heap. A region of a segment other than the active one asks
   * the kernel for read-ahead (the consumer is catching up on cold data).
   */
  readRegion(fetchOffset: number, maxBytes: number, minOneMessage: boolean, isolation: IsolationLevel): FetchRegionInfo {
    const { found, ...offsets } = this.locateRead(fetchOffset, maxBytes, minOneMessage, isolation);
    const records = found ? this.io(() => found.segment.handle.region(found.position, found.size, found.cold)) : EMPTY;
    return { records, ...offsets };
  }

  /** Where the batches of a read are (null when there are none) and the offsets at read time. */
  private locateRead(fetchOffset: number, maxBytes: number, minOneMessage: boolean, isolation: IsolationLevel) {
    this.checkOnline();
    const endOffset = isolation === 'committed' ? this.lastStableOffset : this.highWatermark;
    const offsets = { highWatermark: this.highWatermark, logStartOffset: this._logStartOffset, lastStableOffset: this.lastStableOffset };
    if (fetchOffset < this._logStartOffset || fetchOffset > this.nextOffset) {
      throw new KafkaError(
        'OFFSET_OUT_OF_RANGE',
        `Offset ${fetchOffset} is outside [${this._logStartOffset}, ${this.nextOffset}] of ${this.topic}-${this.partition}`,
      );
    }
    if (fetchOffset >= endOffset) return { found: null, ...offsets };
    const found = this.io(() => {
      for (let i = floorSegmentIndex(this.segments, fetchOffset); i < this.segments.length; i++) {
        const segment = this.segments[i];
        const slice = segment.handle.read(fetchOffset, maxBytes, segment.handle.size(), minOneMessage);
        if (slice) return slice.size > 0 ? { segment, position: slice.position, size: slice.size, cold: i < this.segments.length - 1 } : null;
      }
      return null;
    });
    return { found, ...offsets };
  }

  /**
   * ListOffsets: -2 earliest, -1 latest, -3 the record with the largest timestamp, otherwise the
   * first record with timestamp >= target (null when there is none).
   */
  fetchOffsetByTimestamp(timestamp: number): TimestampAndOffset | null {
    this.checkOnline();
    if (timestamp === ListOffsetsTimestamp.earliest || timestamp === ListOffsetsTimestamp.earliestLocal) {
      const first = this.epochCache.earliestEntry();
      const epoch = first && first.startOffset <= this._logStartOffset ? first.epoch : -1;
      return { offset: this._logStartOffset, timestamp: -1, leaderEpoch: epoch };
    }
    if (timestamp === ListOffsetsTimestamp.latest) {
      return { offset: this.nextOffset, timestamp: -1, leaderEpoch: this.epochCache.latestEpoch() };
    }
    return this.io(() => {
      if (timestamp === ListOffsetsTimestamp.maxTimestamp) {
        let best: LogSegment | undefined;
        let bestTs = -1;
        for (const s of this.segments) {
          const ts = s.handle.maxTimestampSoFar().timestamp;
          if (ts > bestTs) {
            best = s;
            bestTs = ts;
          }
        }
        if (!best || bestTs < 0) return null;
        const found = best.handle.findOffsetByTimestamp(bestTs, Math.max(best.baseOffset, this._logStartOffset));
        return found ? this.withEpoch(found) : null;
      }
      if (timestamp < 0) return null;
      for (const s of this.segments) {
        if (this.largestTimestamp(s) < timestamp) continue;
        const found = s.handle.findOffsetByTimestamp(timestamp, this._logStartOffset);
        if (found) return this.withEpoch(found);
      }
      return null;
    });
  }

  /** OffsetForLeaderEpoch: the largest epoch <= leaderEpoch and where it ended (-1/-1 when unknown). */
  endOffsetForEpoch(leaderEpoch: number): { leaderEpoch: number; endOffset: number } {
    this.checkOnline();
    return this.epochCache.endOffsetFor(leaderEpoch, this.nextOffset);
  }

  /** Records that leaderEpoch starts at startOffset (Kafka does this when a replica becomes leader). */
  maybeAssignEpochStartOffset(leaderEpoch: number, startOffset: number): void {
    this.checkOnline();
    this.io(() => this.epochCache.assign(leaderEpoch, startOffset));
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (-1 means the high watermark) and
   * deletes the segments wholly below it. Returns the new log start offset (the low watermark).
   */
  deleteRecordsBefore(offset: number): number {
    this.checkOnline();
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) {
      throw new KafkaError(
        'OFFSET_OUT_OF_RANGE',
        `Cannot delete records of ${this.topic}-${this.partition} before ${offset}: the high watermark is ${this.highWatermark}`,
      );
    }
    const before = this._logStartOffset;
    this.io(() => {
      this.maybeIncrementLogStartOffset(target);
      this.deleteLogStartOffsetBreachedSegments();
    });
    if (this._logStartOffset !== before) this.onLogStartOffsetMoved?.(this);
    return this._logStartOffset;
  }

  /**
   * Retention: deletes the oldest segments that lie below the log start offset, exceed
   * retention.bytes, or whose newest record is older than retention.ms (rolling the active
   * segment first when it is one of them). Returns how many segments were deleted.
   */
  deleteOldSegments(nowMs: number = this.clock()): number {
    this.checkOnline();
    return this.io(() => {
      let deleted = this.deleteLogStartOffsetBreachedSegments();
      if (!this.config.cleanupPolicy.includes('delete')) return deleted;
      const retentionBytes = this.config.retentionBytes;
      if (retentionBytes >= 0) {
        let excess = this.size - retentionBytes;
        deleted += this.deleteSegments(
          this.deletableSegments((s) => {
            const segSize = s.handle.size();
            if (excess - segSize < 0) return false;
            excess -= segSize;
            return true;
          }),
        );
      }
      const retentionMs = this.config.retentionMs;
      if (retentionMs >= 0) {
        deleted += this.deleteSegments(this.deletableSegments((s) => nowMs - this.largestTimestamp(s) > retentionMs));
      }
      return deleted;
    });
  }

  /** Starts a new active segment at the log end offset (no-op when the active one is empty there). */
  roll(): void {
    this.checkOnline();
    this.io(() => this.rollSegment());
  }

  /** fsyncs everything appended so far and advances the recovery point to the log end offset. */
  flush(): void {
    this.checkOnline();
    this.io(() => this.flushUpTo(this.nextOffset));
  }

  /** Flushes when flush.ms has passed since the last flush (LogManager's flush timer calls this). */
  maybeFlush(nowMs: number = this.clock()): void {
    if (this.offlineCause !== null || this.closed) return;
    if (nowMs - this.lastFlushMs >= this.config.flushMs && this.nextOffset > this._recoveryPoint) this.flush();
  }

  /** Forgets idempotent producers idle for longer than expirationMs (producer.id.expiration.ms). */
  removeExpiredProducers(nowMs: number, expirationMs: number): void {
    if (this.offlineCause !== null || this.closed) return;
    this.producerState.removeExpiredProducers(nowMs, expirationMs);
  }

  // ---- log cleaner ---------------------------------------------------------------------------

  /** True while the log can be read and changed (not closed, not offline). */
  get isOpen(): boolean {
    return !this.closed && this.offlineCause === null;
  }

  /** Every segment, oldest first (the last is the active one), with the sizes and timestamps the cleaner weighs. */
  segmentSummaries(): CleanableSegment[] {
    this.checkOnline();
    return this.io(() =>
      this.segments.map((s) => ({
        baseOffset: s.baseOffset,
        size: s.handle.size(),
        largestTimestamp: this.largestTimestamp(s),
        firstBatchTimestamp: s.handle.firstBatchTimestamp(),
      })),
    );
  }

  /** Kafka's lastRecordsOfActiveProducers: the last batch of each of these survives cleaning. */
  activeProducers(): ActiveProducer[] {
    this.checkOnline();
    return this.producerState.lastDataOffsets();
  }

  /**
   * Kafka's replaceSegments: swaps the cleaner's `<base>.*.cleaned` files in for the segments they
   * were cleaned from. The files become `.swap`, the old segments `.deleted` (removed after
   * file.delete.delay.ms), then the swap files take the live names; a crash at any step is
   * finished or undone by the next open (log-loader). Synchronous, so no read sees a half swap.
   * Returns false (removing the cleaned files) when the segments changed while they were cleaned.
   */
  replaceSegments(group: CleanedGroup): boolean {
    const first = this.isOpen ? this.segments.findIndex((s) => s.baseOffset === group.segments[0]) : -1;
    const unchanged =
      first >= 0 &&
      group.baseOffset === group.segments[0] &&
      first + group.segments.length < this.segments.length && // never the active segment
      group.segments.every((base, i) => this.segments[first + i].baseOffset === base);
    if (!unchanged) {
      this.discardCleaned(group);
      return false;
    }
    return this.io(() => {
      const old = this.segments.slice(first, first + group.segments.length);
      const stem = path.join(this.dir, offsetFileStem(group.baseOffset));
      // Kafka keeps the last replaced segment's modification time (retention falls back on it).
      const lastModified = fs.statSync(path.join(this.dir, offsetFileStem(old[old.length - 1].baseOffset) + Suffix.log)).mtime;
      fs.utimesSync(stem + Suffix.log + Suffix.cleaned, lastModified, lastModified);
      changeFileSuffixes(this.dir, group.baseOffset, Suffix.cleaned, Suffix.swap);
      fsyncDir(this.dir);
      this.segments.splice(first, old.length);
      for (const seg of old) this.deletions.delete(this.dir, seg, this.config.fileDeleteDelayMs);
      changeFileSuffixes(this.dir, group.baseOffset, Suffix.swap, '');
      fsyncDir(this.dir);
      this.segments.splice(first, 0, this.openSegment(group.baseOffset));
      return true;
    });
  }

  /** Removes a cleaned group's `.cleaned` files instead of swapping them in. */
  discardCleaned(group: CleanedGroup): void {
    removeSegmentFiles(this.dir, group.baseOffset, Suffix.cleaned);
  }

  /** Flushes, writes the producer snapshot and closes every file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deletions.finishAll();
    if (this.offlineCause !== null) {
      this.closeHandlesQuietly();
      return;
    }
    try {
      this.flushUpTo(this.nextOffset);
      this.producerState.updateMapEndOffset(this.nextOffset);
      this.producerState.takeSnapshot();
      for (const s of this.segments) s.handle.close();
    } catch (err) {
      this.offlineCause = err;
      this.closeHandlesQuietly();
      throw err;
    }
  }

  /** Closes the files without flushing (the directory is being deleted). */
  closeForDelete(): void {
    if (this.closed) return;
    this.closed = true;
    this.deletions.finishAll();
    this.closeHandlesQuietly();
  }

  // ---- loading -------------------------------------------------------------------------------

  private load(opts: PartitionLogOptions): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const recorded = readPartitionMetadata(this.dir);
    if (recorded === null) {
      if (opts.topicId && opts.topicId !== ZERO_UUID) writePartitionMetadata(this.dir, opts.topicId);
    } else {
      if (opts.topicId && opts.topicId !== ZERO_UUID && opts.topicId !== recorded) {
        throw new KafkaError(
          'INCONSISTENT_TOPIC_ID',
          `${this.dir} belongs to topic id ${recorded}, not ${opts.topicId}`,
        );
      }
      this._topicId = recorded;
    }

    const loaded = loadSegments({
      dir: this.dir,
      config: this.config,
      logStartOffset: opts.logStartOffset ?? 0,
      recoveryPoint: opts.recoveryPoint ?? 0,
      hadCleanShutdown: opts.hadCleanShutdown ?? false,
      nowMs: this.clock(),
    });
    this.segments = loaded.segments;
    this.nextOffset = loaded.nextOffset;
    this._logStartOffset = loaded.logStartOffset;
    this._recoveryPoint = loaded.recoveryPoint;
    this.loadSummary = loaded.summary;
    this.producerState = new ProducerStateManager(this.dir);
    this.epochCache = new LeaderEpochCache(this.dir);
    if (loaded.restartedEmpty) {
      this.epochCache.clear();
      this.producerState.truncateFullyAndStartAt(this.nextOffset);
    }
    this.epochCache.truncateFromEnd(this.nextOffset);
    this.epochCache.truncateFromStart(this._logStartOffset);
    // One node leads every partition from the start, as Kafka's makeLeader does at epoch 0.
    if (this.epochCache.latestEpoch() < 0) this.epochCache.assign(0, this.nextOffset);
    this.rebuildProducerState();
  }

  /** Kafka's rebuildProducerState: newest valid snapshot, then the batches written after it. */
  private rebuildProducerState(): void {
    this.producerState.loadFromSnapshots(this._logStartOffset, this.nextOffset);
    const from = Math.max(this.producerState.mapEndOffset, this._logStartOffset);
    if (from < this.nextOffset) {
      try {
        replayProducerState(this.producerState, this.segments, from);
      } catch (err) {
        // Bytes that are not whole batches (a segment below the recovery point damaged on disk)
        // must not make the rest unreadable: keep what was rebuilt; producers not seen continue
        // at any sequence.
        if (isStorageError(err)) throw err;
        this.loadSummary.producerStateProblem = describe(err);
      }
    }
    this.producerState.updateMapEndOffset(this.nextOffset);
    this.producerState.takeSnapshot();
  }

  // ---- segments ------------------------------------------------------------------------------

  private openSegment(baseOffset: number): LogSegment {
    return openLogSegment(this.dir, baseOffset, this.config, this.clock());
  }

  private activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1];
  }

  /** Appends to the active segment unless Kafka's shouldRoll says it must roll first (then -1). */
  private appendToActive(records: Buffer, baseOffset: number, leaderEpoch: number, logAppendTime: number, now: number): number {
    const active = this.activeSegment();
    return active.handle.appendAsLeader(records, baseOffset, leaderEpoch, logAppendTime, {
      segmentBytes: this.config.segmentBytes,
      rollMs: this.config.segmentMs - active.rollJitterMs,
      createdMs: active.createdMs,
      nowMs: now,
    });
  }

  private rollSegment(): LogSegment {
    const active = this.activeSegment();
    const newOffset = this.nextOffset;
    if (active.baseOffset === newOffset && active.handle.size() === 0) return active;
    // A snapshot at each segment boundary lets recovery replay only the segments after it. As
    // Kafka's roll, it is fsynced with the rolled segments in the background, not before the append.
    this.producerState.updateMapEndOffset(newOffset);
    const snapshot = this.producerState.takeSnapshot(false);
    active.handle.onBecomeInactive();
    const seg = this.openSegment(newOffset);
    this.segments.push(seg);
    this.flushInBackground(newOffset, snapshot);
    return seg;
  }

  /**
   * Kafka's roll schedules the flush of what it closed rather than blocking on it: the fsync of a
   * segment of up to segment.bytes, and of the producer snapshot written at the roll (then of the
   * directory that names it), runs on the libuv pool, and the recovery point moves to `offset`
   * once it is done (a crash before then recovers from the previous one).
   */
  private flushInBackground(offset: number, snapshot: string | null): void {
    const files: string[] = [];
    for (let i = floorSegmentIndex(this.segments, this._recoveryPoint); i < this.segments.length; i++) {
      if (this.segments[i].baseOffset >= offset) break;
      const stem = path.join(this.dir, offsetFileStem(this.segments[i].baseOffset));
      files.push(stem + Suffix.log, stem + Suffix.index, stem + Suffix.timeIndex);
    }
    if (snapshot !== null) files.push(snapshot, this.dir);
    native.fsyncFilesAsync(files).then(
      () => {
        if (this.closed || this.offlineCause !== null || offset <= this._recoveryPoint) return;
        this._recoveryPoint = offset;
        this.lastFlushMs = this.clock();
      },
      (err: unknown) => {
        if (this.closed || this.offlineCause !== null) return;
        logger.error(`${this.topic}-${this.partition} went offline: flushing rolled segments failed: ${describe(err)}`);
        this.offlineCause = err;
        this.closeHandlesQuietly();
      },
    );
  }

  /** fsyncs the segments holding [recoveryPoint, offset) and moves the recovery point to offset. */
  private flushUpTo(offset: number): void {
    if (offset <= this._recoveryPoint) return;
    for (let i = floorSegmentIndex(this.segments, this._recoveryPoint); i < this.segments.length; i++) {
      if (this.segments[i].baseOffset >= offset) break;
      this.segments[i].handle.flush();
    }
    this._recoveryPoint = offset;
    this.lastFlushMs = this.clock();
  }

  /** Deletes the segments that lie wholly below the log start offset. */
  private deleteLogStartOffsetBreachedSegments(): number {
    return this.deleteSegments(this.deletableSegments((_s, next) => next !== undefined && next.baseOffset <= this._logStartOffset));
  }

  /** Kafka's deletableSegments: the oldest run of segments the predicate accepts (never an empty active one). */
  private deletableSegments(predicate: (s: LogSegment, next: LogSegment | undefined) => boolean): LogSegment[] {
    const out: LogSegment[] = [];
    for (let i = 0; i < this.segments.length; i++) {
      const seg = this.segments[i];
      const next = this.segments[i + 1];
      if (next === undefined && seg.handle.size() === 0) break;
      if (!predicate(seg, next)) break;
      out.push(seg);
    }
    return out;
  }

  /** Kafka's deleteSegments: a log always keeps one segment, so deleting them all rolls first. */
  private deleteSegments(deletable: LogSegment[]): number {
    if (deletable.length === 0) return 0;
    // deletableSegments never includes an empty active segment, so this roll creates a new one.
    if (deletable.length === this.segments.length) this.rollSegment();
    this.segments.splice(0, deletable.length);
    for (const seg of deletable) this.deletions.delete(this.dir, seg, this.config.fileDeleteDelayMs);
    this.producerState.deleteSnapshotsBefore(this.segments[0].baseOffset);
    this.maybeIncrementLogStartOffset(this.segments[0].baseOffset);
    return deletable.length;
  }

  private maybeIncrementLogStartOffset(offset: number): void {
    if (offset <= this._logStartOffset) return;
    this._logStartOffset = offset;
    if (this._recoveryPoint < offset) this._recoveryPoint = offset;
    this.epochCache.truncateFromStart(offset);
  }

  /** Kafka's LogSegment.largestTimestamp: the newest batch timestamp, else the file's mtime. */
  private largestTimestamp(seg: LogSegment): number {
    const ts = seg.handle.maxTimestampSoFar().timestamp;
    if (ts >= 0) return ts;
    return fs.statSync(path.join(this.dir, offsetFileStem(seg.baseOffset) + Suffix.log)).mtimeMs;
  }

  private withEpoch(found: { timestamp: number; offset: number }): TimestampAndOffset {
    return { offset: found.offset, timestamp: found.timestamp, leaderEpoch: this.epochCache.epochForOffset(found.offset) };
  }

  // ---- failure handling ----------------------------------------------------------------------

  private checkOnline(): void {
    if (this.offlineCause !== null) {
      const cause = describe(this.offlineCause);
      throw new KafkaError('KAFKA_STORAGE_ERROR', `${this.topic}-${this.partition} is offline after an I/O error: ${cause}`);
    }
    // Closed by shutdown or deletion: this node no longer serves the partition.
    if (this.closed) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `${this.topic}-${this.partition} is closed`);
  }

  /** Runs a disk operation; an I/O failure takes this partition (only) offline. */
  private io<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.offlineCause = err;
      this.closeHandlesQuietly();
      throw new KafkaError('KAFKA_STORAGE_ERROR', `${this.topic}-${this.partition} went offline: ${describe(err)}`);
    }
  }

  private closeHandlesQuietly(): void {
    for (const s of this.segments) {
      try {
        s.handle.close();
      } catch {
        // Already failed; the partition is offline either way.
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
