// DescribeConfigs' view of configs: each effective value with its source, read-only flag and
// synonyms, computed the way Kafka's ConfigHelper does it, from raw config layers.

import { brokerConfigKeys, brokerSynonymsOf } from './broker-config-defs.js';
import { type ConfigKey, ConfigTypeId, defaultOf, formatConfig } from './config-def.js';
import { brokerValue, type ConfigLayer, topicValue } from './effective-config.js';
import { topicConfigKeys, topicConfigSynonyms } from './topic-config-defs.js';

/** Kafka's DescribeConfigsResponse.ConfigSource ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** One synonym of a described config: a key that could supply its value, and from where. */
export interface ConfigSynonymEntry {
  name: string;
  value: string | null;
  source: number;
}

/** One described config, shaped like a DescribeConfigs result entry. */
export interface DescribedConfig {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  /** Always computed; handlers drop them unless the request asked for synonyms. */
  synonyms: ConfigSynonymEntry[];
  configType: number;
}

/** Broker config layers in priority order, each tagged with the source it reports. */
export interface BrokerLayers {
  perBroker: ConfigLayer; // DYNAMIC_BROKER_CONFIG
  clusterDefault: ConfigLayer; // DYNAMIC_DEFAULT_BROKER_CONFIG
  static: ConfigLayer; // STATIC_BROKER_CONFIG
}

/** The layers as the ordered list effective-config works on. */
export function layerList(l: BrokerLayers): ConfigLayer[] {
  return [l.perBroker, l.clusterDefault, l.static];
}

function display(key: ConfigKey, raw: string | null): string | null {
  return key.type === 'password' ? null : raw;
}

/** Kafka's configSynonyms: every place one of `names` is set, highest priority first. */
function synonymEntries(names: readonly string[], l: BrokerLayers, includePerBroker: boolean): ConfigSynonymEntry[] {
  const out: ConfigSynonymEntry[] = [];
  for (const name of names) {
    const key = brokerConfigKeys.get(name);
    if (!key) continue;
    const add = (layer: ConfigLayer, source: number) => {
      const raw = layer.get(name);
      if (raw !== undefined) out.push({ name, value: display(key, raw), source });
    };
    if (includePerBroker) add(l.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG);
    add(l.clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    add(l.static, ConfigSource.STATIC_BROKER_CONFIG);
    if (key.defaultValue !== null) {
      out.push({ name, value: display(key, formatConfig(key.type, defaultOf(key))), source: ConfigSource.DEFAULT_CONFIG });
    }
  }
  return out;
}

const wanted = (keys: readonly string[] | null) => (name: string) => keys === null || keys.includes(name);

/**
 * Broker configs of this node (`perBroker`) with effective values, or — for the empty resource
 * name — only the cluster-default dynamic configs, as Kafka does.
 */
export function describeBrokerConfigs(l: BrokerLayers, perBroker: boolean, keys: readonly string[] | null): DescribedConfig[] {
  const names = perBroker ? [...brokerConfigKeys.keys()] : [...l.clusterDefault.keys()];
  const layers = perBroker ? layerList(l) : [l.clusterDefault];
  return names.filter(wanted(keys)).flatMap((name) => {
    const key = brokerConfigKeys.get(name);
    if (!key) return [];
    const synonyms = synonymEntries(brokerSynonymsOf(name), l, perBroker);
    const value = formatConfig(key.type, brokerValue(layers, name));
    return [
      {
        name,
        value: display(key, value),
        readOnly: !key.dynamic,
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: key.type === 'password',
        synonyms,
        configType: ConfigTypeId[key.type],
      },
    ];
  });
}

/** Every topic config of a topic with `overrides`, effective values first from the topic, then the broker. */
export function describeTopicConfigs(overrides: ConfigLayer, l: BrokerLayers, keys: readonly string[] | null): DescribedConfig[] {
  const layers = layerList(l);
  return [...topicConfigKeys.values()]
    .filter((key) => wanted(keys)(key.name))
    .map((key) => {
      const value = display(key, formatConfig(key.type, topicValue(overrides, layers, key.name)));
      const brokerNames = (topicConfigSynonyms.get(key.name) ?? []).map((s) => s.name);
      const synonyms = synonymEntries(brokerNames, l, true);
      if (overrides.has(key.name)) synonyms.unshift({ name: key.name, value, source: ConfigSource.TOPIC_CONFIG });
      return {
        name: key.name,
        value,
        readOnly: false,
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive: key.type === 'password',
        synonyms,
        configType: ConfigTypeId[key.type],
      };
    });
}
