// The broker's startup configuration as the rest of Sluice sees it: parsed, validated, typed.

import type { LogCleanerConfig } from '../storage/log-cleaner.js';
import type { LogConfig } from '../storage/log-config.js';

export { ConfigError } from './config-def.js';

/** One listener: `PLAINTEXT://127.0.0.1:9092` → { listenerName: 'PLAINTEXT', host, port }. */
export interface Endpoint {
  listenerName: string;
  /** Empty string binds every interface (listeners only; advertised hosts are never empty). */
  host: string;
  /** 0 asks the OS for a free port; the broker advertises the port it actually bound. */
  port: number;
}

/** Everything the broker needs from server.properties and --override, already validated. */
export interface BrokerConfig {
  nodeId: number;
  /** Client listeners to bind (controller listeners of a copied KRaft config are left out). */
  listeners: Endpoint[];
  /** What Metadata/DescribeCluster tell clients, one per listener name. */
  advertisedListeners: Endpoint[];
  /** Absolute paths; the first one also holds Sluice's metadata file. */
  logDirs: string[];
  numPartitions: number;
  autoCreateTopicsEnable: boolean;
  defaultReplicationFactor: number;
  socketRequestMaxBytes: number;
  connectionsMaxIdleMs: number;
  retentionCheckIntervalMs: number;
  /**
   * log.flush.scheduler.interval.ms: how often time-based flushes (flush.ms) are checked; 1 s
   * when unset (Kafka: never), so setting flush.ms alone works. All intervals here fit a timer.
   */
  flushCheckIntervalMs: number;
  /** log.flush.offset.checkpoint.interval.ms: how often recovery points are checkpointed. */
  offsetCheckpointIntervalMs: number;
  deleteTopicEnable: boolean;
  /** log.cleaner.*: whether and how the log cleaner compacts cleanup.policy=compact logs. */
  logCleaner: LogCleanerConfig;
  /** Log settings of topics without overrides, from the static file (dynamic configs come later via ConfigManager). */
  logDefaults: LogConfig;
  /** Every key as given (file, then overrides), including unknown ones. */
  props: Map<string, string>;
}
