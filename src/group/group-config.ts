// The group coordinator's settings, read once from the broker config (static, as Kafka's
// GroupCoordinatorConfig is) so the coordinator never parses config strings on a request path.
import type { BrokerConfig } from '../config/broker-config.js';
import { toNumber } from '../config/config-def.js';
import { brokerValue } from '../config/effective-config.js';

/** What the classic group coordinator and the offset manager need from the broker config. */
export interface GroupConfig {
  minSessionTimeoutMs: number; // group.min.session.timeout.ms
  maxSessionTimeoutMs: number; // group.max.session.timeout.ms
  initialRebalanceDelayMs: number; // group.initial.rebalance.delay.ms
  maxSize: number; // group.max.size
  offsetMetadataMaxBytes: number; // offset.metadata.max.bytes
  offsetsRetentionMs: number; // offsets.retention.minutes in ms
  offsetsRetentionCheckIntervalMs: number; // offsets.retention.check.interval.ms
}

/** Kafka's classic.group.new.member.join.timeout: how long a new member's JoinGroup may stay parked. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/** The group settings of `config`, each from its props or Kafka's default. */
export function groupConfigOf(config: BrokerConfig): GroupConfig {
  const n = (name: string) => toNumber(brokerValue([config.props], name));
  return {
    minSessionTimeoutMs: n('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: n('group.max.session.timeout.ms'),
    initialRebalanceDelayMs: n('group.initial.rebalance.delay.ms'),
    maxSize: n('group.max.size'),
    offsetMetadataMaxBytes: n('offset.metadata.max.bytes'),
    offsetsRetentionMs: n('offsets.retention.minutes') * 60 * 1000,
    offsetsRetentionCheckIntervalMs: n('offsets.retention.check.interval.ms'),
  };
}
