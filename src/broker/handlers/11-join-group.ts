// JoinGroup (api key 11), versions 0-9.
//
// Behavior (Kafka 4.1.1's classic group coordinator, see src/group/group-coordinator.ts):
// - The response waits until the group's join phase ends: every known member rejoined, or the
//   rebalance timeout (the largest of the members') passed; a new or empty group first waits
//   group.initial.rebalance.delay.ms, extended while members keep arriving.
// - v4+ (KIP-394): a member without an id gets MEMBER_ID_REQUIRED and a new id to join with;
//   v0-3 members are added at once. v0 has no rebalance timeout: the session timeout serves.
// - The leader alone receives every member's metadata for the protocol chosen by vote among
//   those all members support (INCONSISTENT_GROUP_PROTOCOL when none fits).
// - v5+ static members (group.instance.id, KIP-345) rejoining a Stable group with unchanged
//   protocols keep the generation and assignment; v9+ (KIP-814) tells such a leader to skip
//   the assignment. Their previous member id is fenced (FENCED_INSTANCE_ID).
// - INVALID_GROUP_ID for an empty group id, INVALID_SESSION_TIMEOUT outside
//   group.min/max.session.timeout.ms, GROUP_MAX_SIZE_REACHED beyond group.max.size.
// - v7+ carries the protocol type; protocol_name is nullable from v7 ('' before).
// - client_host is recorded as Kafka prints InetAddress ("/127.0.0.1").
import { ApiKey, defaultJoinGroupResponse, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** First version whose protocol_name may be null. */
const NULLABLE_PROTOCOL_NAME_VERSION = 7;

/** The client address as Kafka's InetAddress.toString() renders it: "/" + address, IPv4-mapped IPv6 unwrapped. */
export function kafkaClientHost(remoteAddress: string): string {
  const address = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice('::ffff:'.length) : remoteAddress;
  return address.startsWith('/') ? address : `/${address}`;
}

function forVersion(res: JoinGroupResponse, version: number): JoinGroupResponse {
  if (version < NULLABLE_PROTOCOL_NAME_VERSION && res.protocolName === null) return { ...res, protocolName: '' };
  return res;
}

/** Serves JoinGroup through the group coordinator. */
export const handler: ApiHandler<JoinGroupRequest, JoinGroupResponse> = {
  apiKey: ApiKey.JoinGroup,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const rebalanceTimeoutMs = ctx.apiVersion === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
    const res = await ctx.services.groupCoordinator.joinGroup(
      { ...req, rebalanceTimeoutMs },
      { clientId: ctx.clientId ?? '', clientHost: kafkaClientHost(ctx.clientHost), apiVersion: ctx.apiVersion },
    );
    return forVersion(res, ctx.apiVersion);
  },
  errorResponse(req, errorCode, ctx) {
    return forVersion({ ...defaultJoinGroupResponse(), errorCode, memberId: req.memberId ?? '', protocolName: null }, ctx.apiVersion);
  },
};
