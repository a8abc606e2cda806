// Turns a Kafka server.properties file plus `--override key=value` pairs into a BrokerConfig:
// unknown keys warn, a bad value stops the broker with a ConfigError naming the key and value.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BrokerConfig, Endpoint } from './broker-config.js';
import { brokerConfigKeys } from './broker-config-defs.js';
import { ConfigError, type ConfigValue, parseConfig, toNumber } from './config-def.js';
import { brokerValue, type ConfigLayer, effectiveLogConfig } from './effective-config.js';
import { advertisableHost, parseListeners, parseProtocolMap } from './listeners.js';
import { parseProperties } from './properties-parser.js';

/** Where the configuration comes from: an optional file, then overrides applied on top. */
export interface LoadBrokerConfigOptions {
  configFile?: string;
  /** `key=value` strings, as given to `sluice start --override`. */
  overrides: string[];
  /** Receives warnings such as unknown keys; console.warn by default. */
  warn?: (message: string) => void;
}

const PLAINTEXT_ONLY = 'Sluice serves only PLAINTEXT listeners';

/** Node timers overflow above 2^31-1 ms (and then fire after 1 ms): longer periods mean "never". */
const MAX_TIMER_MS = 2 ** 31 - 1;
const timerMs = (ms: number) => Math.min(ms, MAX_TIMER_MS);

/** Where logs go when neither log.dirs nor log.dir is set (Kafka's own default is /tmp/kafka-logs). */
const SLUICE_LOG_DIR = './data';

/** How often flush.ms is checked when log.flush.scheduler.interval.ms is not set (Kafka: never). */
const DEFAULT_FLUSH_CHECK_MS = 1000;

/** Reads, merges and validates the broker configuration; throws ConfigError on any bad value. */
export function loadBrokerConfig(opts: LoadBrokerConfigOptions): BrokerConfig {
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  const props = new Map<string, string>();
  if (opts.configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError('--config', opts.configFile, `cannot read the file: ${(err as Error).message}`);
    }
    let parsed: Map<string, string>;
    try {
      parsed = parseProperties(text);
    } catch (err) {
      throw new ConfigError('--config', opts.configFile, (err as Error).message);
    }
    for (const [k, v] of parsed) props.set(k, v);
  }
  for (const o of opts.overrides) {
    const eq = o.indexOf('=');
    if (eq <= 0) throw new ConfigError('--override', o, 'expected key=value');
    props.set(o.slice(0, eq).trim(), o.slice(eq + 1).trim());
  }
  return brokerConfigFromProps(props, warn);
}

/** Validates already-collected properties into a BrokerConfig (the part of loading without I/O). */
export function brokerConfigFromProps(props: Map<string, string>, warn: (message: string) => void): BrokerConfig {
  for (const [k, v] of props) {
    const key = brokerConfigKeys.get(k);
    if (key) parseConfig(key, v);
    else warn(`Unknown configuration '${k}' is ignored`);
  }
  const layers: ConfigLayer[] = [props];
  const get = (name: string): ConfigValue => brokerValue(layers, name);
  const num = (name: string) => toNumber(get(name));

  const nodeId = resolveNodeId(props);
  const protocolMap = parseProtocolMap('listener.security.protocol.map', get('listener.security.protocol.map') as string);
  const controllerNames = new Set(
    ((get('controller.listener.names') as string | null) ?? '').split(',').map((s) => s.trim().toUpperCase()).filter((s) => s),
  );
  const clientListeners = (key: string, value: string): Endpoint[] =>
    parseListeners(key, value).filter((e) => {
      if (controllerNames.has(e.listenerName)) return false;
      const protocol = protocolMap.get(e.listenerName) ?? e.listenerName;
      if (protocol !== 'PLAINTEXT') throw new ConfigError(key, value, `${PLAINTEXT_ONLY}; ${e.listenerName} uses ${protocol}`);
      return true;
    });

  const listenersValue = get('listeners') as string;
  const listeners = clientListeners('listeners', listenersValue);
  if (listeners.length === 0) throw new ConfigError('listeners', listenersValue, 'no client listener is configured');
  const advertisedValue = get('advertised.listeners') as string | null;
  const advertisedListeners =
    advertisedValue === null
      ? listeners.map((e) => ({ ...e, host: advertisableHost(e.host) }))
      : checkAdvertised(clientListeners('advertised.listeners', advertisedValue), listeners, advertisedValue);

  const logDirsValue = props.get('log.dirs') ?? props.get('log.dir') ?? SLUICE_LOG_DIR;
  const logDirs = logDirsValue.split(',').map((s) => s.trim()).filter((s) => s !== '').map((d) => resolve(d));
  if (logDirs.length === 0) throw new ConfigError('log.dirs', logDirsValue, 'at least one log directory is required');

  return {
    nodeId,
    listeners,
    advertisedListeners,
    logDirs,
    numPartitions: num('num.partitions'),
    autoCreateTopicsEnable: get('auto.create.topics.enable') as boolean,
    defaultReplicationFactor: num('default.replication.factor'),
    socketRequestMaxBytes: num('socket.request.max.bytes'),
    connectionsMaxIdleMs: timerMs(num('connections.max.idle.ms')),
    retentionCheckIntervalMs: timerMs(num('log.retention.check.interval.ms')),
    flushCheckIntervalMs: props.has('log.flush.scheduler.interval.ms')
      ? timerMs(num('log.flush.scheduler.interval.ms'))
      : DEFAULT_FLUSH_CHECK_MS,
    offsetCheckpointIntervalMs: num('log.flush.offset.checkpoint.interval.ms'),
    deleteTopicEnable: get('delete.topic.enable') as boolean,
    logCleaner: {
      enable: get('log.cleaner.enable') as boolean,
      threads: num('log.cleaner.threads'),
      backoffMs: timerMs(num('log.cleaner.backoff.ms')),
      dedupeBufferSize: num('log.cleaner.dedupe.buffer.size'),
      ioBufferLoadFactor: num('log.cleaner.io.buffer.load.factor'),
    },
    logDefaults: effectiveLogConfig(new Map(), layers),
    props,
  };
}

function resolveNodeId(props: Map<string, string>): number {
  const nodeId = props.has('node.id') ? (parseConfig(brokerConfigKeys.get('node.id')!, props.get('node.id')!) as number) : null;
  const brokerId = props.has('broker.id') ? (parseConfig(brokerConfigKeys.get('broker.id')!, props.get('broker.id')!) as number) : null;
  if (nodeId !== null && brokerId !== null && nodeId !== brokerId) {
    throw new ConfigError('broker.id', String(brokerId), `must be equal to node.id ${nodeId}`);
  }
  return nodeId ?? brokerId ?? 1;
}

function checkAdvertised(advertised: Endpoint[], listeners: Endpoint[], value: string): Endpoint[] {
  for (const e of advertised) {
    if (e.host === '0.0.0.0' || e.host === '::') {
      throw new ConfigError('advertised.listeners', value, `cannot use the nonroutable meta-address ${e.host}`);
    }
    if (!listeners.some((l) => l.listenerName === e.listenerName)) {
      throw new ConfigError('advertised.listeners', value, `listener ${e.listenerName} is not in listeners`);
    }
  }
  return advertised.map((e) => ({ ...e, host: advertisableHost(e.host) }));
}
