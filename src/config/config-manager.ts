// Dynamic broker configs (Kafka's DynamicBrokerConfig): per-node and cluster-default overrides
// set through AlterConfigs/IncrementalAlterConfigs, persisted in the metadata store, layered
// over server.properties, and turned into the log defaults of every topic without overrides.

import { type ErrorName, KafkaError } from '../protocol/errors.js';
import type { LogConfig } from '../storage/log-config.js';
import { DEFAULT_BROKER_ENTITY, type MetadataStore } from '../metadata/metadata-store.js';
import type { BrokerConfig } from './broker-config.js';
import { brokerConfigKeys } from './broker-config-defs.js';
import { ConfigError, type ConfigKey, formatConfig, parseConfig } from './config-def.js';
import { type BrokerLayers, type DescribedConfig, describeBrokerConfigs, describeTopicConfigs, layerList } from './config-describer.js';
import { brokerValue, type ConfigLayer, effectiveLogConfig } from './effective-config.js';
import { topicConfigKeys } from './topic-config-defs.js';

const CLUSTER_MIN_ISR = 'min.insync.replicas';

/** Owns the broker config layers and answers config questions for handlers and the TopicManager. */
export class ConfigManager {
  private readonly staticLayer: ConfigLayer;
  private readonly listeners: (() => void)[] = [];

  constructor(
    readonly config: BrokerConfig,
    private readonly store: MetadataStore,
  ) {
    const props = new Map(config.props);
    // Kafka's KafkaConfig.populateSynonyms: node.id and broker.id each stand in for the other.
    if (!props.has('node.id')) props.set('node.id', String(config.nodeId));
    if (!props.has('broker.id')) props.set('broker.id', String(config.nodeId));
    // Sluice's own default log directory is a setting Kafka would have needed in the file.
    if (!props.has('log.dirs') && !props.has('log.dir')) props.set('log.dirs', config.logDirs.join(','));
    this.staticLayer = props;
    this.ensureClusterMinIsr();
  }

  /**
   * Kafka 4.1 (eligible leader replicas on by default) records a cluster-level min.insync.replicas
   * on first start, copied from the static config, and never lets it be removed.
   */
  private ensureClusterMinIsr(): void {
    if (this.store.current.brokerConfigs[DEFAULT_BROKER_ENTITY]?.[CLUSTER_MIN_ISR] !== undefined) return;
    const value = formatConfig('int', brokerValue([this.staticLayer], CLUSTER_MIN_ISR));
    this.store.update((s) => {
      s.brokerConfigs[DEFAULT_BROKER_ENTITY] = { ...s.brokerConfigs[DEFAULT_BROKER_ENTITY], [CLUSTER_MIN_ISR]: value as string };
    });
  }

  /** The three broker layers as they stand now. */
  layers(): BrokerLayers {
    const dyn = this.store.current.brokerConfigs;
    return {
      perBroker: new Map(Object.entries(dyn[String(this.config.nodeId)] ?? {})),
      clusterDefault: new Map(Object.entries(dyn[DEFAULT_BROKER_ENTITY] ?? {})),
      static: this.staticLayer,
    };
  }

  /** Log settings of a topic with `overrides` (none: the broker-wide defaults). */
  logConfig(overrides: ConfigLayer = new Map()): LogConfig {
    return effectiveLogConfig(overrides, layerList(this.layers()));
  }

  /** Registers a callback run after dynamic broker configs change (TopicManager re-applies log configs). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The dynamic-config entity a broker resource name refers to: "" → "<default>", own id → itself. */
  entityOf(resourceName: string): string {
    if (resourceName === '') return DEFAULT_BROKER_ENTITY;
    if (resourceName === String(this.config.nodeId)) return resourceName;
    throw new KafkaError(
      'INVALID_REQUEST',
      `Unexpected broker id, expected ${this.config.nodeId} or empty string, but received ${resourceName}`,
    );
  }

  /** Describes the broker resource `resourceName` ("" = cluster defaults, else this node's id). */
  describeBroker(resourceName: string, keys: readonly string[] | null): DescribedConfig[] {
    const entity = this.entityOf(resourceName);
    return describeBrokerConfigs(this.layers(), entity !== DEFAULT_BROKER_ENTITY, keys);
  }

  /** Describes every topic config of a topic with `overrides`. */
  describeTopic(overrides: ConfigLayer, keys: readonly string[] | null): DescribedConfig[] {
    return describeTopicConfigs(overrides, this.layers(), keys);
  }

  /** The dynamic overrides currently set for a broker resource. */
  brokerOverrides(resourceName: string): Map<string, string> {
    return new Map(Object.entries(this.store.current.brokerConfigs[this.entityOf(resourceName)] ?? {}));
  }

  /**
   * Replaces the dynamic overrides of a broker resource; INVALID_REQUEST for read-only or bad
   * values. Names Sluice does not know are kept as custom configs, as Kafka does. Client requests
   * pass `fromClient`, which also refuses dropping the cluster-level min.insync.replicas.
   */
  alterBroker(resourceName: string, configs: ReadonlyMap<string, string | null>, validateOnly: boolean, fromClient = false): void {
    const entity = this.entityOf(resourceName);
    const nonDynamic: string[] = [];
    for (const [name, value] of configs) {
      const key = brokerConfigKeys.get(name);
      if (key && !key.dynamic) {
        nonDynamic.push(name);
        continue;
      }
      if (value === null) throw new KafkaError('INVALID_REQUEST', `Null value not supported for: ${name}`);
      if (key) checkValue(key, value, 'INVALID_REQUEST');
    }
    if (nonDynamic.length > 0) {
      throw new KafkaError('INVALID_REQUEST', `Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`);
    }
    if (fromClient && entity === DEFAULT_BROKER_ENTITY && !configs.has(CLUSTER_MIN_ISR)) {
      throw new KafkaError('INVALID_CONFIG', `Cluster-level ${CLUSTER_MIN_ISR} cannot be removed while ELR is enabled.`);
    }
    if (validateOnly) return;
    this.store.update((s) => {
      if (configs.size === 0) delete s.brokerConfigs[entity];
      else s.brokerConfigs[entity] = Object.fromEntries(configs) as Record<string, string>;
    });
    for (const l of this.listeners) l();
  }
}

/** Validates topic config overrides (names and values); INVALID_CONFIG naming the first bad one. */
export function validateTopicConfigs(configs: ReadonlyMap<string, string | null>): void {
  for (const [name, value] of configs) {
    const key = topicConfigKeys.get(name);
    if (!key) throw new KafkaError('INVALID_CONFIG', `Unknown topic config name: ${name}`);
    if (value === null) throw new KafkaError('INVALID_CONFIG', `Null value not supported for topic configs: ${name}`);
    checkValue(key, value, 'INVALID_CONFIG');
  }
}

/** Parses value as key does, turning a bad value into the Kafka error the request answers. */
function checkValue(key: ConfigKey, value: string, errorName: ErrorName): void {
  try {
    parseConfig(key, value);
  } catch (err) {
    if (err instanceof ConfigError) throw new KafkaError(errorName, err.message);
    throw err;
  }
}
