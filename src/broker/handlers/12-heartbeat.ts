// Heartbeat (api key 12), versions 0-4.
//
// Behavior (Kafka 4.1.1's classic group coordinator):
// - Restarts the member's session timer; NONE while the group is Stable or CompletingRebalance,
//   REBALANCE_IN_PROGRESS while it prepares a rebalance (the member must rejoin).
// - UNKNOWN_MEMBER_ID for an unknown group or member (or an Empty group), FENCED_INSTANCE_ID for
//   a static member's superseded id (v3+ carries group_instance_id), ILLEGAL_GENERATION for a
//   stale generation, INVALID_GROUP_ID for an empty group id.
import { ApiKey, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Serves Heartbeat through the group coordinator. */
export const handler: ApiHandler<HeartbeatRequest, HeartbeatResponse> = {
  apiKey: ApiKey.Heartbeat,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    return { throttleTimeMs: 0, errorCode: ctx.services.groupCoordinator.heartbeat(req) };
  },
  errorResponse(_req, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
};
