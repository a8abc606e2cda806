// DeleteGroups (api key 42), versions 0-2.
//
// Behavior (Kafka 4.1.1's group coordinator):
// - Each group independently: an Empty group is deleted with all its committed offsets
//   (tombstones for every offset and for the group appended to __consumer_offsets first);
//   GROUP_ID_NOT_FOUND for an unknown group, NON_EMPTY_GROUP while it has members.
import { ApiKey, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Serves DeleteGroups through the group coordinator. */
export const handler: ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse> = {
  apiKey: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    return { throttleTimeMs: 0, results: ctx.services.groupCoordinator.deleteGroups(req.groupsNames) };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
};
