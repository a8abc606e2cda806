import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GroupCoordinator } from '../../src/group/group-coordinator.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../../src/protocol/index.js';
import { joinRequest, memberCtx, type MemoryStore, newCoordinator, subscription, syncRequest, type Tracked, track } from './group-fixtures.js';

const INITIAL_DELAY = 3000;

/** The KIP-394 round trip: MEMBER_ID_REQUIRED, then the parked join with the handed-out id. */
async function joinDynamic(c: GroupCoordinator, overrides: Partial<JoinGroupRequest> = {}, version = 9): Promise<Tracked<JoinGroupResponse>> {
  const first = await c.joinGroup(joinRequest(overrides), memberCtx(version));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  return track(c.joinGroup(joinRequest({ ...overrides, memberId: first.memberId }), memberCtx(version)));
}

/** Advances the fake clock (in steps) until every tracked join has been answered. */
async function untilJoined(joins: Tracked<unknown>[]): Promise<void> {
  for (let i = 0; i < 60 && !joins.every((j) => j.done); i++) await vi.advanceTimersByTimeAsync(1000);
  expect(joins.every((j) => j.done)).toBe(true);
}

/** A Stable group of `n` dynamic members; returns their join responses (leader first not guaranteed). */
async function stableGroup(c: GroupCoordinator, n: number, groupId = 'g'): Promise<JoinGroupResponse[]> {
  const joins: Tracked<JoinGroupResponse>[] = [];
  for (let i = 0; i < n; i++) joins.push(await joinDynamic(c, { groupId }));
  await untilJoined(joins);
  const responses = joins.map((j) => j.value as JoinGroupResponse);
  const leader = responses.find((r) => r.memberId === r.leader) as JoinGroupResponse;
  const syncs = responses.map((r) =>
    c.syncGroup(
      syncRequest({
        groupId,
        generationId: r.generationId,
        memberId: r.memberId,
        assignments: r === leader ? responses.map((m) => ({ memberId: m.memberId, assignment: Buffer.from(`assignment-of-${m.memberId}`) })) : [],
      }),
    ),
  );
  for (const s of await Promise.all(syncs)) expect(s.errorCode).toBe(ErrorCode.NONE);
  expect(c.group(groupId)?.state).toBe('Stable');
  return responses;
}

