// The classic group coordinator's membership protocol, as Kafka 4.1.1's GroupMetadataManager
// runs it: JoinGroup (MEMBER_ID_REQUIRED, static members, the initial-rebalance delay),
// SyncGroup, Heartbeat, LeaveGroup, DescribeGroups, ListGroups and DeleteGroups, with the
// session, join and sync timers that expire members. Group state is persisted through the
// GroupStore when a rebalance completes and when a group becomes Empty, and rebuilt by load().
import { randomUUID } from 'node:crypto';
import { log } from '../logger.js';
import { ErrorCode, errorCodeOf } from '../protocol/errors.js';
import {
  defaultJoinGroupResponse,
  type DescribeGroupsResponseDescribedGroup,
  type DescribeGroupsResponseDescribedGroupMember,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type JoinGroupResponseMember,
  type LeaveGroupRequestMemberIdentity,
  type LeaveGroupResponseMemberResponse,
  type ListGroupsResponseListedGroup,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '../protocol/index.js';
import { type GroupConfig, NEW_MEMBER_JOIN_TIMEOUT_MS } from './group-config.js';
import { GroupMetadata } from './group-metadata.js';
import type { GroupMetadataRecord, GroupStore, LoadedGroups, OffsetRecordEntry } from './group-store.js';
import { EMPTY_ASSIGNMENT, type JoinCallback, MemberMetadata, type MemberProtocol, type SyncCallback } from './member-metadata.js';

/** The part of GroupStore the coordinator writes through (tests pass an in-memory twin). */
export type GroupStorePort = Pick<GroupStore, 'append'>;

/** setTimeout/clearTimeout as the coordinator uses them; injectable for tests. */
export interface GroupTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Who sent a group request, as JoinGroup records it on the member. */
export interface MemberContext {
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

/** What the coordinator is built from. */
export interface GroupCoordinatorDeps {
  store: GroupStorePort;
  config: GroupConfig;
  clock?: () => number;
  timers?: GroupTimers;
}

/** A LeaveGroup outcome: a top-level error and one result per member named. */
export interface LeaveGroupResult {
  errorCode: number;
  members: LeaveGroupResponseMemberResponse[];
}

/** Node's timers, unref'd so a pending session timeout never keeps the process alive. */
const nodeTimers: GroupTimers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** The group type every group here has (ListGroups v5, KIP-848's GroupType.CLASSIC). */
export const CLASSIC_GROUP_TYPE = 'classic';
/** setTimeout's largest delay; longer timeouts (int32 rebalance timeouts) are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const JOIN_KEY = 'join';
const SYNC_KEY = 'sync';
const heartbeatKey = (memberId: string) => `heartbeat:${memberId}`;

/** A JoinGroup error: protocol_name null as Kafka answers it (the handler writes '' before v7). */
function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return { ...defaultJoinGroupResponse(), errorCode, memberId, protocolName: null };
}

function syncResponse(errorCode: number, assignment: Buffer = EMPTY_ASSIGNMENT, protocolType: string | null = null, protocolName: string | null = null): SyncGroupResponse {
  return { throttleTimeMs: 0, errorCode, protocolType, protocolName, assignment };
}

/** The checks SyncGroup and Heartbeat share: a live group, a known (unfenced) member, its generation. */
function validateGeneration(group: GroupMetadata, req: { memberId: string; groupInstanceId: string | null; generationId: number }): number {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  try {
    group.validateMember(req.memberId, req.groupInstanceId);
  } catch (err) {
    return errorCodeOf(err);
  }
  return req.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
}

/**
 * A parked request's promise: the first answer wins (a timer and a rejoin may both answer), and
 * a throw while serving it becomes the error response.
 */
function answeredOnce<Res>(serve: (respond: (res: Res) => void) => void, onError: (err: unknown) => Res): Promise<Res> {
  return new Promise((resolve) => {
    let answered = false;
    const respond = (res: Res) => {
      if (answered) return;
      answered = true;
      resolve(res);
    };
    try {
      serve(respond);
    } catch (err) {
      respond(onError(err));
    }
  });
}

/** Runs the classic groups of this node. */
export class GroupCoordinator {
  private readonly groups = new Map<string, GroupMetadata>();
  /** groupId → timer key → handle, so a group's timers and all timers can be cleared. */
  private readonly timerHandles = new Map<string, Map<string, unknown>>();
  /** False once shutdown() ran: requests get NOT_COORDINATOR and no timer is set again. */
  private active = true;
  private readonly store: GroupStorePort;
  private readonly config: GroupConfig;
  private readonly clock: () => number;
  private readonly timers: GroupTimers;

  constructor(deps: GroupCoordinatorDeps) {
    this.store = deps.store;
    this.config = deps.config;
    this.clock = deps.clock ?? Date.now;
    this.timers = deps.timers ?? nodeTimers;
  }

  // ---------------------------------------------------------------- groups

  /**
   * Rebuilds groups from GroupStore.load() output at start-up: members keep their ids (static
   * ones their instance ids) and get fresh session timers; groups with only offsets are Empty.
   */
  load(loaded: LoadedGroups): void {
    const now = this.clock();
    for (const [groupId, record] of loaded.groups) this.groups.set(groupId, this.groupFromRecord(groupId, record, now));
    for (const [groupId, byTopic] of loaded.offsets) {
      const group = this.getOrCreateGroup(groupId);
      for (const [topic, byPartition] of byTopic) group.offsets.set(topic, new Map(byPartition));
    }
    for (const group of this.groups.values()) {
      for (const member of group.members()) this.rescheduleHeartbeat(group, member);
      if (group.size > this.config.maxSize) {
        this.prepareRebalance(group, `freshly-loaded group (size ${group.size}) is over capacity ${this.config.maxSize}`);
      }
    }
  }

  /** The group with this id, if any. */
  group(groupId: string): GroupMetadata | undefined {
    return this.groups.get(groupId);
  }

  /** Existing group or a new Empty one (an OffsetCommit with generation -1 creates one). */
  getOrCreateGroup(groupId: string): GroupMetadata {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new GroupMetadata(groupId, this.clock());
      this.groups.set(groupId, group);
    }
    return group;
  }

  /**
   * Removes an Empty group that has no offsets and no pending members left (after offset
   * expiry / OffsetDelete, Kafka's maybeDeleteGroup). True when removed: the caller then
   * appends the group's tombstone.
   */
  removeGroupIfEmpty(groupId: string): boolean {
    const group = this.groups.get(groupId);
    if (!group || group.state !== 'Empty' || group.offsets.size > 0 || group.pendingJoinMembers.size > 0) return false;
    this.dropGroup(group);
    return true;
  }

  /** Every group this coordinator holds. */
  allGroups(): GroupMetadata[] {
    return [...this.groups.values()];
  }

  /**
   * Restarts a member's session timer; OffsetCommit calls it so commits count as liveness, as
   * Kafka's rescheduleClassicGroupMemberHeartbeat does.
   */
  rescheduleMemberHeartbeat(group: GroupMetadata, memberId: string): void {
    const member = group.get(memberId);
    if (member && this.groups.get(group.groupId) === group) this.rescheduleHeartbeat(group, member);
  }

  /** Stops the coordinator: every timer cleared, parked requests answered, new ones refused. */
  shutdown(): void {
    this.active = false;
    for (const byKey of this.timerHandles.values()) for (const handle of byKey.values()) this.timers.clearTimeout(handle);
    this.timerHandles.clear();
    // Kafka's resignation: parked joins and syncs are answered so clients find the coordinator
    // again, and the broker's shutdown does not wait out their rebalance timeouts.
    for (const group of this.groups.values()) {
      for (const member of group.members()) {
        group.completeJoin(member, joinError(member.memberId, ErrorCode.NOT_COORDINATOR));
        group.completeSync(member, syncResponse(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  // ---------------------------------------------------------------- JoinGroup

  /** Serves JoinGroup; resolves when the member's join phase ends (or at once for errors). */
  joinGroup(req: JoinGroupRequest, ctx: MemberContext): Promise<JoinGroupResponse> {
    return answeredOnce(
      (respond) => this.join(req, ctx, respond),
      (err) => {
        log.error(`JoinGroup of group ${req.groupId} failed`, err);
        return joinError(req.memberId, errorCodeOf(err));
      },
    );
  }

  private join(req: JoinGroupRequest, ctx: MemberContext, respond: JoinCallback): void {
    if (!this.active) return respond(joinError(req.memberId, ErrorCode.NOT_COORDINATOR));
    if (req.groupId === '') return respond(joinError(req.memberId, ErrorCode.INVALID_GROUP_ID));
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return respond(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT));
    }
    const protocols: MemberProtocol[] = req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }));
    const isUnknownMember = req.memberId === '';
    let group = this.groups.get(req.groupId);
    const isNewGroup = !group;
    if (!group) {
      // A member id for a group that does not exist: the group was deleted or expired.
      if (!isUnknownMember) return respond(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID));
      group = this.getOrCreateGroup(req.groupId);
    }

    if (!this.acceptJoiningMember(group, req.memberId)) {
      const refused = group.get(req.memberId);
      if (refused) this.removeMember(group, refused);
      else group.remove(req.memberId);
      this.cancel(group.groupId, heartbeatKey(req.memberId));
      respond(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED));
    } else if (isUnknownMember) {
      this.joinNewMember(group, req, ctx, protocols, respond);
    } else {
      this.joinExistingMember(group, req, ctx, protocols, respond);
    }

    if (isNewGroup && this.groups.get(group.groupId) === group && group.state !== 'Dead') {
      // Kafka commits a newly created group with an empty metadata record.
      this.append(group.groupId, { group: this.emptyGroupRecord(group) }, 'new group');
    }
  }

  /**
   * Kafka's acceptJoiningMember, plus one bound of our own: new member ids (members and pending
   * members together) never exceed group.max.size, so a flood of joins cannot grow a group.
   */
  private acceptJoiningMember(group: GroupMetadata, memberId: string): boolean {
    if (memberId === '' && group.size + group.pendingJoinMembers.size >= this.config.maxSize) return false;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.get(memberId)?.isAwaitingJoin() ?? false) || group.numAwaitingJoinResponse < this.config.maxSize;
      case 'CompletingRebalance':
      case 'Stable':
        return group.has(memberId) || group.size < this.config.maxSize;
    }
  }

  private joinNewMember(group: GroupMetadata, req: JoinGroupRequest, ctx: MemberContext, protocols: MemberProtocol[], respond: JoinCallback): void {
    if (group.state === 'Dead') return respond(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, new Set(protocols.map((p) => p.name)))) {
      return respond(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    const newMemberId = `${req.groupInstanceId ?? ctx.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null) {
      const existing = group.staticMemberId(req.groupInstanceId);
      if (existing !== undefined) {
        log.info(`Static member ${req.groupInstanceId} rejoins group ${group.groupId} in ${group.state}: replacing member ${existing} with ${newMemberId}`);
        return this.updateStaticMemberThenRebalanceOrCompleteJoin(group, req, ctx, existing, newMemberId, protocols, respond);
      }
      return this.addMemberThenRebalanceOrCompleteJoin(group, req, ctx, newMemberId, protocols, respond);
    }
    if (ctx.apiVersion >= 4) {
      // KIP-394: hand out the id first; the member joins again with it, and the pending id
      // expires after the session timeout if it never does.
      group.addPendingMember(newMemberId);
      this.schedule(group.groupId, heartbeatKey(newMemberId), req.sessionTimeoutMs, () => this.expireHeartbeat(group.groupId, newMemberId));
      return respond(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    this.addMemberThenRebalanceOrCompleteJoin(group, req, ctx, newMemberId, protocols, respond);
  }

  private joinExistingMember(group: GroupMetadata, req: JoinGroupRequest, ctx: MemberContext, protocols: MemberProtocol[], respond: JoinCallback): void {
    const memberId = req.memberId;
    if (group.state === 'Dead') return respond(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(req.protocolType, new Set(protocols.map((p) => p.name)))) {
      return respond(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    if (group.pendingJoinMembers.has(memberId)) {
      if (req.groupInstanceId !== null) {
        throw new Error(`JoinGroup with group instance id ${req.groupInstanceId} for pending member ${memberId}`);
      }
      return this.addMemberThenRebalanceOrCompleteJoin(group, req, ctx, memberId, protocols, respond);
    }
    try {
      group.validateMember(memberId, req.groupInstanceId);
    } catch (err) {
      return respond(joinError(memberId, errorCodeOf(err)));
    }
    const member = group.get(memberId) as MemberMetadata;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberThenRebalanceOrCompleteJoin(group, member, req, protocols, respond, `member ${memberId} is joining during a rebalance`);
      case 'CompletingRebalance':
        if (member.matches(protocols)) {
          // Same metadata (it likely missed the JoinGroup response): answer the current generation.
          return respond(this.joinResponse(group, memberId, group.isLeader(memberId) ? group.joinResponseMembers() : []));
        }
        return this.updateMemberThenRebalanceOrCompleteJoin(group, member, req, protocols, respond, `member ${memberId} updated its metadata`);
      case 'Stable':
        if (group.isLeader(memberId)) {
          // The leader rejoining forces a rebalance (e.g. it saw topic metadata change).
          return this.updateMemberThenRebalanceOrCompleteJoin(group, member, req, protocols, respond, `leader ${memberId} rejoined`);
        }
        if (!member.matches(protocols)) {
          return this.updateMemberThenRebalanceOrCompleteJoin(group, member, req, protocols, respond, `member ${memberId} updated its metadata`);
        }
        return respond(this.joinResponse(group, memberId, []));
      default:
        log.warn(`Member ${memberId} rejoins group ${group.groupId} in unexpected state ${group.state}`);
        return respond(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  private joinResponse(group: GroupMetadata, memberId: string, members: JoinGroupResponseMember[], skipAssignment = false, leader = group.leaderId): JoinGroupResponse {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: leader ?? '',
      skipAssignment,
      memberId,
      members,
    };
  }

  private updateMemberThenRebalanceOrCompleteJoin(
    group: GroupMetadata,
    member: MemberMetadata,
    req: JoinGroupRequest,
    protocols: MemberProtocol[],
    respond: JoinCallback,
    reason: string,
  ): void {
    group.updateMember(member, protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    this.maybePrepareRebalanceOrCompleteJoin(group, `${reason}; client reason: ${req.reason ?? 'not provided'}`);
  }

  private addMemberThenRebalanceOrCompleteJoin(
    group: GroupMetadata,
    req: JoinGroupRequest,
    ctx: MemberContext,
    memberId: string,
    protocols: MemberProtocol[],
    respond: JoinCallback,
  ): void {
    const member = new MemberMetadata(
      memberId,
      req.groupInstanceId,
      ctx.clientId,
      ctx.clientHost,
      req.rebalanceTimeoutMs,
      req.sessionTimeoutMs,
      req.protocolType,
      protocols,
    );
    member.isNew = true;
    // A member joining during the initial rebalance extends its delay.
    if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true;
    group.add(member, respond);
    // A parked JoinGroup cannot heartbeat, and a client that gave up may retry with a new
    // member; new members' joins time out so such defunct members do not pile up.
    this.rescheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalanceOrCompleteJoin(group, `adding new member ${memberId} with group instance id ${req.groupInstanceId}; client reason: ${req.reason ?? 'not provided'}`);
  }

  private updateStaticMemberThenRebalanceOrCompleteJoin(
    group: GroupMetadata,
    req: JoinGroupRequest,
    ctx: MemberContext,
    oldMemberId: string,
    newMemberId: string,
    protocols: MemberProtocol[],
    respond: JoinCallback,
  ): void {
    const instanceId = req.groupInstanceId as string;
    const currentLeader = group.leaderId;
    const copyAs = (id: string) => (m: MemberMetadata) =>
      new MemberMetadata(id, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.protocolType, m.supportedProtocols);
    const newMember = group.replaceStaticMember(instanceId, oldMemberId, copyAs(newMemberId));
    this.cancel(group.groupId, heartbeatKey(oldMemberId));
    this.rescheduleHeartbeat(group, newMember);

    const { rebalanceTimeoutMs: oldRebalanceTimeoutMs, sessionTimeoutMs: oldSessionTimeoutMs, supportedProtocols: oldProtocols } = newMember;
    group.updateMember(newMember, protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, respond);
    const reason = `static member ${instanceId} rejoined as ${newMemberId}; client reason: ${req.reason ?? 'not provided'}`;

    if (group.state === 'Stable') {
      // No rebalance when the selected protocol stays: persist the new member id and answer
      // with the current generation (the leader learns it may skip the assignment, v9+).
      if ((group.protocolName ?? '') === group.selectProtocol()) {
        try {
          this.store.append(group.groupId, { group: this.groupRecord(group, group.groupAssignment()) });
        } catch (err) {
          log.warn(`Could not persist static member ${instanceId} of group ${group.groupId} as ${newMemberId}; reverting to ${oldMemberId}: ${(err as Error).message}`);
          group.updateMember(newMember, oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs, null);
          const oldMember = group.replaceStaticMember(instanceId, newMemberId, copyAs(oldMemberId));
          this.cancel(group.groupId, heartbeatKey(newMemberId));
          this.rescheduleHeartbeat(group, oldMember);
          respond({ ...this.joinResponse(group, '', [], false, currentLeader), errorCode: errorCodeOf(err) });
          return;
        }
        if (ctx.apiVersion >= 9) {
          const isLeader = group.isLeader(newMemberId);
          group.completeJoin(newMember, this.joinResponse(group, newMemberId, isLeader ? group.joinResponseMembers() : [], isLeader));
        } else {
          group.completeJoin(newMember, this.joinResponse(group, newMemberId, [], false, currentLeader));
        }
        return;
      }
      return this.maybePrepareRebalanceOrCompleteJoin(group, `group's selected protocol changes: ${reason}`);
    }
    if (group.state === 'CompletingRebalance') {
      // The leader may already be assigning to the old member id: rebalance again.
      return this.prepareRebalance(group, reason);
    }
    if (group.state === 'Empty' || group.state === 'Dead') {
      throw new Error(`group ${group.groupId} in state ${group.state} when static member ${instanceId} rejoined`);
    }
    this.maybeCompleteJoinPhase(group);
  }

  // ---------------------------------------------------------------- rebalance

  private maybePrepareRebalanceOrCompleteJoin(group: GroupMetadata, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
    else this.maybeCompleteJoinPhase(group);
  }

  /** Completes the join phase when every member rejoined, except during the initial (delayed) rebalance. */
  private maybeCompleteJoinPhase(group: GroupMetadata): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.previousState === 'Empty') return;
    if (!group.hasAllMembersJoined()) return;
    this.completeJoinPhase(group);
  }

  private prepareRebalance(group: GroupMetadata, reason: string): void {
    if (group.state === 'CompletingRebalance') this.resetAndPropagateAssignmentWithError(group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.removeSyncExpiration(group);
    const isInitialRebalance = group.state === 'Empty';
    if (isInitialRebalance) {
      // A new group: give members group.initial.rebalance.delay.ms to arrive (Kafka's InitialDelayedJoin).
      const delayMs = this.config.initialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
      this.schedule(group.groupId, JOIN_KEY, delayMs, () => this.tryCompleteInitialRebalanceElseSchedule(group.groupId, delayMs, remainingMs));
    }
    group.transitionTo('PreparingRebalance', this.clock());
    log.info(`Preparing to rebalance group ${group.groupId} with old generation ${group.generationId} (reason: ${reason})`);
    if (!isInitialRebalance) this.maybeCompleteJoinElseSchedule(group);
  }

  private maybeCompleteJoinElseSchedule(group: GroupMetadata): void {
    if (group.hasAllMembersJoined()) this.completeJoinPhase(group);
    else this.schedule(group.groupId, JOIN_KEY, group.rebalanceTimeoutMs(), () => this.completeJoinPhaseOf(group.groupId));
  }

  private tryCompleteInitialRebalanceElseSchedule(groupId: string, delayMs: number, remainingMs: number): void {
    const group = this.groups.get(groupId);
    if (!group) return;
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const newDelayMs = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
      const newRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.schedule(groupId, JOIN_KEY, newDelayMs, () => this.tryCompleteInitialRebalanceElseSchedule(groupId, newDelayMs, newRemainingMs));
    } else {
      this.completeJoinPhase(group);
    }
  }

  private completeJoinPhaseOf(groupId: string): void {
    const group = this.groups.get(groupId);
    if (group) this.completeJoinPhase(group);
  }

  /**
   * Ends the join phase: dynamic members that did not rejoin are removed, the next generation
   * starts, and every parked JoinGroup is answered (the leader gets all members' metadata).
   */
  private completeJoinPhase(group: GroupMetadata): void {
    this.cancel(group.groupId, JOIN_KEY);
    const notRejoined = group.notYetRejoinedMembers().filter((m) => m.groupInstanceId === null);
    for (const m of notRejoined) {
      this.removeMember(group, m);
      this.cancel(group.groupId, heartbeatKey(m.memberId));
    }
    if (notRejoined.length > 0) log.info(`Group ${group.groupId} removed dynamic members who did not rejoin: ${notRejoined.map((m) => m.memberId).join(', ')}`);

    if (group.state === 'Dead') return;
    if (!group.maybeElectNewJoinedLeader() && !group.isEmpty()) {
      // Nobody rejoined: wait another rebalance timeout for session timeouts to clear the members.
      log.error(`Group ${group.groupId} could not complete rebalance because no members rejoined`);
      this.schedule(group.groupId, JOIN_KEY, group.rebalanceTimeoutMs(), () => this.completeJoinPhaseOf(group.groupId));
      return;
    }
    group.initNextGeneration(this.clock());
    if (group.state === 'Empty') {
      log.info(`Group ${group.groupId} with generation ${group.generationId} is now empty`);
      this.append(group.groupId, { group: this.groupRecord(group, new Map()) }, 'empty group');
      return;
    }
    log.info(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members`);
    for (const member of group.members()) {
      group.completeJoin(member, this.joinResponse(group, member.memberId, group.isLeader(member.memberId) ? group.joinResponseMembers() : []));
      this.rescheduleHeartbeat(group, member);
      member.isNew = false;
      group.pendingSyncMembers.add(member.memberId);
    }
    this.schedule(group.groupId, SYNC_KEY, group.rebalanceTimeoutMs(), () => this.expirePendingSync(group.groupId, group.generationId));
  }

  private expirePendingSync(groupId: string, generationId: number): void {
    const group = this.groups.get(groupId);
    if (!group || group.generationId !== generationId) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    if (group.pendingSyncMembers.size === 0) return;
    const pending = [...group.pendingSyncMembers];
    for (const memberId of pending) {
      const member = group.get(memberId);
      if (member) this.removeMember(group, member);
      else group.remove(memberId);
      this.cancel(groupId, heartbeatKey(memberId));
    }
    this.prepareRebalance(group, `removing ${pending.join(', ')} on pending sync request expiration`);
  }

  private removeSyncExpiration(group: GroupMetadata): void {
    group.pendingSyncMembers.clear();
    this.cancel(group.groupId, SYNC_KEY);
  }

  private removePendingSyncMember(group: GroupMetadata, memberId: string): void {
    group.pendingSyncMembers.delete(memberId);
    const syncing = group.state === 'CompletingRebalance' || group.state === 'Stable';
    if (!syncing || group.pendingSyncMembers.size === 0) this.cancel(group.groupId, SYNC_KEY);
  }

  private resetAndPropagateAssignmentWithError(group: GroupMetadata, errorCode: number): void {
    for (const m of group.members()) m.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, errorCode);
  }

  private setAndPropagateAssignment(group: GroupMetadata, assignment: Map<string, Buffer>): void {
    for (const m of group.members()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
    this.propagateAssignment(group, ErrorCode.NONE);
  }

  /** Answers every parked SyncGroup and restarts those members' session timers. */
  private propagateAssignment(group: GroupMetadata, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE;
    for (const m of group.members()) {
      const answered = group.completeSync(
        m,
        syncResponse(errorCode, m.assignment, ok ? group.protocolType : null, ok ? group.protocolName : null),
      );
      if (answered) this.rescheduleHeartbeat(group, m);
    }
  }

  // ---------------------------------------------------------------- member removal and timers

  /** Removes a joined member, answering its parked requests with UNKNOWN_MEMBER_ID so the client rejoins. */
  private removeMember(group: GroupMetadata, member: MemberMetadata): void {
    group.completeJoin(member, joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
    // Kafka leaves a parked SyncGroup of a removed member unanswered; answering it keeps the
    // request from hanging until the client's own timeout.
    group.completeSync(member, syncResponse(ErrorCode.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
  }

  private expireHeartbeat(groupId: string, memberId: string): void {
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return;
    if (group.pendingJoinMembers.has(memberId)) {
      log.info(`Pending member ${memberId} in group ${groupId} has been removed after session timeout expiration`);
      group.remove(memberId);
      if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) this.completeJoinPhase(group);
      return;
    }
    const member = group.get(memberId);
    if (!member || member.hasSatisfiedHeartbeat()) return;
    log.info(`Member ${memberId} in group ${groupId} has failed, removing it from the group`);
    this.removeMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') {
      this.maybePrepareRebalanceOrCompleteJoin(group, `removing member ${memberId} on heartbeat expiration`);
    } else if (group.state === 'PreparingRebalance' && group.hasAllMembersJoined()) {
      this.completeJoinPhase(group);
    }
  }

  private rescheduleHeartbeat(group: GroupMetadata, member: MemberMetadata, timeoutMs = member.sessionTimeoutMs): void {
    const { groupId } = group;
    const { memberId } = member;
    this.schedule(groupId, heartbeatKey(memberId), timeoutMs, () => this.expireHeartbeat(groupId, memberId));
  }

  private schedule(groupId: string, key: string, ms: number, fn: () => void): void {
    this.cancel(groupId, key);
    if (!this.active) return;
    let byKey = this.timerHandles.get(groupId);
    if (!byKey) this.timerHandles.set(groupId, (byKey = new Map()));
    const handle = this.timers.setTimeout(
      () => {
        const current = this.timerHandles.get(groupId);
        if (!current || current.get(key) !== handle) return;
        current.delete(key);
        if (current.size === 0) this.timerHandles.delete(groupId);
        try {
          fn();
        } catch (err) {
          log.error(`Group ${groupId} timer ${key} failed`, err);
        }
      },
      Math.min(Math.max(ms, 0), MAX_TIMER_MS),
    );
    byKey.set(key, handle);
  }

  private cancel(groupId: string, key: string): void {
    const byKey = this.timerHandles.get(groupId);
    const handle = byKey?.get(key);
    if (!byKey || handle === undefined) return;
    this.timers.clearTimeout(handle);
    byKey.delete(key);
    if (byKey.size === 0) this.timerHandles.delete(groupId);
  }

  private cancelAll(groupId: string): void {
    for (const handle of this.timerHandles.get(groupId)?.values() ?? []) this.timers.clearTimeout(handle);
    this.timerHandles.delete(groupId);
  }

  // ---------------------------------------------------------------- SyncGroup

  /** Serves SyncGroup; the leader's call distributes the assignment, followers wait for it. */
  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    return answeredOnce(
      (respond) => this.sync(req, respond),
      (err) => {
        log.error(`SyncGroup of group ${req.groupId} failed`, err);
        return syncResponse(errorCodeOf(err));
      },
    );
  }

  private sync(req: SyncGroupRequest, respond: SyncCallback): void {
    if (!this.active) return respond(syncResponse(ErrorCode.NOT_COORDINATOR));
    if (req.groupId === '') return respond(syncResponse(ErrorCode.INVALID_GROUP_ID));
    const group = this.groups.get(req.groupId);
    if (!group || group.state === 'Empty') return respond(syncResponse(ErrorCode.UNKNOWN_MEMBER_ID));
    const error = this.validateSyncGroup(group, req);
    if (error !== ErrorCode.NONE) return respond(syncResponse(error));

    const member = group.get(req.memberId) as MemberMetadata;
    switch (group.state) {
      case 'PreparingRebalance':
        return respond(syncResponse(ErrorCode.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        // A second SyncGroup from the same member replaces the first, which is told to rejoin.
        group.completeSync(member, syncResponse(ErrorCode.REBALANCE_IN_PROGRESS));
        member.awaitingSync = respond;
        this.removePendingSyncMember(group, req.memberId);
        if (group.isLeader(req.memberId)) this.completeLeaderSync(group, req);
        return;
      }
      case 'Stable':
        this.removePendingSyncMember(group, req.memberId);
        return respond(syncResponse(ErrorCode.NONE, member.assignment, group.protocolType, group.protocolName));
      default:
        throw new Error(`SyncGroup for group ${group.groupId} in state ${group.state}`);
    }
  }

  private validateSyncGroup(group: GroupMetadata, req: SyncGroupRequest): number {
    const memberError = validateGeneration(group, req);
    if (memberError !== ErrorCode.NONE) return memberError;
    const inconsistent = (requested: string | null, actual: string | null) => requested !== null && actual !== null && requested !== actual;
    if (inconsistent(req.protocolType, group.protocolType) || inconsistent(req.protocolName, group.protocolName)) {
      return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    }
    return ErrorCode.NONE;
  }

  /** The leader's assignment: persisted, then handed to every member; the group is Stable. */
  private completeLeaderSync(group: GroupMetadata, req: SyncGroupRequest): void {
    const assignment = new Map<string, Buffer>();
    for (const a of req.assignments) assignment.set(a.memberId, Buffer.from(a.assignment));
    for (const m of group.members()) if (!assignment.has(m.memberId)) assignment.set(m.memberId, EMPTY_ASSIGNMENT);
    log.info(`Assignment received from leader ${req.memberId} for group ${group.groupId} for generation ${group.generationId}`);
    try {
      this.store.append(group.groupId, { group: this.groupRecord(group, assignment) });
    } catch (err) {
      const code = errorCodeOf(err);
      log.warn(`Storing the assignment of group ${group.groupId} failed: ${(err as Error).message}`);
      this.resetAndPropagateAssignmentWithError(group, code);
      this.maybePrepareRebalanceOrCompleteJoin(group, `error ${code} when storing the group assignment`);
      return;
    }
    this.setAndPropagateAssignment(group, assignment);
    group.transitionTo('Stable', this.clock());
  }

  // ---------------------------------------------------------------- Heartbeat

  /** Serves Heartbeat: the error code to answer. */
  heartbeat(req: { groupId: string; memberId: string; groupInstanceId: string | null; generationId: number }): number {
    if (!this.active) return ErrorCode.NOT_COORDINATOR;
    if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    const memberError = validateGeneration(group, req);
    if (memberError !== ErrorCode.NONE) return memberError;
    const member = group.get(req.memberId) as MemberMetadata;
    switch (group.state) {
      case 'Empty':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        this.rescheduleHeartbeat(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.rescheduleHeartbeat(group, member);
        return ErrorCode.NONE;
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  /** Serves LeaveGroup for a batch of members (v0-2 send one, by member id). */
  leaveGroup(groupId: string, members: readonly Pick<LeaveGroupRequestMemberIdentity, 'memberId' | 'groupInstanceId' | 'reason'>[]): LeaveGroupResult {
    const result = (memberId: string, groupInstanceId: string | null, errorCode = ErrorCode.NONE as number): LeaveGroupResponseMemberResponse => ({
      memberId,
      groupInstanceId,
      errorCode,
    });
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const group = this.groups.get(groupId);
    if (!group) {
      return { errorCode: ErrorCode.NONE, members: members.map((m) => result(m.memberId, m.groupInstanceId, ErrorCode.UNKNOWN_MEMBER_ID)) };
    }
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };

    const out: LeaveGroupResponseMemberResponse[] = [];
    for (const m of members) {
      const reason = m.reason ?? 'not provided';
      if (m.memberId === '') {
        // Administrative removal of a static member by its instance id.
        const staticId = m.groupInstanceId !== null ? group.staticMemberId(m.groupInstanceId) : undefined;
        if (staticId !== undefined) {
          this.removeLeavingMember(group, staticId, reason);
          out.push(result(m.memberId, m.groupInstanceId));
        } else {
          out.push(result(m.memberId, m.groupInstanceId, ErrorCode.UNKNOWN_MEMBER_ID));
        }
      } else if (group.pendingJoinMembers.has(m.memberId)) {
        group.remove(m.memberId);
        this.cancel(groupId, heartbeatKey(m.memberId));
        log.info(`Pending member ${m.memberId} has left group ${groupId}; client reason: ${reason}`);
        out.push(result(m.memberId, m.groupInstanceId));
      } else {
        try {
          group.validateMember(m.memberId, m.groupInstanceId);
          this.removeLeavingMember(group, m.memberId, reason);
          out.push(result(m.memberId, m.groupInstanceId));
        } catch (err) {
          out.push(result(m.memberId, m.groupInstanceId, errorCodeOf(err)));
        }
      }
    }
    const left = out.filter((r) => r.errorCode === ErrorCode.NONE).map((r) => r.memberId);
    if (left.length > 0) {
      if (group.state === 'Stable' || group.state === 'CompletingRebalance') {
        this.maybePrepareRebalanceOrCompleteJoin(group, `explicit LeaveGroup request for (${left.join(', ')}) members`);
      } else if (group.state === 'PreparingRebalance') {
        this.maybeCompleteJoinPhase(group);
      }
    }
    return { errorCode: ErrorCode.NONE, members: out };
  }

  private removeLeavingMember(group: GroupMetadata, memberId: string, reason: string): void {
    const member = group.get(memberId) as MemberMetadata;
    this.cancel(group.groupId, heartbeatKey(memberId));
    log.info(`Member ${memberId} has left group ${group.groupId} through explicit LeaveGroup; client reason: ${reason}`);
    this.removeMember(group, member);
  }

  // ---------------------------------------------------------------- admin

  /** Serves DescribeGroups (v0-5): an unknown group is described as Dead with no error. */
  describeGroups(groupIds: readonly string[]): DescribeGroupsResponseDescribedGroup[] {
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId);
      const described: DescribeGroupsResponseDescribedGroup = {
        errorCode: ErrorCode.NONE,
        groupId,
        groupState: 'Dead',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: -2147483648,
      };
      if (!group) return described;
      described.groupState = group.state;
      described.protocolType = group.protocolType ?? '';
      if (group.state === 'Stable') {
        const protocol = group.protocolName ?? '';
        described.protocolData = protocol;
        described.members = group.members().map((m) => this.describeMember(m, m.metadata(protocol), m.assignment));
      } else {
        // Kafka's describeNoMetadata: no metadata, but the assignment a member still holds.
        described.members = group.members().map((m) => this.describeMember(m, EMPTY_ASSIGNMENT, m.assignment));
      }
      return described;
    });
  }

  private describeMember(m: MemberMetadata, memberMetadata: Buffer, memberAssignment: Buffer): DescribeGroupsResponseDescribedGroupMember {
    return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata, memberAssignment };
  }

  /** Serves ListGroups: states and types filters match case-insensitively; empty filters match all. */
  listGroups(statesFilter: readonly string[] = [], typesFilter: readonly string[] = []): ListGroupsResponseListedGroup[] {
    const states = new Set(statesFilter.map((s) => s.toLowerCase()));
    const types = new Set(typesFilter.map((t) => t.toLowerCase()));
    if (types.size > 0 && !types.has(CLASSIC_GROUP_TYPE)) return [];
    return this.allGroups()
      .filter((g) => states.size === 0 || states.has(g.state.toLowerCase()))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: CLASSIC_GROUP_TYPE }));
  }

  /**
   * Serves DeleteGroups: an Empty group is removed together with all its offsets (tombstones
   * appended first); GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP otherwise.
   */
  deleteGroups(groupIds: readonly string[]): { groupId: string; errorCode: number }[] {
    return groupIds.map((groupId) => {
      const group = this.groups.get(groupId);
      if (!group || group.state === 'Dead') return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      if (group.state !== 'Empty') return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      const offsets: OffsetRecordEntry[] = [];
      for (const [topic, byPartition] of group.offsets) for (const partition of byPartition.keys()) offsets.push({ topic, partition, value: null });
      try {
        this.store.append(groupId, { offsets, group: null });
      } catch (err) {
        log.warn(`Deleting group ${groupId} failed: ${(err as Error).message}`);
        return { groupId, errorCode: errorCodeOf(err) };
      }
      this.dropGroup(group);
      log.info(`Deleted group ${groupId} and ${offsets.length} committed offset(s)`);
      return { groupId, errorCode: ErrorCode.NONE };
    });
  }

  private dropGroup(group: GroupMetadata): void {
    group.transitionTo('Dead', this.clock());
    this.cancelAll(group.groupId);
    group.offsets.clear();
    this.groups.delete(group.groupId);
  }

  // ---------------------------------------------------------------- persistence

  /** The group as a GroupMetadataValue with `assignment` (Kafka's newGroupMetadataRecord). */
  private groupRecord(group: GroupMetadata, assignment: Map<string, Buffer>): GroupMetadataRecord {
    const protocol = group.protocolName;
    return {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp,
      members: group.members().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? EMPTY_ASSIGNMENT : m.metadata(protocol),
        assignment: assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
      })),
    };
  }

  /**
   * A new group's first record (Kafka's newEmptyGroupMetadataRecord): protocol type '' whatever
   * the first member joined with, so a group reloaded from it alone is a protocol-less Empty one.
   */
  private emptyGroupRecord(group: GroupMetadata): GroupMetadataRecord {
    return {
      protocolType: '',
      generation: 0,
      protocol: null,
      leader: null,
      currentStateTimestamp: group.currentStateTimestamp,
      members: [],
    };
  }

  /** Appends a record whose loss only means an older generation is reloaded; failures are logged. */
  private append(groupId: string, entries: { group: GroupMetadataRecord }, what: string): void {
    try {
      this.store.append(groupId, entries);
    } catch (err) {
      log.warn(`Failed to write ${what} metadata for group ${groupId}: ${(err as Error).message}`);
    }
  }

  private groupFromRecord(groupId: string, record: GroupMetadataRecord, now: number): GroupMetadata {
    const group = new GroupMetadata(groupId, now, record.members.length === 0 ? 'Empty' : 'Stable');
    group.generationId = record.generation;
    group.protocolType = record.protocolType === '' ? null : record.protocolType;
    group.protocolName = record.protocol;
    group.currentStateTimestamp = record.currentStateTimestamp;
    for (const m of record.members) {
      const member = new MemberMetadata(
        m.memberId,
        m.groupInstanceId,
        m.clientId,
        m.clientHost,
        m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
        m.sessionTimeout,
        record.protocolType,
        [{ name: record.protocol ?? '', metadata: m.subscription }],
      );
      member.assignment = m.assignment;
      group.add(member, null);
    }
    group.protocolType = record.protocolType === '' ? null : record.protocolType;
    group.leaderId = record.leader;
    group.refreshSubscribedTopics();
    return group;
  }
}
