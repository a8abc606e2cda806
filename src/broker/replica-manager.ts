// Kafka's ReplicaManager for a single node: the one place the request layer reaches partition
// logs for produce and fetch. It maps every failure to an error code for that partition only,
// and wakes parked fetches after appends. Each PartitionLog stays the single owner of its files.
import { ErrorCode, KafkaError, errorCodeOf, type RecordError } from '../protocol/errors.js';
import type { FileRegionHandle } from '../native/index.js';
import type { LogManager } from '../storage/log-manager.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { DelayedFetchPurgatory } from './delayed-fetch.js';

/** One partition's records of a produce request. */
export interface PartitionAppend {
  topic: string;
  partition: number;
  records: Buffer;
}

/** Outcome of appending to one partition, in ProduceResponse terms. */
export interface PartitionAppendResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  recordErrors: readonly RecordError[]; // the refused records of a batch (INVALID_RECORD, INVALID_TIMESTAMP)
}

/** One partition a fetch reads. */
export interface PartitionFetch {
  topic: string;
  partition: number;
  fetchOffset: number;
  partitionMaxBytes: number;
  currentLeaderEpoch: number; // -1: not checked
}

/** A fetch's records: a segment file region (sent with sendfile), or bytes (empty when none). */
export type FetchRecords = FileRegionHandle | Buffer;

/** Bytes of a fetch's records, whichever form they take. */
export function recordsSize(records: FetchRecords): number {
  return Buffer.isBuffer(records) ? records.length : records.size;
}

/** What a fetch read from one partition, in FetchResponse terms. */
export interface PartitionFetchResult {
  errorCode: number;
  records: FetchRecords; // never null: an empty Buffer when nothing was read
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

/** The parameters of one fetch request across partitions. */
export interface FetchParams {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolation: 'uncommitted' | 'committed';
  signal?: AbortSignal;
}

/** Shared empty records of failed fetches (never written to: read-only by contract). */
const NO_RECORDS = Buffer.alloc(0);

/** acks values Kafka accepts: none, leader, all in-sync replicas. */
const VALID_ACKS = new Set([0, 1, -1]);

/** Error code for anything a log throws; bare I/O errors become KAFKA_STORAGE_ERROR. */
export function partitionErrorCode(err: unknown): number {
  const code = errorCodeOf(err);
  if (code !== ErrorCode.UNKNOWN_SERVER_ERROR) return code;
  const errno = err as NodeJS.ErrnoException | null;
  return typeof errno?.code === 'string' && typeof errno.syscall === 'string'
    ? ErrorCode.KAFKA_STORAGE_ERROR
    : code;
}

/** Checks a client's current leader epoch against the log's (KIP-320); -1 skips the check. */
export function checkLeaderEpoch(log: PartitionLog, currentLeaderEpoch: number): void {
  if (currentLeaderEpoch < 0) return;
  if (currentLeaderEpoch < log.leaderEpoch) throw new KafkaError('FENCED_LEADER_EPOCH');
  if (currentLeaderEpoch > log.leaderEpoch) throw new KafkaError('UNKNOWN_LEADER_EPOCH');
}

/** The answer for a partition whose records were not appended. */
export function failedAppend(
  errorCode: number,
  errorMessage: string | null = null,
  recordErrors: readonly RecordError[] = [],
  logStartOffset = -1,
): PartitionAppendResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTime: -1, logStartOffset, recordErrors };
}

/** The answer for a partition that could not be read: no records, every offset -1. */
export function failedFetch(errorCode: number): PartitionFetchResult {
  return { errorCode, records: NO_RECORDS, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1 };
}

/** Serves produce and fetch for the partitions this node leads (all of them, on one node). */
export class ReplicaManager {
  constructor(
    private readonly logManager: LogManager,
    private readonly delayedFetches: DelayedFetchPurgatory,
  ) {}

  /** The log of a partition this node leads, or UNKNOWN_TOPIC_OR_PARTITION. */
  getPartitionOrError(topic: string, partition: number): PartitionLog {
    const log = this.logManager.getLog(topic, partition);
    if (!log) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION');
    return log;
  }

