// A classic group's state machine and membership (Kafka's ClassicGroup): states and their legal
// transitions, generations, members (static ones by instance id), members pending join or sync,
// protocol selection, and the group's committed offsets. Pure bookkeeping: timers, responses
// and persistence are the coordinator's.
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import type { JoinGroupResponseMember } from '../protocol/index.js';
import { CONSUMER_PROTOCOL_TYPE, subscriptionTopics } from './consumer-protocol.js';
import type { JoinCallback, MemberMetadata, MemberProtocol } from './member-metadata.js';

/** A classic group's state, spelled as Kafka reports it (DescribeGroups, ListGroups). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Every state, in Kafka's order. */
export const GROUP_STATES: readonly GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

/** The states each state may be entered from (Kafka's ClassicGroupState.validPreviousStates). */
const VALID_PREVIOUS_STATES: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

/** A committed offset as the coordinator keeps it (OffsetCommitValue in memory). */
export interface CommittedOffset {
  offset: number; // committed offset (int64 as number)
  leaderEpoch: number; // -1 when unknown
  metadata: string; // '' when the client sent null
  commitTimestamp: number; // ms
  expireTimestamp: number; // -1 unless an OffsetCommit v1 client asked (we never set it)
}

/** A classic group. */
export class GroupMetadata {
  state: GroupState;
  previousState: GroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** ms when the state last changed; -1 when unknown (loaded from an old record). */
  currentStateTimestamp: number;
  /** Committed offsets: topic → partition → offset. Offset operations mutate it. */
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  /** Set when a member joins during the initial rebalance, so its delay is extended. */
  newMemberAdded = false;

  private readonly memberMap = new Map<string, MemberMetadata>();
  /** Member ids handed out with MEMBER_ID_REQUIRED whose owners have not joined with them yet. */
  readonly pendingJoinMembers = new Set<string>();
  /** Members that got a JoinGroup response this generation but have not sent SyncGroup. */
  readonly pendingSyncMembers = new Set<string>();
  private readonly staticMembers = new Map<string, string>();
  private readonly protocolVotes = new Map<string, number>();
  private awaitingJoinCount = 0;
  private subscribed: Set<string> | null = null;

  constructor(
    readonly groupId: string,
    now: number,
    state: GroupState = 'Empty',
  ) {
    this.state = state;
    this.previousState = state;
    this.currentStateTimestamp = now;
  }

  /** All members, in join order. */
  members(): MemberMetadata[] {
    return [...this.memberMap.values()];
  }

  /** Whether `memberId` is a (joined) member. */
  has(memberId: string): boolean {
    return this.memberMap.has(memberId);
  }

  /** The member with `memberId`, if any. */
  get(memberId: string): MemberMetadata | undefined {
    return this.memberMap.get(memberId);
  }

  /** Number of joined members. */
  get size(): number {
    return this.memberMap.size;
  }

  /** The member id currently holding a static instance id, if any. */
  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  /** Topics the members subscribe to (parsed from 'consumer' protocol metadata); null when not parseable/not 'consumer'. */
  subscribedTopics(): Set<string> | null {
    return this.subscribed;
  }

  /** No members. */
  isEmpty(): boolean {
    return this.memberMap.size === 0;
  }

