// The broker process core: opens storage and metadata, binds the listeners, and shuts all of it
// down in the reverse order. The CLI (src/cli) parses the config and calls Broker.start.
import type { BrokerConfig, Endpoint } from '../config/broker-config.js';
import { ConfigManager } from '../config/config-manager.js';
import { GroupCoordinator } from '../group/group-coordinator.js';
import { groupConfigOf } from '../group/group-config.js';
import { GroupStore } from '../group/group-store.js';
import { OffsetManager } from '../group/offset-manager.js';
import { log } from '../logger.js';
import { MetadataStore } from '../metadata/metadata-store.js';
import { TopicManager } from '../metadata/topic-manager.js';
import { LogManager } from '../storage/log-manager.js';
import { DelayedFetchPurgatory } from './delayed-fetch.js';
import { handlerRegistry } from './handlers/index.js';
import { ProducerIdManager } from './producer-id-manager.js';
import { ReplicaManager } from './replica-manager.js';
import { SocketServer } from './server.js';
import type { BrokerServices } from './services.js';

/** setInterval's largest delay (a longer offsets.retention.check.interval.ms would fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Advertised endpoints with port 0 (an OS-picked listener port) replaced by the bound port. */
function resolveAdvertised(advertised: Endpoint[], bound: Endpoint[]): Endpoint[] {
  return advertised.map((a) => {
    if (a.port !== 0) return a;
    const listener = bound.find((b) => b.listenerName === a.listenerName);
    return listener ? { ...a, port: listener.port } : a;
  });
}

/** A running single-node broker. */
export class Broker {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly services: BrokerServices,
    private readonly server: SocketServer,
    private readonly delayedFetches: DelayedFetchPurgatory,
    private readonly offsetExpiry: NodeJS.Timeout,
  ) {}

  /** Port of the first listener as bound (useful when the config asked for port 0). */
  get port(): number {
    return this.services.config.listeners[0].port;
  }

  /** Opens the log dirs (recovering them if needed), the topic registry, the groups, then the listeners. */
  static async start(config: BrokerConfig): Promise<Broker> {
    const store = MetadataStore.open(config.logDirs[0]);
    const configs = new ConfigManager(config, store);
    // Logs found on disk open with their topic's overrides at once (TopicManager, which owns them
    // afterwards, opens later): segments opened now take index settings from this config.
    const topicOverrides = new Map(store.current.topics.map((t) => [t.name, new Map(Object.entries(t.configs))]));
    const logManager = await LogManager.open({
      logDirs: config.logDirs,
      nodeId: config.nodeId,
      defaultConfig: configs.logConfig(),
      retentionCheckIntervalMs: config.retentionCheckIntervalMs,
      flushCheckIntervalMs: config.flushCheckIntervalMs,
      configFor: (topic) => configs.logConfig(topicOverrides.get(topic)),
      cleaner: config.logCleaner,
    });
    let server: SocketServer | undefined;
    let groupCoordinator: GroupCoordinator | undefined;
    let offsetExpiry: NodeJS.Timeout | undefined;
    try {
      const topics = TopicManager.open({ config, configs, logManager, store });
      const producerIds = ProducerIdManager.open(config.logDirs[0]);
      const delayedFetches = new DelayedFetchPurgatory();
      const replicaManager = new ReplicaManager(logManager, delayedFetches);
      // Groups and their offsets are rebuilt from __consumer_offsets before any client connects.
      const groupConfig = groupConfigOf(config);
      const groupStore = new GroupStore({ config, topics, logManager });
      groupCoordinator = new GroupCoordinator({ store: groupStore, config: groupConfig });
      groupCoordinator.load(groupStore.load());
      const offsets = new OffsetManager({ store: groupStore, groups: groupCoordinator, topics, config: groupConfig });
      offsetExpiry = setInterval(() => {
        try {
          offsets.expireOffsets();
        } catch (err) {
          log.error(`Offset expiration failed: ${(err as Error).message}`);
        }
      }, Math.min(groupConfig.offsetsRetentionCheckIntervalMs, MAX_TIMER_MS)).unref();
      const services: BrokerServices = {
        config,
        clusterId: logManager.clusterId,
        nodeId: config.nodeId,
        topics,
        logManager,
        replicaManager,
        producerIds,
        configs,
        groupStore,
        groupCoordinator,
        offsets,
      };
      const handlers = handlerRegistry();
      server = await SocketServer.start(config.listeners, (listenerName) => ({
        services,
        handlers,
        listenerName,
        socketRequestMaxBytes: config.socketRequestMaxBytes,
        connectionsMaxIdleMs: config.connectionsMaxIdleMs,
      }));
      const bound = server.listeners.map((l) => l.endpoint);
      services.config = { ...config, listeners: bound, advertisedListeners: resolveAdvertised(config.advertisedListeners, bound) };
      logManager.startBackgroundTasks();
      log.info(`Sluice broker ${config.nodeId} started (cluster ${logManager.clusterId}, log dirs ${config.logDirs.join(', ')})`);
      return new Broker(services, server, delayedFetches, offsetExpiry);
    } catch (err) {
      clearInterval(offsetExpiry);
      await server?.stop();
      groupCoordinator?.shutdown();
      await logManager.shutdown();
      throw err;
    }
  }

  /**
   * Stops accepting connections, answers parked fetches and requests in flight, closes the
   * connections, stops the group coordinator's timers, then flushes the logs and writes the
   * checkpoints. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      log.info(`Sluice broker ${this.services.nodeId} shutting down`);
      this.delayedFetches.releaseAll();
      clearInterval(this.offsetExpiry);
      this.services.groupCoordinator.shutdown(); // answers parked joins and syncs first
      await this.server.stop();
      await this.services.logManager.shutdown();
      log.info(`Sluice broker ${this.services.nodeId} shut down`);
    })();
    return this.stopping;
  }
}
