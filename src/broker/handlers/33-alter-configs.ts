// AlterConfigs, versions 0-2 (the legacy, replace-everything form of config changes).
//
// Behavior:
// - Each resource's overrides are replaced by exactly the configs given (absent ones revert
//   to their defaults). TOPIC (2) and BROKER (4: "" = cluster default, or this node's id).
// - Topic configs: unknown names or bad values are INVALID_CONFIG. Broker configs: read-only
//   or bad values are INVALID_REQUEST; unknown names are kept as custom configs; leaving out the
//   cluster-level min.insync.replicas is INVALID_CONFIG (all as Kafka 4.1 answers).
// - Changes are persisted, then applied to live logs (e.g. retention.ms affects the next
//   retention pass, segment.bytes the next roll). validate_only checks and changes nothing.
// - The same resource twice in one request is INVALID_REQUEST for both.
// Deviations: BROKER_LOGGER is INVALID_REQUEST (log levels are not configurable).
import type { AlterConfigsRequest, AlterConfigsResponse } from '../../protocol/messages/33-alter-configs.js';
import { ApiKey } from '../../protocol/index.js';
import { alterEachResource, failEachResource, replaceOverrides } from '../../config/config-resources.js';
import type { ApiHandler } from '../handler.js';

/** Serves AlterConfigs (api key 33). */
export const handler: ApiHandler<AlterConfigsRequest, AlterConfigsResponse> = {
  apiKey: ApiKey.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const responses = alterEachResource('AlterConfigs', req.resources, (r) => {
      const configs = new Map(r.configs.map((c) => [c.name, c.value]));
      replaceOverrides(ctx.services, r.resourceType, r.resourceName, configs, req.validateOnly);
    });
    return { throttleTimeMs: 0, responses };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, responses: failEachResource(req.resources, errorCode) };
  },
};
