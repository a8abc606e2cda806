// Kafka's LogValidator rules that depend on topic config: keys on compacted topics, CreateTime
// timestamp bounds, and the topic's compression.type. Per batch: the addon walked the records
// (and walks a refused batch again to name the records at fault).
import { Codec, native, type BatchInfo, type CodecId } from '../native/index.js';
import { KafkaError, type RecordError } from '../protocol/errors.js';
import type { CompressionType, LogConfig } from './log-config.js';

/** Kafka's RecordBatch.NO_TIMESTAMP: a record without a timestamp is never out of range. */
const NO_TIMESTAMP = -1;

/** Kafka's RecordError.toString, as its InvalidRecordException message lists them. */
function formatRecordError(e: RecordError): string {
  return `RecordError(batchIndex=${e.batchIndex}, message=${e.message === null ? 'null' : `'${e.message}'`})`;
}

/**
 * Refuses a batch the topic's config forbids: a null key on a compacted topic (INVALID_RECORD),
 * a CreateTime record timestamp outside [now - before.max.ms, now + after.max.ms] (INVALID_TIMESTAMP).
 * The fast path reads only the per-batch summary; a refused batch is walked again natively to
 * name each offending record (Kafka's record_errors), the first error of a record winning (key
 * before timestamp), and INVALID_TIMESTAMP winning over INVALID_RECORD, as Kafka's LogValidator.
 */
export function validateBatchForTopic(
  records: Buffer,
  batch: BatchInfo,
  config: LogConfig,
  nowMs: number,
  topicPartition: string,
): void {
  const requireKey = config.cleanupPolicy.includes('compact');
  const checkTimestamps = config.messageTimestampType === 'CreateTime' && batch.minRecordTimestamp !== NO_TIMESTAMP;
  const earliest = nowMs - config.messageTimestampBeforeMaxMs;
  const latest = nowMs + config.messageTimestampAfterMaxMs;
  const keyRefused = requireKey && batch.hasNullKey;
  const timestampRefused = checkTimestamps && (batch.minRecordTimestamp < earliest || batch.maxRecordTimestamp > latest);
  if (!keyRefused && !timestampRefused) return;

  const invalid = native.findInvalidRecords(records, batch.position, {
    requireKey,
    minTimestamp: checkTimestamps ? Math.max(earliest, Number.MIN_SAFE_INTEGER) : Number.MIN_SAFE_INTEGER,
    maxTimestamp: checkTimestamps ? Math.min(latest, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER,
  });
  let anyTimestampError = false;
  const recordErrors: RecordError[] = invalid.map((r) => {
    if (requireKey && r.nullKey) {
      return { batchIndex: r.index, message: `Compacted topic cannot accept message without key in topic partition ${topicPartition}` };
    }
    anyTimestampError = true;
    // Produced batches have baseOffset 0 (checked by appendAsLeader first), so a record's offset is its index.
    return {
      batchIndex: r.index,
      message: `Timestamp ${r.timestamp} of message with offset ${r.index} is out of range. The timestamp should be within [${earliest}, ${latest}]`,
    };
  });
  if (anyTimestampError) {
    throw new KafkaError('INVALID_TIMESTAMP', 'One or more records have been rejected due to invalid timestamp', recordErrors);
  }
  throw new KafkaError(
    'INVALID_RECORD',
    `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${recordErrors
      .slice(0, 3)
      .map(formatRecordError)
      .join(', ')}]`,
    recordErrors,
  );
}

const targetCodecs: Record<Exclude<CompressionType, 'producer'>, CodecId> = {
  uncompressed: Codec.none,
  gzip: Codec.gzip,
  snappy: Codec.snappy,
  lz4: Codec.lz4,
  zstd: Codec.zstd,
};

/** The codec batches must be stored in, or null when the producer's codec is kept. */
export function targetCodec(compressionType: CompressionType): CodecId | null {
  return compressionType === 'producer' ? null : targetCodecs[compressionType];
}
