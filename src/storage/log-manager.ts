// Kafka's LogManager: every partition log in the log dirs — loading and recovery at start,
// creation and deletion, background retention, flushing and checkpointing, clean shutdown.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native, type FileLockHandle } from '../native/index.js';
import { log as logger } from '../logger.js';
import { KafkaError } from '../protocol/errors.js';
import { CorruptCheckpointError } from './checkpoint-file.js';
import { fsyncDir, writeFileDurably } from './durable-file.js';
import { ZERO_UUID } from './kafka-uuid.js';
import { defaultLogCleanerConfig, LogCleaner, type LogCleanerConfig } from './log-cleaner.js';
import type { LogConfig } from './log-config.js';
import { DELETE_DIR_SUFFIX, deleteDirName, parseTopicPartitionDir } from './log-file-names.js';
import { loadOrFormatMetaProperties } from './meta-properties.js';
import { OffsetCheckpointFile, OffsetCheckpointName, partitionKey, type PartitionOffset } from './offset-checkpoint-file.js';
import { PartitionLog } from './partition-log.js';

/** Kafka's marker of a clean shutdown at each log dir root: its presence means checkpoints are exact. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** Kafka's per-log-dir lock file: held for the process's lifetime so no other broker opens the dir. */
export const LOCK_FILE = '.lock';

/** How often the offset checkpoints are written (log.flush.offset.checkpoint.interval.ms). */
const CHECKPOINT_INTERVAL_MS = 60_000;

/** producer.id.expiration.ms: idempotent producers idle this long are forgotten. */
const PRODUCER_ID_EXPIRATION_MS = 86_400_000;

/** Options for opening the log dirs. */
export interface LogManagerOptions {
  logDirs: string[];
  nodeId: number;
  defaultConfig: LogConfig;
  retentionCheckIntervalMs: number;
  /** How often logs are checked against flush.ms (Kafka's log.flush.scheduler.interval.ms); 1 s by default. */
  flushCheckIntervalMs?: number;
  /** Config for a topic's logs found on disk at open (defaultConfig when undefined). */
  configFor?: (topic: string) => LogConfig | undefined;
  /** log.cleaner.* settings (Kafka's defaults when undefined). */
  cleaner?: LogCleanerConfig;
}

/** Owns every PartitionLog of this node; each log stays the single owner of its own files. */
export class LogManager {
  private readonly logs = new Map<string, PartitionLog>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pendingDirRemovals = new Set<Promise<void>>();
  private shutdownPromise: Promise<void> | undefined;
  /** Compacts cleanup.policy=compact logs once the background tasks start. */
  readonly cleaner: LogCleaner;

  private constructor(
    readonly logDirs: string[],
    readonly clusterId: string,
    readonly directoryIds: Map<string, string>,
    private readonly opts: LogManagerOptions,
    private readonly dirLocks: FileLockHandle[],
  ) {
    this.cleaner = new LogCleaner({ logDirs, logs: () => this.allLogs(), config: opts.cleaner ?? defaultLogCleanerConfig });
  }

  /**
   * Formats or checks meta.properties, removes deleted partition dirs, and loads every
   * `<topic>-<partition>` dir: from checkpoints after a clean shutdown, otherwise recovering
   * each log from its recovery point.
   */
  static async open(opts: LogManagerOptions): Promise<LogManager> {
    const logDirs = opts.logDirs.map((d) => path.resolve(d));
    // Like Kafka: lock every dir before reading or writing anything in it; another process
    // holding a lock fails the start with KAFKA_STORAGE_ERROR naming the dir.
    const dirLocks: FileLockHandle[] = [];
    try {
      for (const dir of logDirs) {
        fs.mkdirSync(dir, { recursive: true });
        dirLocks.push(native.lockFile(path.join(dir, LOCK_FILE)));
      }
      const metas = loadOrFormatMetaProperties(logDirs, opts.nodeId);
      const clusterId = metas.get(logDirs[0])!.clusterId;
      const directoryIds = new Map([...metas].map(([dir, m]) => [dir, m.directoryId]));
      const manager = new LogManager(logDirs, clusterId, directoryIds, opts, dirLocks);
      for (const dir of logDirs) manager.loadLogDir(dir);
      manager.cleaner.loadCheckpoints();
      return manager;
    } catch (err) {
      for (const lock of dirLocks) lock.release();
      throw err;
    }
  }

