// Kafka's broker configs that Sluice knows: the ones it uses, and common harmless ones a Kafka
// server.properties carries (accepted silently, shown by DescribeConfigs, otherwise unused).

import { type ConfigKey, type Validator, keyTable, listOf, LONG_MAX, oneOf, range } from './config-def.js';
import { compressionTypes } from './topic-config-defs.js';

/** A broker key plus whether AlterConfigs may change it at runtime (Kafka's DynamicBrokerConfig). */
export interface BrokerConfigKey extends ConfigKey {
  dynamic: boolean;
}

const L = LONG_MAX.toString();
const I = '2147483647';

const onlyOne: Validator = (v) => (v === 1 ? null : 'Sluice is a single-node broker: only 1 is supported');

// [name, type, default, validator?] — read-only keys.
type Row = [string, ConfigKey['type'], string | null, Validator?];

const readOnly: Row[] = [
  // Kafka: node.id has no default; broker.id defaults to -1 and mirrors node.id when unset.
  ['node.id', 'int', null, range(0)],
  ['broker.id', 'int', '-1', range(-1)],
  ['process.roles', 'list', '', listOf(['broker', 'controller'])],
  ['controller.quorum.voters', 'list', ''],
  ['controller.quorum.bootstrap.servers', 'list', ''],
  ['controller.listener.names', 'string', null],
  ['listeners', 'string', 'PLAINTEXT://127.0.0.1:9092'],
  ['advertised.listeners', 'string', null],
  ['listener.security.protocol.map', 'string', 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT'],
  ['inter.broker.listener.name', 'string', null],
  ['security.inter.broker.protocol', 'string', 'PLAINTEXT', oneOf(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'])],
  ['broker.rack', 'string', null],
  ['log.dirs', 'string', null],
  ['log.dir', 'string', '/tmp/kafka-logs'],
  ['metadata.log.dir', 'string', null],
  ['num.partitions', 'int', '1', range(1)],
  ['auto.create.topics.enable', 'boolean', 'true'],
  ['default.replication.factor', 'int', '1', onlyOne],
  ['delete.topic.enable', 'boolean', 'true'],
  ['auto.leader.rebalance.enable', 'boolean', 'true'],
  ['log.retention.check.interval.ms', 'long', '300000', range(1)],
  ['log.flush.offset.checkpoint.interval.ms', 'int', '60000', range(0)],
  ['log.flush.start.offset.checkpoint.interval.ms', 'int', '60000', range(0)],
  ['socket.request.max.bytes', 'int', '104857600', range(1)],
  ['socket.send.buffer.bytes', 'int', '102400'],
  ['socket.receive.buffer.bytes', 'int', '102400'],
  ['socket.listen.backlog.size', 'int', '50', range(1)],
  ['connections.max.idle.ms', 'long', '600000'],
  ['queued.max.requests', 'int', '500', range(1)],
  ['replica.lag.time.max.ms', 'long', '30000'],
  ['offsets.topic.replication.factor', 'short', '1', range(1)],
  ['offsets.topic.num.partitions', 'int', '50', range(1)],
  ['offsets.topic.segment.bytes', 'int', '104857600', range(1)],
  ['offsets.retention.minutes', 'int', '10080', range(1)],
  ['offsets.retention.check.interval.ms', 'long', '600000', range(1)],
  ['offsets.commit.timeout.ms', 'int', '5000', range(1)],
  ['offset.metadata.max.bytes', 'int', '4096'],
  ['transaction.state.log.replication.factor', 'short', '1', range(1)],
  ['transaction.state.log.min.isr', 'int', '1', range(1)],
  ['transaction.state.log.num.partitions', 'int', '50', range(1)],
  ['transaction.state.log.segment.bytes', 'int', '104857600', range(1)],
  ['transactional.id.expiration.ms', 'int', '604800000', range(1)],
  ['transaction.max.timeout.ms', 'int', '900000', range(1)],
  ['producer.id.expiration.ms', 'int', '86400000', range(1)],
  ['group.initial.rebalance.delay.ms', 'int', '3000'],
  ['group.min.session.timeout.ms', 'int', '6000'],
  ['group.max.session.timeout.ms', 'int', '1800000'],
  ['group.max.size', 'int', I, range(1)],
  ['group.coordinator.rebalance.protocols', 'list', 'classic,consumer,streams'],
  ['metric.reporters', 'list', 'org.apache.kafka.common.metrics.JmxReporter'],
  // Longer-unit synonyms Kafka reads from the file but never alters dynamically.
  ['log.roll.hours', 'int', '168', range(1)],
  ['log.roll.jitter.hours', 'int', '0', range(0)],
  ['log.retention.minutes', 'int', null],
  ['log.retention.hours', 'int', '168'],
  ['log.flush.scheduler.interval.ms', 'long', L],
  ['log.cleaner.enable', 'boolean', 'true'],
];

const dynamic: Row[] = [
  ['log.segment.bytes', 'int', '1073741824', range(14)],
  ['log.roll.ms', 'long', null, range(1)],
  ['log.roll.jitter.ms', 'long', null],
  ['log.index.size.max.bytes', 'int', '10485760', range(4)],
  ['log.index.interval.bytes', 'int', '4096', range(0)],
  ['log.flush.interval.messages', 'long', L, range(1)],
  ['log.flush.interval.ms', 'long', null],
  ['log.retention.ms', 'long', null, range(-1)],
  ['log.retention.bytes', 'long', '-1'],
  ['log.cleanup.policy', 'list', 'delete', listOf(['compact', 'delete'])],
  ['log.cleaner.threads', 'int', '1', range(0)],
  ['log.cleaner.delete.retention.ms', 'long', '86400000', range(0)],
  ['log.cleaner.min.compaction.lag.ms', 'long', '0', range(0)],
  ['log.cleaner.max.compaction.lag.ms', 'long', L, range(1)],
  ['log.cleaner.min.cleanable.ratio', 'double', '0.5', range(0, 1)],
  ['log.cleaner.backoff.ms', 'long', '15000', range(0)],
  ['log.cleaner.dedupe.buffer.size', 'long', '134217728'],
  ['log.cleaner.io.buffer.load.factor', 'double', '0.9'],
  ['log.segment.delete.delay.ms', 'long', '60000', range(0)],
  ['log.preallocate', 'boolean', 'false'],
  ['log.message.timestamp.type', 'string', 'CreateTime', oneOf(['CreateTime', 'LogAppendTime'])],
  ['log.message.timestamp.before.max.ms', 'long', L, range(0)],
  ['log.message.timestamp.after.max.ms', 'long', '3600000', range(0)],
  ['log.local.retention.ms', 'long', '-2', range(-2)],
  ['log.local.retention.bytes', 'long', '-2', range(-2)],
  ['message.max.bytes', 'int', '1048588', range(0)],
  ['min.insync.replicas', 'int', '1', range(1)],
  ['compression.type', 'string', 'producer', oneOf(compressionTypes)],
  ['compression.gzip.level', 'int', '-1'],
  ['compression.lz4.level', 'int', '9', range(1, 17)],
  ['compression.zstd.level', 'int', '3', range(-131072, 22)],
  ['unclean.leader.election.enable', 'boolean', 'false'],
  ['num.network.threads', 'int', '3', range(1)],
  ['num.io.threads', 'int', '8', range(1)],
  ['num.replica.fetchers', 'int', '1'],
  ['num.recovery.threads.per.data.dir', 'int', '2', range(1)],
  ['background.threads', 'int', '10', range(1)],
  ['max.connections', 'int', I, range(0)],
  ['max.connections.per.ip', 'int', I, range(0)],
];

const toKey = (dyn: boolean) => ([name, type, defaultValue, validator]: Row): BrokerConfigKey => ({
  name,
  type,
  defaultValue,
  validator,
  dynamic: dyn,
});

/** Every broker config Sluice knows, by name. */
export const brokerConfigKeys: ReadonlyMap<string, BrokerConfigKey> = keyTable([
  ...readOnly.map(toKey(false)),
  ...dynamic.map(toKey(true)),
]) as ReadonlyMap<string, BrokerConfigKey>;

/**
 * Kafka's DynamicBrokerConfig.brokerConfigSynonyms: the keys that set the same thing, highest
 * precedence first. log.flush.scheduler.interval.ms backs log.flush.interval.ms but has no
 * synonyms of its own; node.id/broker.id and log.dirs/log.dir are not synonyms in Kafka.
 */
const brokerConfigSynonyms: ReadonlyMap<string, readonly string[]> = new Map(
  [
    ['log.roll.ms', 'log.roll.hours'],
    ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
    ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ]
    .flatMap((group) => group.map((name): [string, readonly string[]] => [name, group]))
    .concat([['log.flush.interval.ms', ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']]]),
);

/** The synonym list of a broker key, starting with the highest-precedence one (itself alone when it has none). */
export function brokerSynonymsOf(name: string): readonly string[] {
  return brokerConfigSynonyms.get(name) ?? [name];
}
