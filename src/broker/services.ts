// Everything a handler may use, bundled once per broker and handed to handlers through the
// RequestContext, so handlers never reach for globals and later services (group coordinator,
// transaction coordinator) join here without changing the handler shape.
import type { BrokerConfig } from '../config/broker-config.js';
import type { ConfigManager } from '../config/config-manager.js';
import type { GroupCoordinator } from '../group/group-coordinator.js';
import type { GroupStore } from '../group/group-store.js';
import type { OffsetManager } from '../group/offset-manager.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import type { LogManager } from '../storage/log-manager.js';
import type { ProducerIdManager } from './producer-id-manager.js';
import type { ReplicaManager } from './replica-manager.js';

/** The broker's services as handlers see them. */
export interface BrokerServices {
  config: BrokerConfig; // listeners and advertised listeners carry the ports actually bound
  clusterId: string;
  nodeId: number;
  topics: TopicManager;
  logManager: LogManager;
  replicaManager: ReplicaManager;
  producerIds: ProducerIdManager;
  configs: ConfigManager; // dynamic broker configs (H4b)
  groupStore: GroupStore; // __consumer_offsets
  groupCoordinator: GroupCoordinator; // classic group membership
  offsets: OffsetManager; // committed offsets of groups
}
