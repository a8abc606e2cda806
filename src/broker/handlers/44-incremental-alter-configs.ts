// IncrementalAlterConfigs, versions 0-1 (KIP-339).
//
// Behavior:
// - Per resource, operations SET (0), DELETE (1), APPEND (2) and SUBTRACT (3) change the current
//   overrides; APPEND/SUBTRACT only apply to list configs (e.g. cleanup.policy) and start from
//   the current override or the key's default. The result is validated as a whole.
// - TOPIC (2) and BROKER (4: "" = cluster default, or this node's id). Topic errors are
//   INVALID_CONFIG; broker errors (read-only, bad value) INVALID_REQUEST; unknown broker names
//   are kept as custom configs; deleting the cluster-level min.insync.replicas is INVALID_CONFIG.
// - A key twice in one resource, or a resource twice in the request, is INVALID_REQUEST.
// - Changes are persisted and applied to live logs; validate_only changes nothing.
// Deviations: BROKER_LOGGER is INVALID_REQUEST (log levels are not configurable).
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../protocol/messages/44-incremental-alter-configs.js';
import { ApiKey } from '../../protocol/index.js';
import { applyIncrementalChanges } from '../../config/alter-ops.js';
import {
  alterEachResource,
  ConfigResourceType,
  configKeyOf,
  currentOverrides,
  failEachResource,
  replaceOverrides,
} from '../../config/config-resources.js';
import type { ApiHandler } from '../handler.js';

/** Serves IncrementalAlterConfigs (api key 44). */
export const handler: ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: ApiKey.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const responses = alterEachResource('IncrementalAlterConfigs', req.resources, (r) => {
      const current = currentOverrides(ctx.services, r.resourceType, r.resourceName);
      const next = applyIncrementalChanges(
        current,
        r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
        (name) => configKeyOf(r.resourceType, name),
        r.resourceType === ConfigResourceType.TOPIC ? 'INVALID_CONFIG' : 'INVALID_REQUEST',
      );
      replaceOverrides(ctx.services, r.resourceType, r.resourceName, next, req.validateOnly);
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, responses: failEachResource(req.resources, errorCode) };
  },
};
