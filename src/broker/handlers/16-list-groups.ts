// ListGroups (api key 16), versions 0-5.
//
// Behavior (Kafka 4.1.1's group coordinator):
// - Every group this node coordinates, including groups that only hold committed offsets
//   (Empty, protocol type '').
// - v4+ (KIP-518) states_filter keeps groups in the named states, case-insensitively; v5+
//   (KIP-848) types_filter keeps groups of the named types: all our groups are 'classic'.
//   An empty filter keeps everything.
import { ApiKey, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Serves ListGroups through the group coordinator. */
export const handler: ApiHandler<ListGroupsRequest, ListGroupsResponse> = {
  apiKey: ApiKey.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const statesFilter = ctx.apiVersion >= 4 ? req.statesFilter : [];
    const typesFilter = ctx.apiVersion >= 5 ? req.typesFilter : [];
    return { throttleTimeMs: 0, errorCode: 0, groups: ctx.services.groupCoordinator.listGroups(statesFilter, typesFilter) };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
};
