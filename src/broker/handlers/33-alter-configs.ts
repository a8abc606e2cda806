// AlterConfigs, versions 0-2 (the legacy, replace-everything form of config changes).
//
// Behavior:
// - Each resource's overrides are replaced by exactly the configs given (absent ones revert
//   to their defaults). TOPIC (2) and BROKER (4: "" = cluster default, or this node's id).
// - Topic configs: unknown names or bad values are INVALID_CONFIG. Broker configs: unknown,
//   read-only or bad values are INVALID_REQUEST, as Kafka answers.
// - Changes are persisted, then applied to live logs (e.g. retention.ms affects the next
//   retention pass, segment.bytes the next roll). validate_only checks and changes nothing.
// - The same resource twice in one request is INVALID_REQUEST for both.
// Deviations: BROKER_LOGGER is INVALID_REQUEST (log levels are not configurable).
import type {
  AlterConfigsRequest,
  AlterConfigsRequestAlterConfigsResource,
  AlterConfigsResponse,
} from '../../protocol/messages/33-alter-configs.js';
import { KafkaError } from '../../protocol/errors.js';
import { duplicateResources, replaceOverrides } from '../../config/config-resources.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import type { ApiHandler, RequestContext } from '../handler.js';

function alterOne(r: AlterConfigsRequestAlterConfigsResource, validateOnly: boolean, dup: boolean, ctx: RequestContext) {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  try {
    if (dup) throw new KafkaError('INVALID_REQUEST', 'Duplicate resource in the request');
    const configs = new Map(r.configs.map((c) => [c.name, c.value]));
    replaceOverrides(ctx.services, r.resourceType, r.resourceName, configs, validateOnly);
    return { ...base, ...NO_ERROR };
  } catch (err) {
    return { ...base, ...apiErrorOf(err, `AlterConfigs ${r.resourceType}/${r.resourceName}`) };
  }
}

/** Serves AlterConfigs (api key 33). */
export const handler: ApiHandler<AlterConfigsRequest, AlterConfigsResponse> = {
  apiKey: 33,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const dups = duplicateResources(req.resources);
    return { throttleTimeMs: 0, responses: req.resources.map((r, i) => alterOne(r, req.validateOnly, dups.has(i), ctx)) };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      responses: req.resources.map((r) => ({ errorCode, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName })),
    };
  },
};
