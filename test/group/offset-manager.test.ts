// OffsetManager against an in-memory store and group directory: Kafka 4.1.1's commit validation,
// fetch, delete and expiry rules, and that nothing changes in memory unless the append succeeded.
import { describe, expect, it } from 'vitest';
import { type CommittedOffset, GroupMetadata, type GroupState } from '../../src/group/group-metadata.js';
import { MemberMetadata } from '../../src/group/member-metadata.js';
import type { GroupMetadataRecord, OffsetRecordEntry } from '../../src/group/group-store.js';
import { type CommitRequest, OffsetManager, type OffsetGroupDirectory } from '../../src/group/offset-manager.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';

const NOW = 1_700_000_000_000;
const RETENTION = 7 * 24 * 3600_000;

/** A ConsumerProtocol v0 subscription of `topics`, as consumers put it in their JoinGroup metadata. */
function subscriptionOf(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), Buffer.alloc(4)];
  parts[1].writeInt32BE(topics.length);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  parts.push(Buffer.from([0xff, 0xff, 0xff, 0xff])); // user data: null
  return Buffer.concat(parts);
}

/** How a test group is set up: state fields, members (id, instance id) and what they subscribe to. */
interface GroupInit {
  state?: GroupState;
  generationId?: number;
  protocolType?: string;
  currentStateTimestamp?: number;
  members?: [string, string | null][];
  subscribed?: string[];
}

function makeGroup(id: string, init: GroupInit): GroupMetadata {
  const g = new GroupMetadata(id, NOW);
  const protocolType = init.protocolType ?? 'consumer';
  for (const [memberId, instanceId] of init.members ?? []) {
    const protocols = [{ name: 'range', metadata: subscriptionOf(init.subscribed ?? []) }];
    g.add(new MemberMetadata(memberId, instanceId, 'c', '/h', 300000, 45000, protocolType, protocols), null);
  }
  g.protocolType = init.protocolType ?? null;
  if (g.members().length > 0) g.protocolName = 'range';
  g.state = init.state ?? 'Empty';
  g.generationId = init.generationId ?? 0;
  g.currentStateTimestamp = init.currentStateTimestamp ?? -1;
  g.refreshSubscribedTopics();
  return g;
}

interface Appended {
  groupId: string;
  group?: GroupMetadataRecord | null;
  offsets?: OffsetRecordEntry[];
}

function setup(opts: { failWith?: KafkaError } = {}) {
  const groups = new Map<string, GroupMetadata>();
  const appended: Appended[] = [];
  const heartbeats: string[] = [];
  let now = NOW;
  const directory: OffsetGroupDirectory = {
    group: (id) => groups.get(id),
    getOrCreateGroup: (id) => {
      if (!groups.has(id)) groups.set(id, new GroupMetadata(id, now));
      return groups.get(id)!;
    },
    allGroups: () => [...groups.values()],
    removeGroupIfEmpty: (id) => {
      const g = groups.get(id);
      return !!g && g.state === 'Empty' && g.offsets.size === 0 && groups.delete(id);
    },
    rescheduleMemberHeartbeat: (g, memberId) => heartbeats.push(`${g.groupId}/${memberId}`),
  };
  const store = {
    append(groupId: string, entries: { group?: GroupMetadataRecord | null; offsets?: OffsetRecordEntry[] }) {
      if (opts.failWith) throw opts.failWith;
      appended.push({ groupId, ...entries });
    },
  };
  const topics = new Map([
    ['t', { numPartitions: 3 }],
    ['u', { numPartitions: 1 }],
  ]);
  const manager = new OffsetManager({
    store,
    groups: directory,
    topics,
    config: { offsetMetadataMaxBytes: 10, offsetsRetentionMs: RETENTION },
    clock: () => now,
  });
  const addGroup = (id: string, init: GroupInit = {}) => {
    const g = makeGroup(id, init);
    groups.set(id, g);
    return g;
  };
  return { manager, groups, appended, heartbeats, addGroup, setNow: (t: number) => (now = t) };
}

const committed = (offset: number, extra: Partial<CommittedOffset> = {}): CommittedOffset => ({
  offset,
  leaderEpoch: -1,
  metadata: '',
  commitTimestamp: NOW,
  expireTimestamp: -1,
  ...extra,
});

function commitReq(over: Partial<CommitRequest> = {}): CommitRequest {
  return {
    groupId: 'g',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 4, committedMetadata: 'md' }] }],
    ...over,
  };
}