  /**
   * Kafka's stopPartitions for a deleted topic: fetches parked on its partitions answer now
   * (UNKNOWN_TOPIC_OR_PARTITION) instead of at max_wait_ms.
   */
  stopPartitions(topic: string, numPartitions: number): void {
    for (let p = 0; p < numPartitions; p++) this.delayedFetches.onPartitionRemoved(topic, p);
  }

  /**
   * Appends each partition's records as leader. acks 1 and -1 are the same on one node (the
   * leader is the whole ISR, min.insync.replicas 1); invalid acks fail every partition. A failure
   * of one partition never affects the others. Appends complete before this returns.
   */
  appendRecords(requiredAcks: number, entries: PartitionAppend[]): PartitionAppendResult[] {
    if (!VALID_ACKS.has(requiredAcks)) return entries.map(() => failedAppend(ErrorCode.INVALID_REQUIRED_ACKS));
    return entries.map((entry) => {
      let log: PartitionLog;
      try {
        log = this.getPartitionOrError(entry.topic, entry.partition);
        const info = log.appendAsLeader(entry.records, log.leaderEpoch);
        if (!info.duplicate) this.delayedFetches.onAppend(entry.topic, entry.partition, entry.records.length);
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          baseOffset: info.baseOffset,
          logAppendTime: info.logAppendTime,
          logStartOffset: info.logStartOffset,
          recordErrors: [],
        };
      } catch (err) {
        // Kafka's RecordValidationException: the records at fault, and the real log start offset.
        if (err instanceof KafkaError && err.recordErrors !== undefined) {
          return failedAppend(err.code, err.message, err.recordErrors, log!.logStartOffset);
        }
        return failedAppend(partitionErrorCode(err), (err as Error)?.message ?? null);
      }
    });
  }

  /**
   * Reads every partition once (Kafka's readFromLog): at most maxBytes in total, each partition
   * at most its partitionMaxBytes, and at least one whole batch for the first partition with
   * data so a consumer always makes progress. Records are file regions: nothing is copied.
   */
  readFromLog(partitions: PartitionFetch[], maxBytes: number, isolation: FetchParams['isolation']): PartitionFetchResult[] {
    let limitBytes = maxBytes;
    let minOneMessage = true;
    return partitions.map((p) => {
      try {
        const log = this.getPartitionOrError(p.topic, p.partition);
        checkLeaderEpoch(log, p.currentLeaderEpoch);
        const data = log.readRegion(p.fetchOffset, Math.max(0, Math.min(p.partitionMaxBytes, limitBytes)), minOneMessage, isolation);
        const size = recordsSize(data.records);
        if (size > 0) {
          minOneMessage = false;
          limitBytes = Math.max(0, limitBytes - size);
        }
        return {
          errorCode: ErrorCode.NONE,
          records: data.records,
          highWatermark: data.highWatermark,
          lastStableOffset: data.lastStableOffset,
          logStartOffset: data.logStartOffset,
        };
      } catch (err) {
        return failedFetch(partitionErrorCode(err));
      }
    });
  }

  /**
   * Kafka's fetchMessages: answers at once when max_wait_ms <= 0, min_bytes are there or a
   * partition failed; otherwise parks the fetch until appends bring min_bytes, max_wait_ms
   * passes or the connection closes, then reads again.
   */
  async fetchMessages(partitions: PartitionFetch[], params: FetchParams): Promise<PartitionFetchResult[]> {
    const first = this.readFromLog(partitions, params.maxBytes, params.isolation);
    const bytes = first.reduce((sum, r) => sum + recordsSize(r.records), 0);
    const failed = first.some((r) => r.errorCode !== ErrorCode.NONE);
    if (params.maxWaitMs <= 0 || partitions.length === 0 || bytes >= params.minBytes || failed) return first;
    const outcome = await this.delayedFetches.park({
      partitions,
      minBytes: params.minBytes,
      bytesSoFar: bytes,
      maxWaitMs: params.maxWaitMs,
      signal: params.signal,
    });
    return outcome === 'cancelled' ? first : this.readFromLog(partitions, params.maxBytes, params.isolation);
  }
}
