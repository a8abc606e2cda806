// Kafka's LogValidator rules that depend on topic config: keys on compacted topics, CreateTime
// timestamp bounds, and the topic's compression.type. Per batch: the addon walked the records.
import { Codec, type BatchInfo, type CodecId } from '../native/index.js';
import { KafkaError } from '../protocol/errors.js';
import type { CompressionType, LogConfig } from './log-config.js';

/** Kafka's RecordBatch.NO_TIMESTAMP: a record without a timestamp is never out of range. */
const NO_TIMESTAMP = -1;

/**
 * Refuses a batch the topic's config forbids: a null key on a compacted topic (INVALID_RECORD),
 * a CreateTime record timestamp outside [now - before.max.ms, now + after.max.ms] (INVALID_TIMESTAMP).
 */
export function validateBatchForTopic(batch: BatchInfo, config: LogConfig, nowMs: number, topicPartition: string): void {
  if (batch.hasNullKey && config.cleanupPolicy.includes('compact')) {
    throw new KafkaError('INVALID_RECORD', `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`);
  }
  if (config.messageTimestampType !== 'CreateTime' || batch.minRecordTimestamp === NO_TIMESTAMP) return;
  const earliest = nowMs - config.messageTimestampBeforeMaxMs;
  const latest = nowMs + config.messageTimestampAfterMaxMs;
  const outOfRange = batch.minRecordTimestamp < earliest ? batch.minRecordTimestamp : batch.maxRecordTimestamp > latest ? batch.maxRecordTimestamp : null;
  if (outOfRange !== null) {
    throw new KafkaError(
      'INVALID_TIMESTAMP',
      `Timestamp ${outOfRange} of message is out of range. The timestamp should be within [${earliest}, ${latest}]`,
    );
  }
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