  /** Whether `memberId` is the leader. */
  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  /** Number of members whose JoinGroup is parked. */
  get numAwaitingJoinResponse(): number {
    return this.awaitingJoinCount;
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.memberMap.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Moves to `state`, recording when; throws on a transition Kafka forbids. */
  transitionTo(state: GroupState, now: number): void {
    if (!VALID_PREVIOUS_STATES[state].includes(this.state)) {
      throw new Error(`Group ${this.groupId} should be in one of ${VALID_PREVIOUS_STATES[state].join(', ')} before moving to ${state}; it is ${this.state}`);
    }
    this.previousState = this.state;
    this.state = state;
    this.currentStateTimestamp = now;
  }

  /** Whether a rebalance may start from the current state. */
  canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.state);
  }

  /** Adds a member (parked on `onJoin` when given); the first member fixes the protocol type and leads. */
  add(member: MemberMetadata, onJoin: JoinCallback | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already a member of group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.memberMap.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.memberMap.set(member.memberId, member);
    this.countVotes(member.supportedProtocols, 1);
    member.awaitingJoin = onJoin;
    if (onJoin) this.awaitingJoinCount++;
    this.pendingJoinMembers.delete(member.memberId);
  }

  /** Removes a member or pending member; a departing leader hands over to the next member. */
  remove(memberId: string): void {
    const member = this.memberMap.get(memberId);
    if (member) {
      this.memberMap.delete(memberId);
      this.countVotes(member.supportedProtocols, -1);
      if (member.isAwaitingJoin()) this.awaitingJoinCount--;
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.isLeader(memberId)) this.leaderId = this.memberMap.keys().next().value ?? null;
    this.pendingJoinMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** Replaces a member's protocols and timeouts, parking it on `onJoin` (or un-parking it when null). */
  updateMember(member: MemberMetadata, protocols: MemberProtocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, onJoin: JoinCallback | null): void {
    this.countVotes(member.supportedProtocols, -1);
    member.supportedProtocols = protocols;
    this.countVotes(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (onJoin && !member.isAwaitingJoin()) this.awaitingJoinCount++;
    else if (!onJoin && member.isAwaitingJoin()) this.awaitingJoinCount--;
    member.awaitingJoin = onJoin;
  }

  /** Answers a member's parked JoinGroup; false when none was parked. */
  completeJoin(member: MemberMetadata, response: Parameters<JoinCallback>[0]): boolean {
    const cb = member.awaitingJoin;
    if (!cb) return false;
    member.awaitingJoin = null;
    this.awaitingJoinCount--;
    cb(response);
    return true;
  }

  /** Answers a member's parked SyncGroup; false when none was parked. */
  completeSync(member: MemberMetadata, response: Parameters<NonNullable<MemberMetadata['awaitingSync']>>[0]): boolean {
    const cb = member.awaitingSync;
    if (!cb) return false;
    member.awaitingSync = null;
    cb(response);
    return true;
  }

  /**
   * Static members only: moves `oldMemberId`'s membership to a new member id, keeping everything
   * else; requests the old id still has parked are answered FENCED_INSTANCE_ID.
   */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMember: (old: MemberMetadata) => MemberMetadata): MemberMetadata {
    const old = this.memberMap.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    this.memberMap.delete(oldMemberId);
    const fenced = ErrorCode.FENCED_INSTANCE_ID;
    if (old.awaitingJoin) {
      const cb = old.awaitingJoin;
      old.awaitingJoin = null;
      this.awaitingJoinCount--;
      cb({
        throttleTimeMs: 0,
        errorCode: fenced,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        skipAssignment: false,
        memberId: oldMemberId,
        members: [],
      });
    }
    this.completeSync(old, { throttleTimeMs: 0, errorCode: fenced, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const replacement = newMember(old);
    replacement.assignment = old.assignment;
    this.memberMap.set(replacement.memberId, replacement);
    if (this.isLeader(oldMemberId)) this.leaderId = replacement.memberId;
    this.staticMembers.set(groupInstanceId, replacement.memberId);
    return replacement;
  }

  /** Registers a member id handed out with MEMBER_ID_REQUIRED. */
  addPendingMember(memberId: string): void {
    if (this.memberMap.has(memberId)) throw new Error(`pending member ${memberId} is already a member of ${this.groupId}`);
    this.pendingJoinMembers.add(memberId);
  }

  /** Whether all members (and no pending ones) have a JoinGroup parked. */
  hasAllMembersJoined(): boolean {
    return this.memberMap.size === this.awaitingJoinCount && this.pendingJoinMembers.size === 0;
  }

  /** Members without a parked JoinGroup. */
  notYetRejoinedMembers(): MemberMetadata[] {
    return this.members().filter((m) => !m.isAwaitingJoin());
  }

  /**
   * Keeps the leader if it rejoined, else elects the first member that did. False when the
   * group has no leader or nobody rejoined.
   */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.memberMap.get(this.leaderId);
    if (leader?.isAwaitingJoin()) return true;
    for (const m of this.memberMap.values()) {
      if (m.isAwaitingJoin()) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a member with this protocol type and protocols may join: any non-empty offer into an
   * Empty group, else the same type and at least one protocol every member supports.
   */
  supportsProtocols(protocolType: string, protocolNames: ReadonlySet<string>): boolean {
    if (this.state === 'Empty') return protocolType !== '' && protocolNames.size > 0;
    if (this.protocolType !== protocolType) return false;
    for (const name of protocolNames) if ((this.protocolVotes.get(name) ?? 0) === this.memberMap.size) return true;
    return false;
  }

  /** The protocol with most votes among those every member supports. */
  selectProtocol(): string {
    if (this.memberMap.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === this.memberMap.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.memberMap.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best as string;
  }

  /** Starts the next generation: CompletingRebalance with a selected protocol, or Empty. */
  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.memberMap.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribed = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribed = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** Recomputes the subscribed topics (after loading a group). */
  refreshSubscribedTopics(): void {
    this.subscribed = this.computeSubscribedTopics();
  }

  /** Members as the leader's JoinGroup response lists them, with their metadata for the selected protocol. */
  joinResponseMembers(): JoinGroupResponseMember[] {
    const protocol = this.protocolName ?? '';
    return this.members().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  /** Member id → assignment. */
  groupAssignment(): Map<string, Buffer> {
    return new Map(this.members().map((m) => [m.memberId, m.assignment]));
  }

  /**
   * Checks that `memberId` is a member and, for a static member, that it still holds
   * `groupInstanceId` (Kafka's validateMember): UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID otherwise.
   */
  validateMember(memberId: string, groupInstanceId: string | null): void {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) throw new KafkaError('UNKNOWN_MEMBER_ID', `Unknown static member ${groupInstanceId} in group ${this.groupId}`);
      if (existing !== memberId) throw new KafkaError('FENCED_INSTANCE_ID', `Static member ${groupInstanceId} is now ${existing}, not ${memberId}`);
    }
    if (!this.memberMap.has(memberId)) throw new KafkaError('UNKNOWN_MEMBER_ID', `Unknown member ${memberId} in group ${this.groupId}`);
  }

  /**
   * Kafka's ClassicGroup.validateOffsetCommit: may this (non-transactional unless said) commit
   * proceed? Throws KafkaError (COORDINATOR_NOT_AVAILABLE, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID,
   * ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS).
   */
  validateOffsetCommit(memberId: string, groupInstanceId: string | null, generationId: number, isTransactional = false): void {
    if (this.state === 'Dead') throw new KafkaError('COORDINATOR_NOT_AVAILABLE', `Group ${this.groupId} is dead`);
    if (generationId < 0 && this.state === 'Empty') return; // admin client or a consumer without group management
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      this.validateMember(memberId, groupInstanceId);
      if (generationId !== this.generationId) {
        throw new KafkaError('ILLEGAL_GENERATION', `Generation ${generationId} is not the group's ${this.generationId}`);
      }
    } else if (!isTransactional && this.state !== 'Empty') {
      throw new KafkaError('UNKNOWN_MEMBER_ID', `Group ${this.groupId} is not empty; commits need a member id and generation`);
    }
    if (!isTransactional && this.state === 'CompletingRebalance') {
      throw new KafkaError('REBALANCE_IN_PROGRESS', `Group ${this.groupId} is completing a rebalance`);
    }
  }

  private countVotes(protocols: readonly MemberProtocol[], delta: number): void {
    for (const p of protocols) this.protocolVotes.set(p.name, (this.protocolVotes.get(p.name) ?? 0) + delta);
  }

  private computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.memberMap.size === 0) return new Set();
    if (this.protocolName === null) return null;
    try {
      const topics = new Set<string>();
      for (const m of this.memberMap.values()) for (const t of subscriptionTopics(m.metadata(this.protocolName))) topics.add(t);
      return topics;
    } catch {
      return null;
    }
  }
}
