// The config resources AlterConfigs and IncrementalAlterConfigs change: read and replace the
// overrides of a topic (TopicManager) or of a broker entity (ConfigManager).

import type { TopicManager } from '../metadata/topic-manager.js';
import { validateTopicName } from '../metadata/topic-name.js';
import { KafkaError } from '../protocol/errors.js';
import { brokerConfigKeys } from './broker-config-defs.js';
import type { ConfigKey } from './config-def.js';
import type { ConfigManager } from './config-manager.js';
import { topicConfigKeys } from './topic-config-defs.js';

/** Kafka's ConfigResource.Type ids. */
export const ConfigResourceType = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

/** The services that own config overrides. */
export interface ConfigOwners {
  topics: TopicManager;
  configs: ConfigManager;
}

function unsupported(type: number): KafkaError {
  if (type === ConfigResourceType.BROKER_LOGGER) {
    return new KafkaError('INVALID_REQUEST', 'Sluice does not support changing broker logger levels');
  }
  return new KafkaError('INVALID_REQUEST', `Unsupported resource type ${type}`);
}

/** The current overrides of a resource; KafkaError for unknown topics, other brokers, other types. */
export function currentOverrides(owners: ConfigOwners, type: number, name: string): Map<string, string> {
  if (type === ConfigResourceType.TOPIC) {
    validateTopicName(name);
    const topic = owners.topics.get(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist`);
    return new Map(topic.configs);
  }
  if (type === ConfigResourceType.BROKER) return owners.configs.brokerOverrides(name);
  throw unsupported(type);
}

/** Replaces every override of a resource with `configs` (validated, persisted, applied live). */
export function replaceOverrides(
  owners: ConfigOwners,
  type: number,
  name: string,
  configs: ReadonlyMap<string, string | null>,
  validateOnly: boolean,
): void {
  if (type === ConfigResourceType.TOPIC) {
    validateTopicName(name);
    owners.topics.alterTopicConfigs(name, configs, validateOnly);
  } else if (type === ConfigResourceType.BROKER) {
    owners.configs.alterBroker(name, configs, validateOnly);
  } else {
    throw unsupported(type);
  }
}

/** The definition of config `name` for a resource type (used by APPEND/SUBTRACT). */
export function configKeyOf(type: number, name: string): ConfigKey | undefined {
  return type === ConfigResourceType.TOPIC ? topicConfigKeys.get(name) : brokerConfigKeys.get(name);
}

/** Indexes of resources named more than once in one request (Kafka rejects all of them). */
export function duplicateResources(resources: readonly { resourceType: number; resourceName: string }[]): Set<number> {
  const byKey = new Map<string, number[]>();
  resources.forEach((r, i) => {
    const k = `${r.resourceType}/${r.resourceName}`;
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  return new Set([...byKey.values()].filter((ix) => ix.length > 1).flat());
}