  /** The log of one partition, if this node has it. */
  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionKey(topic, partition));
  }

  /** Every log, in no particular order. */
  allLogs(): PartitionLog[] {
    return [...this.logs.values()];
  }

  /** The logs of one topic, by partition. */
  logsOf(topic: string): PartitionLog[] {
    return this.allLogs()
      .filter((l) => l.topic === topic)
      .sort((a, b) => a.partition - b.partition);
  }

  /** Logs taken offline by an I/O error (they answer KAFKA_STORAGE_ERROR). */
  offlineLogs(): PartitionLog[] {
    return this.allLogs().filter((l) => l.isOffline);
  }

  /**
   * Creates the partition's directory and log in the log dir holding the fewest partitions.
   * Idempotent: an existing log is returned with the config applied (and the topic id recorded
   * if it had none); a different topic id is INCONSISTENT_TOPIC_ID.
   */
  createLog(topic: string, partition: number, topicId: string, config: LogConfig): PartitionLog {
    topicId ||= ZERO_UUID;
    const key = partitionKey(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      if (topicId !== ZERO_UUID && existing.topicId !== topicId) {
        if (existing.topicId !== ZERO_UUID) {
          throw new KafkaError('INCONSISTENT_TOPIC_ID', `${key} has topic id ${existing.topicId}, not ${topicId}`);
        }
        existing.assignTopicId(topicId);
      }
      existing.updateConfig(config);
      return existing;
    }
    const logDir = this.leastLoadedDir();
    const log = PartitionLog.open({
      dir: path.join(logDir, key),
      topic,
      partition,
      topicId,
      config,
      hadCleanShutdown: true,
      onLogStartOffsetMoved: this.onLogStartOffsetMoved,
    });
    fsyncDir(logDir);
    this.logs.set(key, log);
    return log;
  }

  /**
   * Deletes a partition: closes it, renames the directory to `<topic>-<partition>.<id>-delete`
   * and removes it in the background (or on the next start if the process dies first).
   */
  deleteLog(topic: string, partition: number): void {
    const key = partitionKey(topic, partition);
    const log = this.logs.get(key);
    if (!log) return;
    this.logs.delete(key);
    this.cleaner.removeLog(log);
    log.closeForDelete();
    const target = path.join(path.dirname(log.dir), deleteDirName(topic, partition));
    try {
      fs.renameSync(log.dir, target);
      fsyncDir(path.dirname(log.dir));
    } catch (err) {
      logger.error(`Could not rename ${log.dir} for deletion: ${(err as Error).message}`);
      return;
    }
    this.removeDirLater(target);
  }

  /** Starts the retention, flush and checkpoint timers and the log cleaner (unref'd: they never keep the process alive). */
  startBackgroundTasks(): void {
    if (this.timers.length > 0) return;
    const every = (ms: number, task: () => void) => {
      const t = setInterval(task, Math.max(1, ms));
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.retentionCheckIntervalMs, () => this.cleanupLogs());
    every(this.opts.flushCheckIntervalMs ?? 1000, () => this.flushDirtyLogs());
    every(CHECKPOINT_INTERVAL_MS, () => this.checkpointAll());
    this.cleaner.startup();
  }

  /** One retention pass over every log (the retention timer's work; exposed for tests and tools). */
  cleanupLogs(nowMs: number = Date.now()): number {
    let deleted = 0;
    for (const log of this.allLogs()) {
      if (log.isOffline) continue;
      try {
        deleted += log.deleteOldSegments(nowMs);
        log.removeExpiredProducers(nowMs, PRODUCER_ID_EXPIRATION_MS);
      } catch (err) {
        logger.error(`Retention of ${log.topic}-${log.partition} failed: ${(err as Error).message}`);
      }
    }
    return deleted;
  }

  /** Writes recovery-point, log-start-offset and replication-offset checkpoints in every dir. */
  checkpointAll(): void {
    for (const dir of this.logDirs) {
      try {
        this.checkpointDir(dir);
      } catch (err) {
        logger.error(`Writing checkpoints in ${dir} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Stops the timers, flushes and closes every log (writing producer snapshots), writes all
   * checkpoints and then the clean-shutdown marker in each dir whose logs all closed cleanly.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.doShutdown();
    return this.shutdownPromise;
  }

  private async doShutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    await this.cleaner.shutdown(); // a cleaning in progress lets go of the segments before they close
    const failedDirs = new Set<string>();
    for (const log of this.allLogs()) {
      try {
        log.close();
      } catch (err) {
        logger.error(`Closing ${log.topic}-${log.partition} failed: ${(err as Error).message}`);
      }
      if (log.isOffline) failedDirs.add(path.dirname(log.dir));
    }
    for (const dir of this.logDirs) {
      try {
        this.checkpointDir(dir);
        // Kafka's content; a single node has no controller-assigned broker epoch, hence -1.
        if (!failedDirs.has(dir)) writeFileDurably(path.join(dir, CLEAN_SHUTDOWN_FILE), '{"version":0,"brokerEpoch":-1}');
      } catch (err) {
        logger.error(`Writing shutdown checkpoints in ${dir} failed: ${(err as Error).message}`);
      }
    }
    await Promise.allSettled([...this.pendingDirRemovals]);
    for (const lock of this.dirLocks) lock.release();
  }

  private loadLogDir(dir: string): void {
    const markerFile = path.join(dir, CLEAN_SHUTDOWN_FILE);
    const hadCleanShutdown = fs.existsSync(markerFile);
    const recoveryPoints = this.readCheckpoint(dir, OffsetCheckpointName.recoveryPoint);
    const logStartOffsets = this.readCheckpoint(dir, OffsetCheckpointName.logStartOffset);
    let recovered = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name.endsWith(DELETE_DIR_SUFFIX)) {
        this.removeDirLater(full);
        continue;
      }
      if (entry.name.endsWith('-future') || entry.name.endsWith('-stray')) continue;
      const tp = parseTopicPartitionDir(entry.name);
      if (!tp) continue;
      const key = partitionKey(tp.topic, tp.partition);
      if (this.logs.has(key)) {
        throw new Error(`Duplicate log directories for ${key}: ${this.logs.get(key)!.dir} and ${full}`);
      }
      const options = {
        dir: full,
        topic: tp.topic,
        partition: tp.partition,
        config: this.opts.configFor?.(tp.topic) ?? this.opts.defaultConfig,
        logStartOffset: logStartOffsets.get(key),
        recoveryPoint: recoveryPoints.get(key),
        hadCleanShutdown,
        onLogStartOffsetMoved: this.onLogStartOffsetMoved,
      };
      let log: PartitionLog;
      try {
        log = PartitionLog.open(options);
        const s = log.loadSummary;
        if (s.truncatedBytes > 0 || s.deletedSegments > 0) {
          logger.warn(
            `Recovered ${key}: truncated ${s.truncatedBytes} byte(s) of torn or corrupt batches, ` +
              `deleted ${s.deletedSegments} later segment(s)`,
          );
        }
        if (s.producerStateProblem) {
          logger.warn(`Producer state of ${key} only partly rebuilt: ${s.producerStateProblem}`);
        }
        recovered += s.recoveredSegments;
        // Kafka bumps the leader epoch each time a node becomes leader again, a restart of a
        // single node included, so consumers can tell the log may have been truncated meanwhile.
        log.maybeAssignEpochStartOffset(log.leaderEpoch + 1, log.logEndOffset);
      } catch (err) {
        logger.error(`Could not load ${full}; the partition is offline: ${(err as Error).message}`);
        log = PartitionLog.offline(options, err);
      }
      this.logs.set(key, log);
    }
    if (!hadCleanShutdown && recovered > 0) {
      logger.info(`Recovered ${recovered} segment(s) in ${dir} after an unclean shutdown`);
    }
    // From here on a crash is unclean again (the dir fsync makes that survive a power loss too).
    if (hadCleanShutdown) {
      fs.rmSync(markerFile, { force: true });
      fsyncDir(dir);
    }
  }

  /** A checkpoint's offsets; a malformed file counts as absent (the logs then recover from 0). */
  private readCheckpoint(dir: string, name: string): Map<string, number> {
    try {
      return new OffsetCheckpointFile(dir, name).read();
    } catch (err) {
      if (!(err instanceof CorruptCheckpointError)) throw err;
      logger.warn(`${err.message}; ignoring it`);
      return new Map();
    }
  }

  /** DeleteRecords must not be undone by a crash: its dir's log-start checkpoint is written at once. */
  private readonly onLogStartOffsetMoved = (log: PartitionLog): void => {
    const dir = path.dirname(log.dir);
    try {
      this.writeCheckpoint(dir, OffsetCheckpointName.logStartOffset);
    } catch (err) {
      logger.error(`Writing ${OffsetCheckpointName.logStartOffset} in ${dir} failed: ${(err as Error).message}`);
    }
  };

  private checkpointDir(dir: string): void {
    for (const name of Object.values(OffsetCheckpointName)) this.writeCheckpoint(dir, name);
  }

  /**
   * Writes one offset checkpoint of a log dir. Offline logs keep their last known recovery point
   * and log start offset (both stay true while they are offline); they have no high watermark.
   */
  private writeCheckpoint(dir: string, name: (typeof OffsetCheckpointName)[keyof typeof OffsetCheckpointName]): void {
    const entries: PartitionOffset[] = [];
    for (const log of this.logs.values()) {
      if (path.dirname(log.dir) !== dir) continue;
      const tp = { topic: log.topic, partition: log.partition };
      if (name === OffsetCheckpointName.recoveryPoint) entries.push({ ...tp, offset: log.recoveryPoint });
      else if (name === OffsetCheckpointName.replicationOffset) {
        if (!log.isOffline) entries.push({ ...tp, offset: log.highWatermark });
      } else {
        // Like Kafka: only logs whose start moved past their first segment need an entry.
        const firstBase = log.segmentBaseOffsets()[0] ?? 0;
        if (log.logStartOffset > firstBase) entries.push({ ...tp, offset: log.logStartOffset });
      }
    }
    new OffsetCheckpointFile(dir, name).write(entries);
  }

  private flushDirtyLogs(): void {
    const now = Date.now();
    for (const log of this.allLogs()) {
      try {
        log.maybeFlush(now);
      } catch (err) {
        logger.error(`Flushing ${log.topic}-${log.partition} failed: ${(err as Error).message}`);
      }
    }
  }

  private leastLoadedDir(): string {
    const counts = new Map(this.logDirs.map((d) => [d, 0]));
    for (const log of this.logs.values()) {
      const d = path.dirname(log.dir);
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    let best = this.logDirs[0];
    for (const d of this.logDirs) if (counts.get(d)! < counts.get(best)!) best = d;
    return best;
  }

  private removeDirLater(dir: string): void {
    const removal = fs.promises
      .rm(dir, { recursive: true, force: true })
      .catch((err: Error) => logger.warn(`Could not remove ${dir}: ${err.message}`))
      .finally(() => this.pendingDirRemovals.delete(removal));
    this.pendingDirRemovals.add(removal);
  }
}
