// A broker's storage and topic registry over one log dir, opened as Broker.start opens them, for
// tests of the layers above storage (topics, the group store) that need no socket server.
import { ConfigManager } from '../../src/config/config-manager.js';
import type { BrokerConfig } from '../../src/config/broker-config.js';
import { brokerConfigFromProps } from '../../src/config/server-properties.js';
import { MetadataStore } from '../../src/metadata/metadata-store.js';
import { TopicManager } from '../../src/metadata/topic-manager.js';
import { LogManager } from '../../src/storage/log-manager.js';

/** What openBrokerStorage opened; the caller shuts logManager down. */
export interface BrokerStorage {
  config: BrokerConfig;
  store: MetadataStore;
  configs: ConfigManager;
  logManager: LogManager;
  topics: TopicManager;
}

/** Opens log dir `dir` with server.properties `props` (log.dirs is set to dir). */
export async function openBrokerStorage(dir: string, props: Record<string, string> = {}): Promise<BrokerStorage> {
  const config = brokerConfigFromProps(new Map(Object.entries({ ...props, 'log.dirs': dir })), () => {});
  const store = MetadataStore.open(dir);
  const configs = new ConfigManager(config, store);
  const overrides = new Map(store.current.topics.map((t) => [t.name, new Map(Object.entries(t.configs))]));
  const logManager = await LogManager.open({
    logDirs: config.logDirs,
    nodeId: config.nodeId,
    defaultConfig: configs.logConfig(),
    retentionCheckIntervalMs: config.retentionCheckIntervalMs,
    configFor: (topic) => configs.logConfig(overrides.get(topic)),
  });
  const topics = TopicManager.open({ config, configs, logManager, store });
  return { config, store, configs, logManager, topics };
}
