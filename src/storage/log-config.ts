// Per-partition log settings (Kafka's LogConfig): the topic-level configs the log layer obeys.

/** The settings one partition's log runs with; topic overrides are merged in by the caller. */
export interface LogConfig {
  segmentBytes: number; // segment.bytes
  segmentMs: number; // segment.ms
  segmentIndexBytes: number; // segment.index.bytes
  indexIntervalBytes: number; // index.interval.bytes
  retentionMs: number; // retention.ms (-1 = unlimited)
  retentionBytes: number; // retention.bytes (-1 = unlimited)
  flushMessages: number; // flush.messages
  flushMs: number; // flush.ms
  maxMessageBytes: number; // max.message.bytes
  messageTimestampType: 'CreateTime' | 'LogAppendTime'; // message.timestamp.type
  cleanupPolicy: string[]; // cleanup.policy (only 'delete' is acted on for now)
  fileDeleteDelayMs: number; // file.delete.delay.ms
  preallocate: boolean; // preallocate
}

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

/** Kafka's defaults for every topic-level log setting (Long.MAX_VALUE maps to MAX_SAFE_INTEGER). */
export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: SEVEN_DAYS_MS,
  segmentIndexBytes: 10 * 1024 * 1024,
  indexIntervalBytes: 4096,
  retentionMs: SEVEN_DAYS_MS,
  retentionBytes: -1,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  maxMessageBytes: 1024 * 1024 + 12,
  messageTimestampType: 'CreateTime',
  cleanupPolicy: Object.freeze(['delete']) as string[],
  fileDeleteDelayMs: 60_000,
  preallocate: false,
}) as LogConfig;
