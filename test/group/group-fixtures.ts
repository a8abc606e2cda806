// Shared pieces of the group coordinator's unit tests: an in-memory GroupStore, request
// builders, subscription bytes, and a promise tracker for parked JoinGroup/SyncGroup calls.
import type { GroupConfig } from '../../src/group/group-config.js';
import { GroupCoordinator, type MemberContext } from '../../src/group/group-coordinator.js';
import type { GroupMetadataRecord, OffsetRecordEntry } from '../../src/group/group-store.js';
import type { JoinGroupRequest, SyncGroupRequest } from '../../src/protocol/index.js';
import { KafkaError } from '../../src/protocol/errors.js';

/** Kafka's defaults, with a small group.max.size where a test needs it. */
export const TEST_CONFIG: GroupConfig = {
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 3000,
  maxSize: 2_147_483_647,
  offsetMetadataMaxBytes: 4096,
  offsetsRetentionMs: 7 * 24 * 3600 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
};

/** One append the coordinator made. */
export interface Appended {
  groupId: string;
  group?: GroupMetadataRecord | null;
  offsets?: OffsetRecordEntry[];
}

/** GroupStore.append in memory; `failWith` makes the next appends throw. */
export class MemoryStore {
  readonly appends: Appended[] = [];
  failWith: KafkaError | null = null;

  append(groupId: string, entries: { group?: GroupMetadataRecord | null; offsets?: OffsetRecordEntry[] }): void {
    if (this.failWith) throw this.failWith;
    this.appends.push({ groupId, ...entries });
  }

  /** The latest group record written for `groupId` (undefined when none, null for a tombstone). */
  lastGroupRecord(groupId: string): GroupMetadataRecord | null | undefined {
    const withGroup = this.appends.filter((a) => a.groupId === groupId && a.group !== undefined);
    return withGroup.at(-1)?.group;
  }
}

/** ConsumerProtocolSubscription bytes (v0 unless asked) for `topics`. */
export function subscription(topics: string[], version = 0): Buffer {
  const parts: Buffer[] = [];
  const i16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const str = (s: string) => Buffer.concat([i16(Buffer.byteLength(s)), Buffer.from(s)]);
  parts.push(i16(version), i32(topics.length), ...topics.map(str), i32(-1));
  if (version >= 1) parts.push(i32(0));
  if (version >= 2) parts.push(i32(-1));
  if (version >= 3) parts.push(i16(-1));
  return Buffer.concat(parts);
}

/** A JoinGroup request of a 'consumer' member subscribing to topic t with the range assignor. */
export function joinRequest(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    reason: null,
    ...overrides,
  };
}

/** A SyncGroup request. */
export function syncRequest(overrides: Partial<SyncGroupRequest> = {}): SyncGroupRequest {
  return {
    groupId: 'g',
    generationId: 1,
    memberId: '',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [],
    ...overrides,
  };
}

/** The request context of a client at `apiVersion`. */
export function memberCtx(apiVersion = 9, clientId = 'client'): MemberContext {
  return { clientId, clientHost: '/127.0.0.1', apiVersion };
}

/** A promise whose outcome can be inspected synchronously. */
export interface Tracked<T> {
  readonly promise: Promise<T>;
  value: T | undefined;
  done: boolean;
}

/** Tracks `p` so tests can tell a parked request from an answered one. */
export function track<T>(p: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { promise: p, value: undefined, done: false };
  p.then((v) => {
    t.value = v;
    t.done = true;
  });
  return t;
}

/** A coordinator over a MemoryStore, with `config` overrides. */
export function newCoordinator(config: Partial<GroupConfig> = {}): { coordinator: GroupCoordinator; store: MemoryStore } {
  const store = new MemoryStore();
  const coordinator = new GroupCoordinator({ store, config: { ...TEST_CONFIG, ...config } });
  return { coordinator, store };
}