const codes = (results: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[]) =>
  results.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}:${p.errorCode}`));

describe('commit', () => {
  it('creates an Empty group for a standalone commit (generation -1) and stores the offset durably first', () => {
    const { manager, groups, appended } = setup();
    expect(codes(manager.commit(commitReq(), 8))).toEqual([`t-0:${ErrorCode.NONE}`]);
    expect(appended).toEqual([{ groupId: 'g', offsets: [{ topic: 't', partition: 0, value: committed(10, { leaderEpoch: 4, metadata: 'md' }) }] }]);
    expect(groups.get('g')!.offsets.get('t')!.get(0)).toEqual(committed(10, { leaderEpoch: 4, metadata: 'md' }));
  });

  it('answers unknown topics and partitions itself, committing the rest; null metadata is stored as ""', () => {
    const { manager, groups } = setup();
    const res = manager.commit(
      commitReq({
        topics: [
          { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
          {
            name: 't',
            partitions: [
              { partitionIndex: 3, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null },
              { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: null },
            ],
          },
        ],
      }),
      8,
    );
    expect(codes(res)).toEqual([`nope-0:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `t-3:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `t-1:${ErrorCode.NONE}`]);
    expect(groups.get('g')!.offsets.get('t')).toEqual(new Map([[1, committed(7)]]));
  });

  it('does not consult (or create) the group when every partition is unknown', () => {
    const { manager, groups, appended } = setup();
    const res = manager.commit(commitReq({ generationId: 5, topics: [{ name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] }), 9);
    expect(codes(res)).toEqual([`nope-0:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`]);
    expect(groups.size).toBe(0);
    expect(appended).toEqual([]);
  });

  it('answers a missing group with generation >= 0 ILLEGAL_GENERATION before v9 and GROUP_ID_NOT_FOUND from v9, on every known partition', () => {
    const { manager, groups } = setup();
    const req = commitReq({
      generationId: 1,
      memberId: 'm',
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
      ],
    });
    // As Kafka 4.1.1 answers: the partitions KafkaApis refused first, keeping UNKNOWN_TOPIC_OR_PARTITION.
    const unknown = `nope-0:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`;
    expect(codes(manager.commit(req, 8))).toEqual([unknown, `t-0:${ErrorCode.ILLEGAL_GENERATION}`]);
    expect(codes(manager.commit(req, 9))).toEqual([unknown, `t-0:${ErrorCode.GROUP_ID_NOT_FOUND}`]);
    expect(groups.size).toBe(0);
  });

  it.each<[string, GroupInit, Partial<CommitRequest>, number]>([
    ['an unknown member', { state: 'Stable', generationId: 2 }, { generationId: 2, memberId: 'x' }, ErrorCode.UNKNOWN_MEMBER_ID],
    ['a stale generation', { state: 'Stable', generationId: 2 }, { generationId: 1, memberId: 'm1' }, ErrorCode.ILLEGAL_GENERATION],
    ['a fenced static member', { state: 'Stable', generationId: 2 }, { generationId: 2, memberId: 'old', groupInstanceId: 'i1' }, ErrorCode.FENCED_INSTANCE_ID],
    ['an unknown static member', { state: 'Stable', generationId: 2 }, { generationId: 2, memberId: 'm1', groupInstanceId: 'i9' }, ErrorCode.UNKNOWN_MEMBER_ID],
    ['a rebalance awaiting SyncGroup', { state: 'CompletingRebalance', generationId: 2 }, { generationId: 2, memberId: 'm1' }, ErrorCode.REBALANCE_IN_PROGRESS],
    ['a standalone commit to a group with members', { state: 'Stable', generationId: 2 }, {}, ErrorCode.UNKNOWN_MEMBER_ID],
    ['a dead group', { state: 'Dead' }, {}, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  ])('refuses %s as Kafka does', (_what, group, req, errorCode) => {
    const { manager, addGroup, appended } = setup();
    const g = addGroup('g', { ...group, protocolType: 'consumer', members: group.state === 'Dead' ? [] : [['m1', 'i1']] });
    expect(codes(manager.commit(commitReq(req), 8))).toEqual([`t-0:${errorCode}`]);
    expect(appended).toEqual([]);
    expect(g.offsets.size).toBe(0);
  });

  it("accepts a member's commit in Stable and PreparingRebalance and counts it as a heartbeat", () => {
    for (const state of ['Stable', 'PreparingRebalance'] as const) {
      const { manager, addGroup, heartbeats } = setup();
      const g = addGroup('g', { state, generationId: 2, protocolType: 'consumer', members: [['m1', 'i1']] });
      expect(codes(manager.commit(commitReq({ generationId: 2, memberId: 'm1', groupInstanceId: 'i1' }), 8))).toEqual([`t-0:${ErrorCode.NONE}`]);
      expect(heartbeats).toEqual(['g/m1']);
      expect(g.offsets.get('t')!.get(0)!.offset).toBe(10);
    }
  });

  it('answers OFFSET_METADATA_TOO_LARGE only for partitions whose metadata exceeds offset.metadata.max.bytes', () => {
    const { manager, groups } = setup();
    const res = manager.commit(
      commitReq({
        topics: [
          {
            name: 't',
            partitions: [
              { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(11) },
              { partitionIndex: 1, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: 'x'.repeat(10) },
            ],
          },
        ],
      }),
      8,
    );
    expect(codes(res)).toEqual([`t-0:${ErrorCode.OFFSET_METADATA_TOO_LARGE}`, `t-1:${ErrorCode.NONE}`]);
    expect([...groups.get('g')!.offsets.get('t')!.keys()]).toEqual([1]);
  });

  it('gives offsets an expire timestamp when a v2-4 client sets retention_time_ms', () => {
    const { manager, groups } = setup();
    manager.commit(commitReq({ retentionTimeMs: 60_000 }), 4);
    expect(groups.get('g')!.offsets.get('t')!.get(0)!.expireTimestamp).toBe(NOW + 60_000);
  });

  it('answers the mapped append error on every partition and changes nothing in memory', () => {
    const { manager, groups } = setup({ failWith: new KafkaError('NOT_COORDINATOR') });
    expect(codes(manager.commit(commitReq(), 8))).toEqual([`t-0:${ErrorCode.NOT_COORDINATOR}`]);
    expect(groups.size).toBe(0); // the group created for the commit is gone again
  });

  it('commits for the empty group id like any other group (Kafka keeps it for backwards compatibility)', () => {
    const { manager } = setup();
    expect(codes(manager.commit(commitReq({ groupId: '' }), 8))).toEqual([`t-0:${ErrorCode.NONE}`]);
    expect(manager.fetch('', [{ name: 't', partitionIndexes: [0] }]).topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  });
});

describe('fetch', () => {
  it('answers committed offsets with epoch and metadata, -1 for partitions without one', () => {
    const { manager, addGroup } = setup();
    const g = addGroup('g');
    g.offsets.set('t', new Map([[0, committed(5, { leaderEpoch: 3, metadata: 'hello' })]]));
    expect(manager.fetch('g', [{ name: 't', partitionIndexes: [0, 1] }, { name: 'nope', partitionIndexes: [0] }])).toEqual({
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: 3, metadata: 'hello', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
      ],
    });
  });

  it('answers every committed offset when topics is null', () => {
    const { manager, addGroup } = setup();
    const g = addGroup('g');
    g.offsets.set('t', new Map([[0, committed(5)], [2, committed(6)]]));
    g.offsets.set('u', new Map([[0, committed(7)]]));
    const res = manager.fetch('g', null);
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([
      ['t', [[0, 5], [2, 6]]],
      ['u', [[0, 7]]],
    ]);
  });

  it('answers a missing group, the empty group id included, with -1 offsets or no topics', () => {
    const { manager } = setup();
    expect(manager.fetch('none', null)).toEqual({ errorCode: 0, topics: [] });
    expect(manager.fetch('none', [{ name: 't', partitionIndexes: [0] }]).topics[0].partitions[0].committedOffset).toBe(-1);
    expect(manager.fetch('', null)).toEqual({ errorCode: 0, topics: [] });
  });
});

describe('delete', () => {
  it('answers GROUP_ID_NOT_FOUND for a missing group and NON_EMPTY_GROUP for a non-consumer group with members', () => {
    const { manager, addGroup } = setup();
    expect(manager.delete('none', [{ name: 't', partitions: [0] }])).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] });
    addGroup('connect', { state: 'Stable', protocolType: 'connect', members: [['m', null]] });
    expect(manager.delete('connect', [{ name: 't', partitions: [0] }])).toEqual({ errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] });
  });

  it('tombstones offsets of topics no member subscribes to, refusing subscribed ones per partition', () => {
    const { manager, addGroup, appended } = setup();
    const g = addGroup('g', { state: 'Stable', protocolType: 'consumer', members: [['m', null]], subscribed: ['t'] });
    g.offsets.set('t', new Map([[0, committed(1)]]));
    g.offsets.set('u', new Map([[0, committed(2)]]));
    const res = manager.delete('g', [
      { name: 't', partitions: [0] },
      { name: 'u', partitions: [0] },
      { name: 'nope', partitions: [0] },
    ]);
    expect(res.errorCode).toBe(0);
    expect(codes(res.topics)).toEqual([`nope-0:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `t-0:${ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC}`, `u-0:${ErrorCode.NONE}`]);
    expect(appended).toEqual([{ groupId: 'g', offsets: [{ topic: 'u', partition: 0, value: null }] }]);
    expect([...g.offsets.keys()]).toEqual(['t']);
  });

  it('deletes from an Empty group whatever its protocol, and writes nothing when no offset is committed', () => {
    const { manager, addGroup, appended } = setup();
    const g = addGroup('g', { protocolType: 'consumer' });
    g.offsets.set('t', new Map([[0, committed(1)]]));
    expect(codes(manager.delete('g', [{ name: 't', partitions: [0, 1] }]).topics)).toEqual([`t-0:0`, `t-1:0`]);
    expect(appended).toHaveLength(1);
    expect(g.offsets.size).toBe(0);
    expect(codes(manager.delete('g', [{ name: 't', partitions: [1] }]).topics)).toEqual([`t-1:0`]);
    expect(appended).toHaveLength(1);
  });
});

