// How a config's effective value is found: broker keys through their layers (dynamic per-broker,
// dynamic cluster default, static file) then their default; topic keys through the topic's
// override, then their broker synonyms in precedence order, then the topic default.

import type { LogConfig } from '../storage/log-config.js';
import { brokerConfigKeys } from './broker-config-defs.js';
import { type ConfigValue, defaultOf, parseConfig, toNumber } from './config-def.js';
import { topicConfigKeys, topicConfigSynonyms } from './topic-config-defs.js';

/** Raw config strings from one source, e.g. the server.properties file or one topic's overrides. */
export type ConfigLayer = ReadonlyMap<string, string>;

/** The effective value of broker key `name` across `layers` (highest priority first). */
export function brokerValue(layers: readonly ConfigLayer[], name: string): ConfigValue {
  const key = brokerConfigKeys.get(name);
  if (!key) throw new Error(`unknown broker config ${name}`);
  for (const layer of layers) {
    const raw = layer.get(name);
    if (raw !== undefined) return parseConfig(key, raw);
  }
  return defaultOf(key);
}

/** The broker-supplied default of topic config `name` (what a topic without an override gets). */
function topicDefault(brokerLayers: readonly ConfigLayer[], name: string): ConfigValue {
  const key = topicConfigKeys.get(name);
  if (!key) throw new Error(`unknown topic config ${name}`);
  // Kafka merges the layers first, then walks the synonyms in order; only the last synonym of a
  // group has a default (log.retention.hours), so a set log.retention.ms anywhere wins over it.
  for (const syn of topicConfigSynonyms.get(name) ?? []) {
    const value = brokerValue(brokerLayers, syn.name);
    if (value === null) continue;
    if (syn.unitMs === undefined) return value;
    const units = toNumber(value);
    return units < 0 ? -1n : BigInt(units) * BigInt(syn.unitMs); // Kafka: negative means unlimited
  }
  return defaultOf(key);
}

/** The effective value of topic config `name` given the topic's overrides. */
export function topicValue(overrides: ConfigLayer, brokerLayers: readonly ConfigLayer[], name: string): ConfigValue {
  const raw = overrides.get(name);
  const key = topicConfigKeys.get(name);
  if (raw !== undefined && key) return parseConfig(key, raw);
  return topicDefault(brokerLayers, name);
}

/** Builds the storage layer's LogConfig from a topic-config lookup. */
function logConfigOf(get: (topicConfig: string) => ConfigValue): LogConfig {
  const n = (k: string) => toNumber(get(k));
  return {
    segmentBytes: n('segment.bytes'),
    segmentMs: n('segment.ms'),
    segmentJitterMs: n('segment.jitter.ms'),
    segmentIndexBytes: n('segment.index.bytes'),
    indexIntervalBytes: n('index.interval.bytes'),
    retentionMs: n('retention.ms'),
    retentionBytes: n('retention.bytes'),
    flushMessages: n('flush.messages'),
    flushMs: n('flush.ms'),
    maxMessageBytes: n('max.message.bytes'),
    messageTimestampType: get('message.timestamp.type') as LogConfig['messageTimestampType'],
    messageTimestampBeforeMaxMs: n('message.timestamp.before.max.ms'),
    messageTimestampAfterMaxMs: n('message.timestamp.after.max.ms'),
    compressionType: get('compression.type') as LogConfig['compressionType'],
    cleanupPolicy: get('cleanup.policy') as string[],
    deleteRetentionMs: n('delete.retention.ms'),
    minCleanableDirtyRatio: n('min.cleanable.dirty.ratio'),
    minCompactionLagMs: n('min.compaction.lag.ms'),
    maxCompactionLagMs: n('max.compaction.lag.ms'),
    fileDeleteDelayMs: n('file.delete.delay.ms'),
    preallocate: get('preallocate') as boolean,
  };
}

/** The LogConfig of a topic with `overrides` under the broker `layers`. */
export function effectiveLogConfig(overrides: ConfigLayer, brokerLayers: readonly ConfigLayer[]): LogConfig {
  return logConfigOf((k) => topicValue(overrides, brokerLayers, k));
}
