// DescribeGroups (api key 15), versions 0-5.
//
// Behavior (Kafka 4.1.1's classic group coordinator):
// - Each group's state as Kafka names it (Empty, PreparingRebalance, CompletingRebalance,
//   Stable, Dead), protocol type and members (id, v4+ instance id, client id, host).
// - Only a Stable group reports its protocol (protocol_data) and each member's metadata; other
//   states report the members without metadata but with the assignment they still hold.
// - A group that does not exist is answered as Dead with no error (v6 would say
//   GROUP_ID_NOT_FOUND; our spec window ends at v5).
// - v3+ include_authorized_operations: without an authorizer Kafka reports every operation a
//   group supports (READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS: 3400, as Kafka 4.1.1
//   answers); otherwise the field stays at its "not requested" default.
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Kafka's AclOperation codes a group supports: READ (3), DELETE (6), DESCRIBE (8), DESCRIBE_CONFIGS (10), ALTER_CONFIGS (11), as a bit field. */
export const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);
/** DescribedGroup.authorized_operations when the client did not ask for them. */
const OPERATIONS_NOT_REQUESTED = -2147483648;

/** Serves DescribeGroups through the group coordinator. */
export const handler: ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse> = {
  apiKey: ApiKey.DescribeGroups,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const withOperations = ctx.apiVersion >= 3 && req.includeAuthorizedOperations;
    const groups = ctx.services.groupCoordinator.describeGroups(req.groups).map((g) => ({
      ...g,
      authorizedOperations: withOperations && g.errorCode === ErrorCode.NONE ? GROUP_AUTHORIZED_OPERATIONS : OPERATIONS_NOT_REQUESTED,
    }));
    return { throttleTimeMs: 0, groups };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: OPERATIONS_NOT_REQUESTED,
      })),
    };
  },
};
