// IncrementalAlterConfigs, versions 0-1 (KIP-339).
//
// Behavior:
// - Per resource, operations SET (0), DELETE (1), APPEND (2) and SUBTRACT (3) change the current
//   overrides; APPEND/SUBTRACT only apply to list configs (e.g. cleanup.policy) and start from
//   the current override or the key's default. The result is validated as a whole.
// - TOPIC (2) and BROKER (4: "" = cluster default, or this node's id). Topic errors are
//   INVALID_CONFIG; broker errors (unknown, read-only, bad value) INVALID_REQUEST.
// - A key twice in one resource, or a resource twice in the request, is INVALID_REQUEST.
// - Changes are persisted and applied to live logs; validate_only changes nothing.
// Deviations: BROKER_LOGGER is INVALID_REQUEST (log levels are not configurable).
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsRequestAlterConfigsResource,
  IncrementalAlterConfigsResponse,
} from '../../protocol/messages/44-incremental-alter-configs.js';
import { KafkaError } from '../../protocol/errors.js';
import { applyIncrementalChanges } from '../../config/alter-ops.js';
import {
  ConfigResourceType,
  configKeyOf,
  currentOverrides,
  duplicateResources,
  replaceOverrides,
} from '../../config/config-resources.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import type { ApiHandler, RequestContext } from '../handler.js';

function alterOne(r: IncrementalAlterConfigsRequestAlterConfigsResource, validateOnly: boolean, dup: boolean, ctx: RequestContext) {
  const base = { resourceType: r.resourceType, resourceName: r.resourceName };
  try {
    if (dup) throw new KafkaError('INVALID_REQUEST', 'Duplicate resource in the request');
    const current = currentOverrides(ctx.services, r.resourceType, r.resourceName);
    const errorName = r.resourceType === ConfigResourceType.TOPIC ? 'INVALID_CONFIG' : 'INVALID_REQUEST';
    const next = applyIncrementalChanges(
      current,
      r.configs.map((c) => ({ name: c.name, op: c.configOperation, value: c.value })),
      (name) => configKeyOf(r.resourceType, name),
      errorName,
    );
    replaceOverrides(ctx.services, r.resourceType, r.resourceName, next, validateOnly);
    return { ...base, ...NO_ERROR };
  } catch (err) {
    return { ...base, ...apiErrorOf(err, `IncrementalAlterConfigs ${r.resourceType}/${r.resourceName}`) };
  }
}

/** Serves IncrementalAlterConfigs (api key 44). */
export const handler: ApiHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: 44,
  minVersion: 0,
  maxVersion: 1,
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
