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

function display(key: ConfigKey | undefined, raw: string | null): string | null {
  return key === undefined || key.type === 'password' ? null : raw;
}

/** Kafka's config_type id for a key it does not know (custom dynamic configs). */
const UNKNOWN_CONFIG_TYPE = 0;

/**
 * Kafka's ConfigHelper.configSynonyms: where any of `names` is set, source by source (dynamic
 * per-broker, dynamic default, static, then built-in defaults), each source in synonym order,
 * dropping everything before the first entry for `name` itself. Unknown keys have no default and
 * are shown without a value, as Kafka treats them as possibly sensitive.
 */
function configSynonyms(name: string, names: readonly string[], l: BrokerLayers): ConfigSynonymEntry[] {
  const out: ConfigSynonymEntry[] = [];
  const layers: [ConfigLayer, number][] = [
    [l.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG],
    [l.clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG],
    [l.static, ConfigSource.STATIC_BROKER_CONFIG],
  ];
  for (const [layer, source] of layers) {
    for (const n of names) {
      const raw = layer.get(n);
      if (raw !== undefined) out.push({ name: n, value: display(brokerConfigKeys.get(n), raw), source });
    }
  }
  for (const n of names) {
    const key = brokerConfigKeys.get(n);
    if (key?.defaultValue != null) {
      out.push({ name: n, value: display(key, formatConfig(key.type, defaultOf(key))), source: ConfigSource.DEFAULT_CONFIG });
    }
  }
  const own = out.findIndex((e) => e.name === name);
  return own < 0 ? [] : out.slice(own);
}

const wanted = (keys: readonly string[] | null) => (name: string) => keys === null || keys.includes(name);

/** Names set in any of `layers` that Sluice has no definition for (Kafka keeps custom configs). */
function customNames(layers: readonly ConfigLayer[]): string[] {
  const names = new Set(layers.flatMap((layer) => [...layer.keys()]));
  return [...names].filter((n) => !brokerConfigKeys.has(n));
}

/**
 * Broker configs of this node (`perBroker`) with effective values, or — for the empty resource
 * name — only the cluster-default dynamic configs, whose synonyms Kafka limits to that layer.
 */
export function describeBrokerConfigs(l: BrokerLayers, perBroker: boolean, keys: readonly string[] | null): DescribedConfig[] {
  const layers = perBroker ? layerList(l) : [l.clusterDefault];
  const names = perBroker ? [...brokerConfigKeys.keys(), ...customNames(layers)] : [...l.clusterDefault.keys()];
  return names.filter(wanted(keys)).map((name) => {
    const key = brokerConfigKeys.get(name);
    const all = configSynonyms(name, brokerSynonymsOf(name), l);
    const synonyms = perBroker ? all : all.filter((e) => e.source === ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    const value = key ? formatConfig(key.type, brokerValue(layers, name)) : null;
    return {
      name,
      value: display(key, value),
      readOnly: !key?.dynamic,
      source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
      isSensitive: key === undefined || key.type === 'password',
      synonyms,
      configType: key ? ConfigTypeId[key.type] : UNKNOWN_CONFIG_TYPE,
    };
  });
}

/**
 * Every topic config of a topic with `overrides`: the topic's own setting first, then (Kafka's
 * ConfigHelper) the synonyms of the one broker key the topic config falls back to.
 */
export function describeTopicConfigs(overrides: ConfigLayer, l: BrokerLayers, keys: readonly string[] | null): DescribedConfig[] {
  const layers = layerList(l);
  return [...topicConfigKeys.values()]
    .filter((key) => wanted(keys)(key.name))
    .map((key) => {
      const value = display(key, formatConfig(key.type, topicValue(overrides, layers, key.name)));
      const brokerName = topicConfigSynonyms.get(key.name)?.[0]?.name;
      const synonyms = brokerName === undefined ? [] : configSynonyms(brokerName, brokerSynonymsOf(brokerName), l);
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
