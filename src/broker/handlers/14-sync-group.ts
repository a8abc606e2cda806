// SyncGroup (api key 14), versions 0-5.
//
// Behavior (Kafka 4.1.1's classic group coordinator):
// - After a join phase the leader sends every member's assignment; it is persisted to
//   __consumer_offsets, the group becomes Stable and every member (followers wait for it)
//   receives its own assignment. Members the leader left out get an empty assignment.
// - In a Stable group the member's current assignment is answered at once.
// - REBALANCE_IN_PROGRESS while a rebalance is being prepared (or started while waiting),
//   ILLEGAL_GENERATION for a stale generation, UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID for
//   unknown or superseded members, INVALID_GROUP_ID for an empty group id.
// - v5+ (KIP-559) require protocol_type and protocol_name (null is INCONSISTENT_GROUP_PROTOCOL,
//   as Kafka's areMandatoryProtocolTypeAndNamePresent), check them against the group's
//   (INCONSISTENT_GROUP_PROTOCOL) and echo them in the response.
// - Members that never send SyncGroup within the rebalance timeout are removed and the group
//   rebalances again.
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** First version in which protocol_type and protocol_name are mandatory. */
const MANDATORY_PROTOCOL_VERSION = 5;

function errorResponse(errorCode: number): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

/** Serves SyncGroup through the group coordinator. */
export const handler: ApiHandler<SyncGroupRequest, SyncGroupResponse> = {
  apiKey: ApiKey.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (ctx.apiVersion >= MANDATORY_PROTOCOL_VERSION && (req.protocolType === null || req.protocolName === null)) {
      return errorResponse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    return ctx.services.groupCoordinator.syncGroup(req);
  },
  errorResponse(_req, errorCode) {
    return errorResponse(errorCode);
  },
};
