// The handler registry: every API the broker serves, one module per api key. Dispatch routes by
// it and ApiVersions advertises exactly it, so adding a handler here is all it takes to serve
// (and advertise) a new API.
import type { ApiHandler } from '../handler.js';
import * as produce from './00-produce.js';
import * as fetch from './01-fetch.js';
import * as listOffsets from './02-list-offsets.js';
import * as metadata from './03-metadata.js';
import * as offsetCommit from './08-offset-commit.js';
import * as offsetFetch from './09-offset-fetch.js';
import * as findCoordinator from './10-find-coordinator.js';
import * as joinGroup from './11-join-group.js';
import * as heartbeat from './12-heartbeat.js';
import * as leaveGroup from './13-leave-group.js';
import * as syncGroup from './14-sync-group.js';
import * as describeGroups from './15-describe-groups.js';
import * as listGroups from './16-list-groups.js';
import * as apiVersions from './18-api-versions.js';
import * as createTopics from './19-create-topics.js';
import * as deleteTopics from './20-delete-topics.js';
import * as deleteRecords from './21-delete-records.js';
import * as initProducerId from './22-init-producer-id.js';
import * as offsetForLeaderEpoch from './23-offset-for-leader-epoch.js';
import * as describeConfigs from './32-describe-configs.js';
import * as alterConfigs from './33-alter-configs.js';
import * as describeLogDirs from './35-describe-log-dirs.js';
import * as createPartitions from './37-create-partitions.js';
import * as deleteGroups from './42-delete-groups.js';
import * as incrementalAlterConfigs from './44-incremental-alter-configs.js';
import * as offsetDelete from './47-offset-delete.js';
import * as describeCluster from './60-describe-cluster.js';

// Namespace objects, read lazily: 18-api-versions imports this module back, so no handler may
// be dereferenced while the modules are still being evaluated.
const modules: { handler: ApiHandler }[] = [
  produce,
  fetch,
  listOffsets,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  apiVersions,
  createTopics,
  deleteTopics,
  deleteRecords,
  initProducerId,
  offsetForLeaderEpoch,
  describeConfigs,
  alterConfigs,
  describeLogDirs,
  createPartitions,
  deleteGroups,
  incrementalAlterConfigs,
  offsetDelete,
  describeCluster,
];

let registry: ReadonlyMap<number, ApiHandler> | undefined;

/** Every handler by api key: the single source for dispatch and ApiVersions. */
export function handlerRegistry(): ReadonlyMap<number, ApiHandler> {
  if (!registry) {
    const map = new Map<number, ApiHandler>();
    for (const { handler } of modules) {
      if (map.has(handler.apiKey)) throw new Error(`two handlers for api key ${handler.apiKey}`);
      map.set(handler.apiKey, handler);
    }
    registry = map;
  }
  return registry;
}