describe('expireOffsets', () => {
  it('expires offsets of standalone groups by commit timestamp and removes a group left without offsets', () => {
    const { manager, addGroup, groups, appended, setNow } = setup();
    const g = addGroup('simple');
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: NOW - RETENTION })], [1, committed(2, { commitTimestamp: NOW - RETENTION + 1 })]]));
    expect(manager.expireOffsets()).toBe(1);
    expect(appended).toEqual([{ groupId: 'simple', offsets: [{ topic: 't', partition: 0, value: null }] }]);
    expect([...g.offsets.get('t')!.keys()]).toEqual([1]);
    setNow(NOW + 1);
    expect(manager.expireOffsets()).toBe(1);
    expect(appended[1]).toEqual({ groupId: 'simple', offsets: [{ topic: 't', partition: 1, value: null }], group: null });
    expect(groups.has('simple')).toBe(false);
  });

  it('expires offsets of an Empty consumer group from when it became Empty, not from the commit', () => {
    const { manager, addGroup, groups } = setup();
    const g = addGroup('g', { protocolType: 'consumer', currentStateTimestamp: NOW - RETENTION });
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: NOW })]]));
    expect(manager.expireOffsets()).toBe(1);
    expect(groups.has('g')).toBe(false);
  });

  it('keeps offsets of an Empty group that became Empty recently, however old the commit', () => {
    const { manager, addGroup } = setup();
    const g = addGroup('g', { protocolType: 'consumer', currentStateTimestamp: NOW - 1000 });
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: 0 })]]));
    expect(manager.expireOffsets()).toBe(0);
    expect(g.offsets.size).toBe(1);
  });

  it('expires, in a Stable consumer group, only old offsets of topics no member subscribes to (KIP-496)', () => {
    const { manager, addGroup, groups } = setup();
    const g = addGroup('g', { state: 'Stable', protocolType: 'consumer', members: [['m', null]], subscribed: ['t'] });
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: 0 })]]));
    g.offsets.set('u', new Map([[0, committed(2, { commitTimestamp: 0 })]]));
    expect(manager.expireOffsets()).toBe(1);
    expect([...g.offsets.keys()]).toEqual(['t']);
    expect(groups.has('g')).toBe(true);
  });

  it('expires nothing while a consumer group rebalances', () => {
    const { manager, addGroup } = setup();
    const g = addGroup('g', { state: 'PreparingRebalance', protocolType: 'consumer', members: [['m', null]], subscribed: [] });
    g.offsets.set('u', new Map([[0, committed(2, { commitTimestamp: 0 })]]));
    expect(manager.expireOffsets()).toBe(0);
  });

  it('honours an explicit expire timestamp over the retention', () => {
    const { manager, addGroup } = setup();
    const g = addGroup('simple');
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: 0, expireTimestamp: NOW + 1 })], [1, committed(1, { expireTimestamp: NOW })]]));
    expect(manager.expireOffsets()).toBe(1);
    expect([...g.offsets.get('t')!.keys()]).toEqual([0]);
  });

  it('removes an Empty group without offsets, tombstoning it', () => {
    const { manager, addGroup, groups, appended } = setup();
    addGroup('g', { protocolType: 'consumer', currentStateTimestamp: NOW });
    manager.expireOffsets();
    expect(appended).toEqual([{ groupId: 'g', offsets: [], group: null }]);
    expect(groups.has('g')).toBe(false);
  });

  it('keeps an Empty group whose member id a MEMBER_ID_REQUIRED JoinGroup has just handed out', () => {
    const { manager, addGroup, groups, appended } = setup();
    addGroup('g', { protocolType: 'consumer', currentStateTimestamp: NOW }).addPendingMember('m-1');
    manager.expireOffsets();
    expect(appended).toEqual([]);
    expect(groups.has('g')).toBe(true);
  });

  it('keeps everything in memory when the append fails', () => {
    const { manager, addGroup, groups } = setup({ failWith: new KafkaError('NOT_COORDINATOR') });
    const g = addGroup('simple');
    g.offsets.set('t', new Map([[0, committed(1, { commitTimestamp: 0 })]]));
    expect(manager.expireOffsets()).toBe(0);
    expect(groups.get('simple')!.offsets.size).toBe(1);
  });
});
