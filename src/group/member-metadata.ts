// One member of a classic group (Kafka's ClassicGroupMember): what it joined with, its
// assignment, and the JoinGroup/SyncGroup responses it is parked on while the group rebalances.
import type { JoinGroupResponse, SyncGroupResponse } from '../protocol/index.js';

/** One protocol (assignor) a member supports, with its metadata (subscription bytes). */
export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

/** Completes a parked JoinGroup request. */
export type JoinCallback = (response: JoinGroupResponse) => void;
/** Completes a parked SyncGroup request. */
export type SyncCallback = (response: SyncGroupResponse) => void;

/** An empty assignment: what a member holds until the leader's SyncGroup assigns it. */
export const EMPTY_ASSIGNMENT: Buffer = Buffer.alloc(0);

/** A classic group member. */
export class MemberMetadata {
  assignment: Buffer = EMPTY_ASSIGNMENT;
  /** Set while a JoinGroup from this member waits for the join phase to end. */
  awaitingJoin: JoinCallback | null = null;
  /** Set while a SyncGroup from this member waits for the leader's assignment. */
  awaitingSync: SyncCallback | null = null;
  /** Joined but not yet through a completed join phase: its session may expire while it waits. */
  isNew = false;

  constructor(
    readonly memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public supportedProtocols: MemberProtocol[],
  ) {}

  /** True while a JoinGroup response is owed. */
  isAwaitingJoin(): boolean {
    return this.awaitingJoin !== null;
  }

  /** True while a SyncGroup response is owed. */
  isAwaitingSync(): boolean {
    return this.awaitingSync !== null;
  }

  /** Whether the member counts as alive when its session timer fires (Kafka's hasSatisfiedHeartbeat). */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false; // new members may expire even while awaiting join
    return this.isAwaitingJoin() || this.isAwaitingSync();
  }

  /** The metadata the member sent for `protocolName`; throws when it does not support it. */
  metadata(protocolName: string): Buffer {
    const p = this.supportedProtocols.find((x) => x.name === protocolName);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return p.metadata;
  }

  /** Whether `protocols` equal the member's, in order, names and metadata alike. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    if (protocols.length !== this.supportedProtocols.length) return false;
    return protocols.every((p, i) => p.name === this.supportedProtocols[i].name && p.metadata.equals(this.supportedProtocols[i].metadata));
  }

  /** The member's vote: its most preferred protocol among `candidates`. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.supportedProtocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} does not support any of the candidate protocols`);
    return p.name;
  }
}