describe('GroupCoordinator', () => {
  let c: GroupCoordinator;
  let store: MemoryStore;

  beforeEach(() => {
    vi.useFakeTimers();
    ({ coordinator: c, store } = newCoordinator());
  });
  afterEach(() => {
    c.shutdown();
    vi.useRealTimers();
  });

  describe('JoinGroup and SyncGroup', () => {
    it('hands a v4+ member an id with MEMBER_ID_REQUIRED, then completes the first generation after the initial delay', async () => {
      const first = await c.joinGroup(joinRequest(), memberCtx(9, 'my-client'));
      expect(first).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, generationId: -1 });
      expect(first.memberId).toMatch(/^my-client-[0-9a-f-]{36}$/);
      expect(c.group('g')?.state).toBe('Empty');

      const join = track(c.joinGroup(joinRequest({ memberId: first.memberId }), memberCtx(9, 'my-client')));
      await vi.advanceTimersByTimeAsync(INITIAL_DELAY - 1);
      expect(join.done).toBe(false);
      expect(c.group('g')?.state).toBe('PreparingRebalance');
      await vi.advanceTimersByTimeAsync(1);
      expect(join.value).toMatchObject({
        errorCode: ErrorCode.NONE,
        generationId: 1,
        protocolType: 'consumer',
        protocolName: 'range',
        leader: first.memberId,
        memberId: first.memberId,
        skipAssignment: false,
        members: [{ memberId: first.memberId, groupInstanceId: null, metadata: subscription(['t']) }],
      });
      expect(c.group('g')?.state).toBe('CompletingRebalance');
      expect(c.group('g')?.subscribedTopics()).toEqual(new Set(['t']));

      const sync = await c.syncGroup(
        syncRequest({ generationId: 1, memberId: first.memberId, assignments: [{ memberId: first.memberId, assignment: Buffer.from('a1') }] }),
      );
      expect(sync).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('a1') });
      expect(c.group('g')?.state).toBe('Stable');
      expect(store.lastGroupRecord('g')).toMatchObject({
        protocolType: 'consumer',
        generation: 1,
        protocol: 'range',
        leader: first.memberId,
        members: [{ memberId: first.memberId, clientId: 'my-client', clientHost: '/127.0.0.1', rebalanceTimeout: 30_000, sessionTimeout: 10_000, assignment: Buffer.from('a1') }],
      });
    });

    it('answers JoinGroup errors with a null protocol name, as Kafka does (the handler writes "" before v7)', async () => {
      const required = await c.joinGroup(joinRequest(), memberCtx(9));
      expect(required).toMatchObject({ errorCode: ErrorCode.MEMBER_ID_REQUIRED, protocolName: null, protocolType: null, generationId: -1 });
      const badSession = await c.joinGroup(joinRequest({ sessionTimeoutMs: 1 }), memberCtx(9));
      expect(badSession).toMatchObject({ errorCode: ErrorCode.INVALID_SESSION_TIMEOUT, protocolName: null });
    });

    it('gives v0-3 members an id at once', async () => {
      const join = track(c.joinGroup(joinRequest(), memberCtx(3)));
      await vi.advanceTimersByTimeAsync(INITIAL_DELAY);
      expect(join.value?.errorCode).toBe(ErrorCode.NONE);
      expect(join.value?.memberId).toMatch(/^client-/);
      expect(join.value?.generationId).toBe(1);
    });

    it('extends the initial delay while members keep arriving, capped by the rebalance timeout', async () => {
      const a = await joinDynamic(c, { rebalanceTimeoutMs: 7000 });
      await vi.advanceTimersByTimeAsync(2000);
      const b = await joinDynamic(c, { rebalanceTimeoutMs: 7000 });
      await vi.advanceTimersByTimeAsync(1000); // t=3000: b arrived, so the delay is extended
      expect(a.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1000);
      const late = await joinDynamic(c, { rebalanceTimeoutMs: 7000 }); // t=4000: extends once more, to at most 7000 in all
      await vi.advanceTimersByTimeAsync(2999);
      expect(a.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1); // t=7000: remaining time used up
      for (const j of [a, b, late]) expect(j.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1 });
      const leader = [a, b, late].filter((j) => j.value?.members.length === 3);
      expect(leader).toHaveLength(1);
      expect(leader[0].value?.memberId).toBe(leader[0].value?.leader);
    });

    it('gives only the leader the members; followers wait in SyncGroup for the leader assignment', async () => {
      const a = await joinDynamic(c);
      const b = await joinDynamic(c);
      await untilJoined([a, b]);
      const [leader, follower] = a.value?.leader === a.value?.memberId ? [a.value!, b.value!] : [b.value!, a.value!];
      expect(leader.members.map((m) => m.memberId).sort()).toEqual([leader.memberId, follower.memberId].sort());
      expect(follower.members).toEqual([]);
      expect(follower.leader).toBe(leader.memberId);

      const followerSync = track(c.syncGroup(syncRequest({ memberId: follower.memberId })));
      await vi.advanceTimersByTimeAsync(0);
      expect(followerSync.done).toBe(false);
      const leaderSync = await c.syncGroup(
        syncRequest({
          memberId: leader.memberId,
          assignments: [
            { memberId: leader.memberId, assignment: Buffer.from('L') },
            { memberId: follower.memberId, assignment: Buffer.from('F') },
          ],
        }),
      );
      expect(leaderSync.assignment).toEqual(Buffer.from('L'));
      await vi.advanceTimersByTimeAsync(0);
      expect(followerSync.value).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('F') });
      // A Stable group answers SyncGroup with the member's assignment at once.
      expect((await c.syncGroup(syncRequest({ memberId: follower.memberId }))).assignment).toEqual(Buffer.from('F'));
    });

    it('selects the protocol all members support by vote, and refuses a member with none in common', async () => {
      const rr = { name: 'roundrobin', metadata: subscription(['t']) };
      const range = { name: 'range', metadata: subscription(['t']) };
      const a = await joinDynamic(c, { protocols: [rr, range] });
      const b = await joinDynamic(c, { protocols: [range] });
      const other = await c.joinGroup(joinRequest({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }), memberCtx());
      expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      const otherType = await c.joinGroup(joinRequest({ protocolType: 'connect' }), memberCtx());
      expect(otherType.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      await untilJoined([a, b]);
      expect(a.value?.protocolName).toBe('range');
      expect(b.value?.protocolName).toBe('range');
    });

    it('refuses an empty protocol list or type for a new group', async () => {
      expect((await c.joinGroup(joinRequest({ protocols: [] }), memberCtx())).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      expect((await c.joinGroup(joinRequest({ protocolType: '' }), memberCtx())).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    });

    it('validates group id and session timeout against group.min/max.session.timeout.ms', async () => {
      expect((await c.joinGroup(joinRequest({ groupId: '' }), memberCtx())).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
      expect((await c.joinGroup(joinRequest({ sessionTimeoutMs: 5999 }), memberCtx())).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
      expect((await c.joinGroup(joinRequest({ sessionTimeoutMs: 1_800_001 }), memberCtx())).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
      expect(c.group('g')).toBeUndefined();
    });

    it('answers UNKNOWN_MEMBER_ID for a member id of a group that does not exist', async () => {
      const res = await c.joinGroup(joinRequest({ memberId: 'ghost' }), memberCtx());
      expect(res).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: 'ghost' });
      expect(c.group('g')).toBeUndefined();
    });

    it('checks SyncGroup generation, member and (v5+) protocol', async () => {
      const [m] = await stableGroup(c, 1);
      expect((await c.syncGroup(syncRequest({ memberId: m.memberId, generationId: 0 }))).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect((await c.syncGroup(syncRequest({ memberId: 'nobody' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await c.syncGroup(syncRequest({ groupId: 'none', memberId: m.memberId }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect((await c.syncGroup(syncRequest({ memberId: m.memberId, protocolName: 'roundrobin' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      expect((await c.syncGroup(syncRequest({ memberId: m.memberId, protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      expect((await c.syncGroup(syncRequest({ memberId: m.memberId, protocolType: 'consumer', protocolName: 'range' }))).errorCode).toBe(ErrorCode.NONE);
    });

    it('stores the group record with an Empty-group marker when a group is created', async () => {
      await c.joinGroup(joinRequest(), memberCtx());
      // Kafka 4.1.1's newEmptyGroupMetadataRecord: protocol type '' even though the member said 'consumer'.
      expect(store.appends).toEqual([{ groupId: 'g', group: expect.objectContaining({ protocolType: '', generation: 0, members: [], protocol: null, leader: null }) }]);
    });
  });

  describe('rebalances', () => {
    it('rebalances a Stable group when a member joins: others learn it from Heartbeat and rejoin', async () => {
      const [m1] = await stableGroup(c, 1);
      const newcomer = await joinDynamic(c);
      expect(c.group('g')?.state).toBe('PreparingRebalance');
      expect(c.heartbeat({ groupId: 'g', memberId: m1.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const rejoin = track(c.joinGroup(joinRequest({ memberId: m1.memberId }), memberCtx()));
      await vi.advanceTimersByTimeAsync(0);
      expect(rejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: m1.memberId });
      expect(rejoin.value?.members).toHaveLength(2);
      expect(newcomer.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, members: [] });
    });

    it('removes members that do not rejoin within the rebalance timeout', async () => {
      const [a, b] = await stableGroup(c, 2);
      const leaderRejoin = track(c.joinGroup(joinRequest({ memberId: a.leader }), memberCtx()));
      const other = a.leader === a.memberId ? b : a;
      // Heartbeats keep the other member's session alive, but it never rejoins.
      for (let t = 0; t < 5; t++) {
        await vi.advanceTimersByTimeAsync(5000);
        expect(c.heartbeat({ groupId: 'g', memberId: other.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      }
      await vi.advanceTimersByTimeAsync(4999);
      expect(leaderRejoin.done).toBe(false);
      await vi.advanceTimersByTimeAsync(1); // the 30 s rebalance timeout
      expect(leaderRejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2 });
      expect(leaderRejoin.value?.members.map((m) => m.memberId)).toEqual([a.leader]);
      expect(c.group('g')?.has(other.memberId)).toBe(false);
    });

    it('expires a member whose heartbeats stop, and the rest rebalance without it', async () => {
      const [a, b] = await stableGroup(c, 2);
      for (let t = 0; t < 2; t++) {
        await vi.advanceTimersByTimeAsync(4000);
        expect(c.heartbeat({ groupId: 'g', memberId: a.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.NONE);
      }
      expect(c.group('g')?.has(b.memberId)).toBe(true);
      await vi.advanceTimersByTimeAsync(4000);
      // b last proved liveness at its SyncGroup, 12 s ago (> 10 s session timeout).
      expect(c.group('g')?.has(b.memberId)).toBe(false);
      expect(c.group('g')?.state).toBe('PreparingRebalance');
      expect(c.heartbeat({ groupId: 'g', memberId: a.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      const rejoin = await c.joinGroup(joinRequest({ memberId: a.memberId }), memberCtx());
      expect(rejoin).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: a.memberId });
      expect(c.heartbeat({ groupId: 'g', memberId: b.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });

    it('removes members that do not send SyncGroup within the rebalance timeout', async () => {
      const a = await joinDynamic(c);
      const b = await joinDynamic(c);
      await untilJoined([a, b]);
      const leader = a.value!.leader === a.value!.memberId ? a.value! : b.value!;
      const follower = leader === a.value ? b.value! : a.value!;
      await c.syncGroup(syncRequest({ memberId: leader.memberId, assignments: [] }));
      expect(c.group('g')?.state).toBe('Stable');
      // Both stay alive by heartbeats, but the follower never syncs.
      for (let t = 0; t < 5; t++) {
        await vi.advanceTimersByTimeAsync(5000);
        expect(c.heartbeat({ groupId: 'g', memberId: leader.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.NONE);
        expect(c.heartbeat({ groupId: 'g', memberId: follower.memberId, groupInstanceId: null, generationId: 1 })).toBe(ErrorCode.NONE);
      }
      expect(c.group('g')?.has(follower.memberId)).toBe(true);
      await vi.advanceTimersByTimeAsync(5000); // 30 s rebalance timeout since the join phase ended
      expect(c.group('g')?.has(follower.memberId)).toBe(false);
      expect(c.group('g')?.state).toBe('PreparingRebalance');
    });

    it('tells members waiting in SyncGroup to rejoin when a rebalance starts', async () => {
      const a = await joinDynamic(c);
      const b = await joinDynamic(c);
      await untilJoined([a, b]);
      const follower = a.value!.leader === a.value!.memberId ? b.value! : a.value!;
      const waiting = track(c.syncGroup(syncRequest({ memberId: follower.memberId })));
      await joinDynamic(c);
      await vi.advanceTimersByTimeAsync(0);
      expect(waiting.value).toMatchObject({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: Buffer.alloc(0) });
      expect((await c.syncGroup(syncRequest({ memberId: follower.memberId }))).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    });

    it('becomes Empty with a new generation (and stores it) when the last member leaves', async () => {
      const [m] = await stableGroup(c, 1);
      const res = c.leaveGroup('g', [{ memberId: m.memberId, groupInstanceId: null, reason: 'bye' }]);
      expect(res).toEqual({ errorCode: ErrorCode.NONE, members: [{ memberId: m.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }] });
      const group = c.group('g')!;
      expect(group.state).toBe('Empty');
      expect(group.generationId).toBe(2);
      expect(group.protocolName).toBeNull();
      expect(store.lastGroupRecord('g')).toMatchObject({ generation: 2, members: [], protocol: null, leader: null, protocolType: 'consumer' });
    });

    it('a leaving member triggers a rebalance that completes as soon as the others rejoin', async () => {
      const [a, b] = await stableGroup(c, 2);
      c.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null, reason: null }]);
      expect(c.group('g')?.state).toBe('PreparingRebalance');
      const rejoin = await c.joinGroup(joinRequest({ memberId: b.memberId }), memberCtx());
      expect(rejoin).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: b.memberId });
    });

    it('answers a new member parked join UNKNOWN_MEMBER_ID after the 5-minute new member join timeout', async () => {
      const [a] = await stableGroup(c, 1);
      const b = await joinDynamic(c, { rebalanceTimeoutMs: 600_000 });
      // a stays alive but never rejoins, so the join phase would last the 10-minute rebalance timeout.
      for (let t = 0; t < 59; t++) {
        await vi.advanceTimersByTimeAsync(5000);
        c.heartbeat({ groupId: 'g', memberId: a.memberId, groupInstanceId: null, generationId: 1 });
      }
      expect(b.done).toBe(false);
      await vi.advanceTimersByTimeAsync(5000);
      expect(b.value).toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, memberId: '' });
      expect(c.group('g')?.size).toBe(1);
    });
  });

  describe('pending members and group.max.size', () => {
    it('expires a member id handed out with MEMBER_ID_REQUIRED after the session timeout', async () => {
      const first = await c.joinGroup(joinRequest(), memberCtx());
      expect(c.group('g')?.pendingJoinMembers.has(first.memberId)).toBe(true);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(c.group('g')?.pendingJoinMembers.size).toBe(0);
      const late = await c.joinGroup(joinRequest({ memberId: first.memberId }), memberCtx());
      expect(late.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    });

    it('bounds members plus pending members by group.max.size', async () => {
      ({ coordinator: c, store } = newCoordinator({ maxSize: 3 }));
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await c.joinGroup(joinRequest(), memberCtx())).memberId);
      const refused = await c.joinGroup(joinRequest(), memberCtx());
      expect(refused).toMatchObject({ errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED, memberId: '' });
      expect(c.group('g')?.pendingJoinMembers.size).toBe(3);
      // The pending ids still join.
      const joins = ids.map((memberId) => track(c.joinGroup(joinRequest({ memberId }), memberCtx())));
      await untilJoined(joins);
      for (const j of joins) expect(j.value?.errorCode).toBe(ErrorCode.NONE);
      expect((await c.joinGroup(joinRequest(), memberCtx())).errorCode).toBe(ErrorCode.GROUP_MAX_SIZE_REACHED);
    });

    it('a flood of fresh joins leaves at most group.max.size ids behind, and they expire', async () => {
      ({ coordinator: c, store } = newCoordinator({ maxSize: 50 }));
      const codes = new Map<number, number>();
      for (let i = 0; i < 1000; i++) {
        const r = await c.joinGroup(joinRequest(), memberCtx());
        codes.set(r.errorCode, (codes.get(r.errorCode) ?? 0) + 1);
      }
      expect(codes.get(ErrorCode.MEMBER_ID_REQUIRED)).toBe(50);
      expect(codes.get(ErrorCode.GROUP_MAX_SIZE_REACHED)).toBe(950);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(c.group('g')?.pendingJoinMembers.size).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('a pending member may leave', async () => {
      const first = await c.joinGroup(joinRequest(), memberCtx());
      expect(c.leaveGroup('g', [{ memberId: first.memberId, groupInstanceId: null, reason: null }]).members[0].errorCode).toBe(ErrorCode.NONE);
      expect(c.group('g')?.pendingJoinMembers.size).toBe(0);
    });
  });

  describe('Heartbeat and LeaveGroup errors', () => {
    it('answers Kafka errors for unknown groups, members and stale generations', async () => {
      const [m] = await stableGroup(c, 1);
      const hb = (o: Partial<{ groupId: string; memberId: string; groupInstanceId: string | null; generationId: number }>) =>
        c.heartbeat({ groupId: 'g', memberId: m.memberId, groupInstanceId: null, generationId: 1, ...o });
      expect(hb({})).toBe(ErrorCode.NONE);
      expect(hb({ generationId: 0 })).toBe(ErrorCode.ILLEGAL_GENERATION);
      expect(hb({ memberId: 'x' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(hb({ groupId: 'other' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(hb({ groupId: '' })).toBe(ErrorCode.INVALID_GROUP_ID);
      expect(hb({ groupInstanceId: 'not-static' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(c.leaveGroup('other', [{ memberId: 'x', groupInstanceId: null, reason: null }])).toEqual({
        errorCode: ErrorCode.NONE,
        members: [{ memberId: 'x', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }],
      });
      expect(c.leaveGroup('', []).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
      const batch = c.leaveGroup('g', [
        { memberId: 'x', groupInstanceId: null, reason: null },
        { memberId: '', groupInstanceId: 'no-such-instance', reason: null },
      ]);
      expect(batch.members.map((r) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID]);
      expect(c.group('g')?.state).toBe('Stable');
    });
  });

  describe('static membership', () => {
    const STATIC = { groupInstanceId: 'instance-1' };

    async function staticStableGroup(): Promise<{ s: JoinGroupResponse; d: JoinGroupResponse }> {
      const s = track(c.joinGroup(joinRequest(STATIC), memberCtx()));
      const d = await joinDynamic(c);
      await untilJoined([s, d]);
      expect(s.value?.errorCode).toBe(ErrorCode.NONE);
      expect(s.value?.memberId).toMatch(/^instance-1-/);
      expect(s.value?.leader).toBe(s.value?.memberId);
      await Promise.all([
        c.syncGroup(
          syncRequest({
            memberId: s.value!.memberId,
            groupInstanceId: 'instance-1',
            assignments: [
              { memberId: s.value!.memberId, assignment: Buffer.from('S') },
              { memberId: d.value!.memberId, assignment: Buffer.from('D') },
            ],
          }),
        ),
        c.syncGroup(syncRequest({ memberId: d.value!.memberId })),
      ]);
      expect(c.group('g')?.state).toBe('Stable');
      return { s: s.value!, d: d.value! };
    }

    it('joins without MEMBER_ID_REQUIRED and, restarted with unchanged protocols, replaces its member id without a rebalance', async () => {
      const { s } = await staticStableGroup();
      const appendsBefore = store.appends.length;
      const restarted = await c.joinGroup(joinRequest(STATIC), memberCtx(9));
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, skipAssignment: true, protocolName: 'range' });
      expect(restarted.memberId).not.toBe(s.memberId);
      expect(restarted.leader).toBe(restarted.memberId);
      expect(restarted.members).toHaveLength(2);
      expect(c.group('g')?.state).toBe('Stable');
      expect(c.group('g')?.staticMemberId('instance-1')).toBe(restarted.memberId);
      // The new id is persisted; the old one is fenced.
      expect(store.appends).toHaveLength(appendsBefore + 1);
      expect(store.lastGroupRecord('g')?.members.map((m) => m.memberId)).toContain(restarted.memberId);
      expect(c.heartbeat({ groupId: 'g', memberId: s.memberId, groupInstanceId: 'instance-1', generationId: 1 })).toBe(ErrorCode.FENCED_INSTANCE_ID);
      const sync = await c.syncGroup(syncRequest({ memberId: restarted.memberId, groupInstanceId: 'instance-1' }));
      expect(sync).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('S') });
    });

    it('before v9 a restarted static leader is told the old leader id, so it does not reassign', async () => {
      const { s } = await staticStableGroup();
      const restarted = await c.joinGroup(joinRequest(STATIC), memberCtx(8));
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, skipAssignment: false, leader: s.memberId, members: [] });
    });

    it('a restarted static member rebalances only when the selected protocol would change', async () => {
      await staticStableGroup();
      // Refused: the dynamic member supports only range.
      const rrOnly = await c.joinGroup(joinRequest({ ...STATIC, protocols: [{ name: 'roundrobin', metadata: subscription(['t']) }] }), memberCtx());
      expect(rrOnly.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      // New subscription, same selected protocol (range is the only common one): no rebalance, as in Kafka.
      const both = [{ name: 'roundrobin', metadata: subscription(['t']) }, { name: 'range', metadata: subscription(['t', 'u']) }];
      const sameProtocol = await c.joinGroup(joinRequest({ ...STATIC, protocols: both }), memberCtx());
      expect(sameProtocol).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
      expect(c.group('g')?.state).toBe('Stable');
    });

    it('a restarted static member whose vote changes the protocol triggers a rebalance', async () => {
      const range = { name: 'range', metadata: subscription(['t']) };
      const rr = { name: 'roundrobin', metadata: subscription(['t']) };
      const first = track(c.joinGroup(joinRequest({ ...STATIC, protocols: [range, rr] }), memberCtx()));
      await untilJoined([first]);
      await c.syncGroup(syncRequest({ memberId: first.value!.memberId, groupInstanceId: 'instance-1' }));
      expect(c.group('g')?.protocolName).toBe('range');
      const restarted = await c.joinGroup(joinRequest({ ...STATIC, protocols: [rr, range] }), memberCtx());
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, protocolName: 'roundrobin', skipAssignment: false });
      expect(c.group('g')?.state).toBe('CompletingRebalance');
    });

    it('answers the fenced old member id FENCED_INSTANCE_ID on join and sync', async () => {
      const { s } = await staticStableGroup();
      await c.joinGroup(joinRequest(STATIC), memberCtx());
      const oldJoin = await c.joinGroup(joinRequest({ ...STATIC, memberId: s.memberId }), memberCtx());
      expect(oldJoin.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
      const oldSync = await c.syncGroup(syncRequest({ memberId: s.memberId, groupInstanceId: 'instance-1' }));
      expect(oldSync.errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    });

    it('keeps a static member that misses a rebalance (only its session timeout removes it)', async () => {
      const { s, d } = await staticStableGroup();
      // d's new subscription forces a rebalance that s (alive, heartbeating) never rejoins.
      const dRejoin = track(c.joinGroup(joinRequest({ memberId: d.memberId, protocols: [{ name: 'range', metadata: subscription(['t', 'v']) }] }), memberCtx()));
      for (let t = 0; t < 6; t++) {
        await vi.advanceTimersByTimeAsync(5000);
        if (t < 5) expect(c.heartbeat({ groupId: 'g', memberId: s.memberId, groupInstanceId: 'instance-1', generationId: 1 })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
      }
      expect(dRejoin.value).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 2, leader: d.memberId });
      expect(c.group('g')?.has(s.memberId)).toBe(true);
    });

    it('LeaveGroup by group instance id removes the static member', async () => {
      const { s } = await staticStableGroup();
      const res = c.leaveGroup('g', [{ memberId: '', groupInstanceId: 'instance-1', reason: 'admin' }]);
      expect(res.members).toEqual([{ memberId: '', groupInstanceId: 'instance-1', errorCode: ErrorCode.NONE }]);
      expect(c.group('g')?.has(s.memberId)).toBe(false);
      expect(c.group('g')?.staticMemberId('instance-1')).toBeUndefined();
      expect(c.group('g')?.state).toBe('PreparingRebalance');
    });

    it('LeaveGroup with a superseded member id of a static member is FENCED_INSTANCE_ID', async () => {
      const { s } = await staticStableGroup();
      await c.joinGroup(joinRequest(STATIC), memberCtx());
      const res = c.leaveGroup('g', [{ memberId: s.memberId, groupInstanceId: 'instance-1', reason: null }]);
      expect(res.members[0].errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    });

    it('reverts the replacement when the new member id cannot be stored', async () => {
      const { s } = await staticStableGroup();
      store.failWith = new KafkaError('NOT_COORDINATOR');
      const restarted = await c.joinGroup(joinRequest(STATIC), memberCtx());
      expect(restarted).toMatchObject({ errorCode: ErrorCode.NOT_COORDINATOR, memberId: '' });
      expect(c.group('g')?.staticMemberId('instance-1')).toBe(s.memberId);
      expect(c.heartbeat({ groupId: 'g', memberId: s.memberId, groupInstanceId: 'instance-1', generationId: 1 })).toBe(ErrorCode.NONE);
    });
  });

  describe('DescribeGroups, ListGroups, DeleteGroups', () => {
    it('describes a Stable group with member metadata and assignments, other states with assignments only, unknown groups as Dead', async () => {
      const [m] = await stableGroup(c, 1);
      const [described, unknown] = c.describeGroups(['g', 'nope']);
      expect(described).toMatchObject({
        errorCode: ErrorCode.NONE,
        groupId: 'g',
        groupState: 'Stable',
        protocolType: 'consumer',
        protocolData: 'range',
        members: [
          { memberId: m.memberId, groupInstanceId: null, clientId: 'client', clientHost: '/127.0.0.1', memberMetadata: subscription(['t']), memberAssignment: Buffer.from(`assignment-of-${m.memberId}`) },
        ],
      });
      expect(unknown).toMatchObject({ errorCode: ErrorCode.NONE, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [] });
      await joinDynamic(c);
      const [rebalancing] = c.describeGroups(['g']);
      expect(rebalancing.groupState).toBe('PreparingRebalance');
      expect(rebalancing.protocolData).toBe('');
      // Kafka 4.1.1 (describeNoMetadata): no metadata while rebalancing, but the member's current assignment.
      expect(rebalancing.members.map((x) => [x.memberId, x.memberMetadata.length, x.memberAssignment.toString()])).toEqual([
        [m.memberId, 0, `assignment-of-${m.memberId}`],
        [expect.any(String), 0, ''],
      ]);
    });

    it('lists groups with states (case-insensitive) and types filters', async () => {
      await stableGroup(c, 1, 'stable-group');
      c.getOrCreateGroup('offsets-only');
      const all = c.listGroups();
      expect(all).toEqual(
        expect.arrayContaining([
          { groupId: 'stable-group', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' },
          { groupId: 'offsets-only', protocolType: '', groupState: 'Empty', groupType: 'classic' },
        ]),
      );
      expect(c.listGroups(['empty']).map((g) => g.groupId)).toEqual(['offsets-only']);
      expect(c.listGroups(['Stable', 'Dead']).map((g) => g.groupId)).toEqual(['stable-group']);
      expect(c.listGroups([], ['consumer'])).toEqual([]);
      expect(c.listGroups([], ['Classic'])).toHaveLength(2);
    });

    it('deletes an Empty group with tombstones for the group and all its offsets', async () => {
      const group = c.getOrCreateGroup('old');
      const offset = { offset: 5, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: -1 };
      group.offsets.set('t', new Map([[0, offset], [1, offset]]));
      await stableGroup(c, 1, 'busy');
      expect(c.deleteGroups(['old', 'busy', 'missing'])).toEqual([
        { groupId: 'old', errorCode: ErrorCode.NONE },
        { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
        { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
      ]);
      expect(store.appends.filter((a) => a.groupId === 'old')).toEqual([
        { groupId: 'old', group: null, offsets: [{ topic: 't', partition: 0, value: null }, { topic: 't', partition: 1, value: null }] },
      ]);
      expect(c.group('old')).toBeUndefined();
      expect(group.state).toBe('Dead');
      expect(c.deleteGroups(['old'])[0].errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    });

    it('keeps the group when its tombstones cannot be written', () => {
      c.getOrCreateGroup('old');
      store.failWith = new KafkaError('NOT_COORDINATOR');
      expect(c.deleteGroups(['old'])).toEqual([{ groupId: 'old', errorCode: ErrorCode.NOT_COORDINATOR }]);
      expect(c.group('old')).toBeDefined();
    });

    it('removeGroupIfEmpty removes only Empty groups without offsets', async () => {
      const g = c.getOrCreateGroup('x');
      g.offsets.set('t', new Map([[0, { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: -1 }]]));
      expect(c.removeGroupIfEmpty('x')).toBe(false);
      g.offsets.clear();
      expect(c.removeGroupIfEmpty('x')).toBe(true);
      expect(c.group('x')).toBeUndefined();
      await stableGroup(c, 1);
      expect(c.removeGroupIfEmpty('g')).toBe(false);
    });
  });

  describe('load and timers', () => {
    it('rebuilds Stable groups (static members keep their ids) and Empty groups that only have offsets', async () => {
      const offset = { offset: 42, leaderEpoch: 3, metadata: 'm', commitTimestamp: 10, expireTimestamp: -1 };
      c.load({
        groups: new Map([
          [
            'g',
            {
              protocolType: 'consumer',
              generation: 7,
              protocol: 'range',
              leader: 'static-1',
              currentStateTimestamp: 1234,
              members: [
                { memberId: 'static-1', groupInstanceId: 'i1', clientId: 'c1', clientHost: '/h1', rebalanceTimeout: 30_000, sessionTimeout: 10_000, subscription: subscription(['t', 'u']), assignment: Buffer.from('A1') },
                { memberId: 'dyn-2', groupInstanceId: null, clientId: 'c2', clientHost: '/h2', rebalanceTimeout: -1, sessionTimeout: 20_000, subscription: subscription(['t']), assignment: Buffer.from('A2') },
              ],
            },
          ],
          ['emptied', { protocolType: 'consumer', generation: 3, protocol: null, leader: null, currentStateTimestamp: 99, members: [] }],
        ]),
        offsets: new Map([
          ['g', new Map([['t', new Map([[0, offset]])]])],
          ['simple', new Map([['t', new Map([[1, offset]])]])],
        ]),
      });
      const g = c.group('g')!;
      expect(g).toMatchObject({ state: 'Stable', generationId: 7, protocolType: 'consumer', protocolName: 'range', leaderId: 'static-1', currentStateTimestamp: 1234 });
      expect(g.staticMemberId('i1')).toBe('static-1');
      expect(g.get('dyn-2')?.rebalanceTimeoutMs).toBe(20_000);
      expect(g.subscribedTopics()).toEqual(new Set(['t', 'u']));
      expect(g.offsets.get('t')?.get(0)).toEqual(offset);
      expect(c.group('emptied')).toMatchObject({ state: 'Empty', generationId: 3 });
      expect(c.group('simple')).toMatchObject({ state: 'Empty', protocolType: null });
      expect(c.listGroups().map((x) => x.groupId).sort()).toEqual(['emptied', 'g', 'simple']);

      // The static member resumes with its id; the dynamic one never heartbeats and expires.
      await expect(c.syncGroup(syncRequest({ generationId: 7, memberId: 'static-1', groupInstanceId: 'i1' }))).resolves.toMatchObject({ assignment: Buffer.from('A1') });
      for (let t = 0; t < 4; t++) {
        await vi.advanceTimersByTimeAsync(6000);
        c.heartbeat({ groupId: 'g', memberId: 'static-1', groupInstanceId: 'i1', generationId: g.generationId });
      }
      expect(g.has('dyn-2')).toBe(false);
      expect(g.has('static-1')).toBe(true);
      expect(g.state).toBe('PreparingRebalance');
    });

    it('counts a commit as liveness through rescheduleMemberHeartbeat', async () => {
      const [m] = await stableGroup(c, 1);
      const group = c.group('g')!;
      for (let t = 0; t < 5; t++) {
        await vi.advanceTimersByTimeAsync(6000);
        c.rescheduleMemberHeartbeat(group, m.memberId);
      }
      expect(group.has(m.memberId)).toBe(true);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(group.has(m.memberId)).toBe(false);
    });

    it('shutdown clears every timer', async () => {
      await stableGroup(c, 2);
      await c.joinGroup(joinRequest({ groupId: 'other' }), memberCtx());
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      c.shutdown();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('shutdown answers parked joins NOT_COORDINATOR and refuses new requests, so the broker stops at once', async () => {
      const [member] = await stableGroup(c, 2);
      const rejoin = track(c.joinGroup(joinRequest({ memberId: member.memberId, rebalanceTimeoutMs: 300_000 }), memberCtx()));
      const newcomer = await joinDynamic(c);
      await vi.advanceTimersByTimeAsync(0);
      expect(rejoin.done || newcomer.done).toBe(false);
      c.shutdown();
      await vi.advanceTimersByTimeAsync(0);
      expect(rejoin.value?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(newcomer.value?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(c.heartbeat({ groupId: 'g', memberId: member.memberId, groupInstanceId: null, generationId: member.generationId })).toBe(
        ErrorCode.NOT_COORDINATOR,
      );
      const late = await c.joinGroup(joinRequest({ memberId: member.memberId }), memberCtx());
      expect(late.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
