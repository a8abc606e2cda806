// The config resources AlterConfigs and IncrementalAlterConfigs change: read and replace the
// overrides of a topic (TopicManager) or of a broker entity (ConfigManager).

import { type ApiError, apiErrorOf, NO_ERROR } from '../metadata/api-error.js';
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
    owners.configs.alterBroker(name, configs, validateOnly, true);
  } else {
    throw unsupported(type);
  }
}

/** The definition of config `name` for a resource type (used by APPEND/SUBTRACT). */
export function configKeyOf(type: number, name: string): ConfigKey | undefined {
  return type === ConfigResourceType.TOPIC ? topicConfigKeys.get(name) : brokerConfigKeys.get(name);
}

/** A config resource as requests name it. */
export interface ConfigResourceName {
  resourceType: number;
  resourceName: string;
}

/** One resource's outcome, shaped like the results of AlterConfigs and IncrementalAlterConfigs. */
export interface AlterConfigsResult extends ConfigResourceName, ApiError {}

/** Indexes of resources named more than once in one request (Kafka rejects all of them). */
function duplicateResources(resources: readonly ConfigResourceName[]): Set<number> {
  const byKey = new Map<string, number[]>();
  resources.forEach((r, i) => {
    const k = `${r.resourceType}/${r.resourceName}`;
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  return new Set([...byKey.values()].filter((ix) => ix.length > 1).flat());
}

/**
 * Runs `alter` on each resource of an (Incremental)AlterConfigs request: a resource named twice
 * is INVALID_REQUEST (every occurrence), and a failure stays with its own resource.
 */
export function alterEachResource<R extends ConfigResourceName>(
  apiName: string,
  resources: readonly R[],
  alter: (r: R) => void,
): AlterConfigsResult[] {
  const dups = duplicateResources(resources);
  return resources.map((r, i) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    try {
      if (dups.has(i)) throw new KafkaError('INVALID_REQUEST', 'Duplicate resource in the request');
      alter(r);
      return { ...base, ...NO_ERROR };
    } catch (err) {
      return { ...base, ...apiErrorOf(err, `${apiName} ${r.resourceType}/${r.resourceName}`) };
    }
  });
}

/** Every resource failed with errorCode (a whole-request failure of either alter API). */
export function failEachResource(resources: readonly ConfigResourceName[], errorCode: number): AlterConfigsResult[] {
  return resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName }));
}
