// LeaveGroup (api key 13), versions 0-5.
//
// Behavior (Kafka 4.1.1's classic group coordinator):
// - v0-2 name one member by member_id; v3+ (KIP-345) batch members, each answered on its own:
//   by member id, or by group_instance_id alone (empty member id) to remove a static member
//   administratively. v5 adds a reason per member, which is only logged.
// - Members that leave are removed at once and the group rebalances (or becomes Empty).
// - Unknown group: every member UNKNOWN_MEMBER_ID. v0-2 answer the first error at top level.
// - INVALID_GROUP_ID for an empty group id.
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** First version that batches members. */
const BATCHED_VERSION = 3;

/** Serves LeaveGroup through the group coordinator. */
export const handler: ApiHandler<LeaveGroupRequest, LeaveGroupResponse> = {
  apiKey: ApiKey.LeaveGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const batched = ctx.apiVersion >= BATCHED_VERSION;
    const members = batched ? req.members : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    const result = ctx.services.groupCoordinator.leaveGroup(req.groupId, members);
    if (batched) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    // Kafka's LeaveGroupResponse for v0-2: the top-level error, else the first member error.
    const firstMemberError = result.members.find((m) => m.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
    return { throttleTimeMs: 0, errorCode: result.errorCode !== ErrorCode.NONE ? result.errorCode : firstMemberError, members: [] };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
};
