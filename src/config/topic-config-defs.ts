// Kafka's topic-level configs (TopicConfig / LogConfig) and the broker keys each one falls back
// to when a topic has no override (ServerTopicConfigSynonyms).

import { type ConfigKey, keyTable, listOf, LONG_MAX, oneOf, range } from './config-def.js';

const L = LONG_MAX.toString();

/** Kafka's compression.type values (topic and broker). */
export const compressionTypes = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'] as const;

/** Every topic config Sluice accepts, with Kafka's defaults and validators. */
export const topicConfigKeys: ReadonlyMap<string, ConfigKey> = keyTable([
  { name: 'cleanup.policy', type: 'list', defaultValue: 'delete', validator: listOf(['compact', 'delete']) },
  { name: 'compression.type', type: 'string', defaultValue: 'producer', validator: oneOf(compressionTypes) },
  { name: 'compression.gzip.level', type: 'int', defaultValue: '-1', validator: (v) => (v === -1 || ((v as number) >= 1 && (v as number) <= 9) ? null : 'Value must be -1 or in [1,...,9]') },
  { name: 'compression.lz4.level', type: 'int', defaultValue: '9', validator: range(1, 17) },
  { name: 'compression.zstd.level', type: 'int', defaultValue: '3', validator: range(-131072, 22) },
  { name: 'delete.retention.ms', type: 'long', defaultValue: '86400000', validator: range(0) },
  { name: 'file.delete.delay.ms', type: 'long', defaultValue: '60000', validator: range(0) },
  { name: 'flush.messages', type: 'long', defaultValue: L, validator: range(1) },
  { name: 'flush.ms', type: 'long', defaultValue: L, validator: range(0) },
  { name: 'follower.replication.throttled.replicas', type: 'list', defaultValue: '' },
  { name: 'index.interval.bytes', type: 'int', defaultValue: '4096', validator: range(0) },
  { name: 'leader.replication.throttled.replicas', type: 'list', defaultValue: '' },
  { name: 'local.retention.bytes', type: 'long', defaultValue: '-2', validator: range(-2) },
  { name: 'local.retention.ms', type: 'long', defaultValue: '-2', validator: range(-2) },
  { name: 'max.compaction.lag.ms', type: 'long', defaultValue: L, validator: range(1) },
  { name: 'max.message.bytes', type: 'int', defaultValue: '1048588', validator: range(0) },
  { name: 'message.timestamp.after.max.ms', type: 'long', defaultValue: '3600000', validator: range(0) },
  { name: 'message.timestamp.before.max.ms', type: 'long', defaultValue: L, validator: range(0) },
  { name: 'message.timestamp.type', type: 'string', defaultValue: 'CreateTime', validator: oneOf(['CreateTime', 'LogAppendTime']) },
  { name: 'min.cleanable.dirty.ratio', type: 'double', defaultValue: '0.5', validator: range(0, 1) },
  { name: 'min.compaction.lag.ms', type: 'long', defaultValue: '0', validator: range(0) },
  { name: 'min.insync.replicas', type: 'int', defaultValue: '1', validator: range(1) },
  { name: 'preallocate', type: 'boolean', defaultValue: 'false' },
  { name: 'remote.log.copy.disable', type: 'boolean', defaultValue: 'false' },
  { name: 'remote.log.delete.on.disable', type: 'boolean', defaultValue: 'false' },
  { name: 'remote.storage.enable', type: 'boolean', defaultValue: 'false' },
  { name: 'retention.bytes', type: 'long', defaultValue: '-1' },
  { name: 'retention.ms', type: 'long', defaultValue: '604800000', validator: range(-1) },
  // Kafka 4 requires >= 1 MiB; Sluice keeps the 3.x floor so small segments stay usable in tests.
  { name: 'segment.bytes', type: 'int', defaultValue: '1073741824', validator: range(14) },
  { name: 'segment.index.bytes', type: 'int', defaultValue: '10485760', validator: range(4) },
  { name: 'segment.jitter.ms', type: 'long', defaultValue: '0', validator: range(0) },
  { name: 'segment.ms', type: 'long', defaultValue: '604800000', validator: range(1) },
  { name: 'unclean.leader.election.enable', type: 'boolean', defaultValue: 'false' },
]);

/** A broker key a topic config falls back to; `unitMs` converts its unit (minutes, hours) to ms. */
export interface ConfigSynonym {
  name: string;
  unitMs?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** For each topic config, its broker synonyms in Kafka's precedence order (first set one wins). */
export const topicConfigSynonyms: ReadonlyMap<string, readonly ConfigSynonym[]> = new Map([
  ['segment.bytes', [{ name: 'log.segment.bytes' }]],
  ['segment.ms', [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', unitMs: HOUR }]],
  ['segment.jitter.ms', [{ name: 'log.roll.jitter.ms' }, { name: 'log.roll.jitter.hours', unitMs: HOUR }]],
  ['segment.index.bytes', [{ name: 'log.index.size.max.bytes' }]],
  ['flush.messages', [{ name: 'log.flush.interval.messages' }]],
  ['flush.ms', [{ name: 'log.flush.interval.ms' }, { name: 'log.flush.scheduler.interval.ms' }]],
  ['retention.ms', [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', unitMs: MINUTE }, { name: 'log.retention.hours', unitMs: HOUR }]],
  ['max.message.bytes', [{ name: 'message.max.bytes' }]],
  ['retention.bytes', [{ name: 'log.retention.bytes' }]],
  ['cleanup.policy', [{ name: 'log.cleanup.policy' }]],
  ['unclean.leader.election.enable', [{ name: 'unclean.leader.election.enable' }]],
  ['min.insync.replicas', [{ name: 'min.insync.replicas' }]],
  ['compression.type', [{ name: 'compression.type' }]],
  ['compression.gzip.level', [{ name: 'compression.gzip.level' }]],
  ['compression.lz4.level', [{ name: 'compression.lz4.level' }]],
  ['compression.zstd.level', [{ name: 'compression.zstd.level' }]],
  ['preallocate', [{ name: 'log.preallocate' }]],
  ['index.interval.bytes', [{ name: 'log.index.interval.bytes' }]],
  ['delete.retention.ms', [{ name: 'log.cleaner.delete.retention.ms' }]],
  ['min.compaction.lag.ms', [{ name: 'log.cleaner.min.compaction.lag.ms' }]],
  ['max.compaction.lag.ms', [{ name: 'log.cleaner.max.compaction.lag.ms' }]],
  ['min.cleanable.dirty.ratio', [{ name: 'log.cleaner.min.cleanable.ratio' }]],
  ['file.delete.delay.ms', [{ name: 'log.segment.delete.delay.ms' }]],
  ['message.timestamp.type', [{ name: 'log.message.timestamp.type' }]],
  ['message.timestamp.before.max.ms', [{ name: 'log.message.timestamp.before.max.ms' }]],
  ['message.timestamp.after.max.ms', [{ name: 'log.message.timestamp.after.max.ms' }]],
  ['local.retention.ms', [{ name: 'log.local.retention.ms' }]],
  ['local.retention.bytes', [{ name: 'log.local.retention.bytes' }]],
]);

