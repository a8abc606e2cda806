// Per-partition log settings (Kafka's LogConfig): the topic-level configs the log layer obeys.

/** Topic compression.type values; 'producer' keeps whatever codec the producer used. */
export type CompressionType = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The settings one partition's log runs with; topic overrides are merged in by the caller. */
export interface LogConfig {
  segmentBytes: number; // segment.bytes
  segmentMs: number; // segment.ms
  segmentJitterMs: number; // segment.jitter.ms: each segment rolls up to this much before segment.ms
  segmentIndexBytes: number; // segment.index.bytes
  indexIntervalBytes: number; // index.interval.bytes
  retentionMs: number; // retention.ms (-1 = unlimited)
  retentionBytes: number; // retention.bytes (-1 = unlimited)
  flushMessages: number; // flush.messages
  flushMs: number; // flush.ms
  maxMessageBytes: number; // max.message.bytes
  messageTimestampType: 'CreateTime' | 'LogAppendTime'; // message.timestamp.type
  messageTimestampBeforeMaxMs: number; // message.timestamp.before.max.ms (Long.MAX = unlimited)
  messageTimestampAfterMaxMs: number; // message.timestamp.after.max.ms
  compressionType: CompressionType; // compression.type
  cleanupPolicy: string[]; // cleanup.policy ('delete' drives retention; 'compact' the log cleaner and keyed records)
  deleteRetentionMs: number; // delete.retention.ms: how long the cleaner keeps a tombstone it has seen
  minCleanableDirtyRatio: number; // min.cleanable.dirty.ratio: the cleaner skips logs less dirty than this
  minCompactionLagMs: number; // min.compaction.lag.ms: records younger than this stay uncompacted
  maxCompactionLagMs: number; // max.compaction.lag.ms: a dirty segment older than this is cleaned whatever the ratio
  fileDeleteDelayMs: number; // file.delete.delay.ms
  preallocate: boolean; // preallocate
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/** Kafka's defaults for every topic-level log setting (Long.MAX_VALUE maps to MAX_SAFE_INTEGER). */
export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: SEVEN_DAYS_MS,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: SEVEN_DAYS_MS,
  retentionBytes: -1,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  messageTimestampAfterMaxMs: 3_600_000,
  compressionType: 'producer',
  cleanupPolicy: Object.freeze(['delete']) as string[],
  deleteRetentionMs: 86_400_000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
  fileDeleteDelayMs: 60_000,
  preallocate: false,
}) as LogConfig;
