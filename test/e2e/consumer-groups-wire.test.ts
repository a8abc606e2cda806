// Bad group input at the wire level, where no client library would send it: commits for unknown
// topics and partitions, commits and heartbeats from a stale generation or an unknown member, and a
// flood of JoinGroups with fresh member ids, which group.max.size must bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { assignment, connectToCoordinator, subscription } from '../support/group-wire.js';
import type { TestClient } from '../broker/test-client.js';
import type { JoinGroupRequest, OffsetCommitRequestTopic } from '../../src/protocol/index.js';
import { ErrorCode, errorNameOf } from '../../src/protocol/errors.js';

const TOPIC = 'wire-t';
const MAX_SIZE = 5;

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const clients: TestClient[] = [];

beforeAll(async () => {
  // A group's first rebalance waits group.initial.rebalance.delay.ms for more members (Kafka's
  // default is 3 s); the flood below relies on that window to land in one rebalance.
  broker = await BrokerProcess.start({
    overrides: { 'auto.create.topics.enable': false, 'group.max.size': MAX_SIZE, 'group.initial.rebalance.delay.ms': 3000 },
  });
  await createTopics(broker.bootstrap, [TOPIC], 2);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await broker?.cleanup();
});

async function coordinatorClient(groupId: string): Promise<TestClient> {
  const c = await connectToCoordinator(broker.port, groupId);
  clients.push(c);
  return c;
}

const joinRequest = (groupId: string, memberId: string): JoinGroupRequest => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer',
  protocols: [{ name: 'range', metadata: subscription([TOPIC]) }], reason: null,
});

// OffsetCommit v8 answers as [topic, partition, error name] triples.
async function commit(c: TestClient, groupId: string, generation: number, memberId: string, topics: OffsetCommitRequestTopic[]) {
  const r = await c.request(8, 8, { groupId, generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null, retentionTimeMs: -1n, topics });
  return r.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, errorNameOf(p.errorCode)])).sort();
}
const offsetsTopic = (name: string, offsets: [number, number][]): OffsetCommitRequestTopic => ({
  name, partitions: offsets.map(([partitionIndex, o]) => ({ partitionIndex, committedOffset: BigInt(o), committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: `m${o}` })),
});

// OffsetFetch v8 for every committed partition of a group: [topic, partition, offset, metadata].
async function fetchCommitted(c: TestClient, groupId: string) {
  const r = await c.request(9, 8, { groupId: '', topics: [], requireStable: false, groups: [{ groupId, memberId: null, memberEpoch: -1, topics: null }] });
  expect(r.groups.map((g) => [g.groupId, errorNameOf(g.errorCode)])).toEqual([[groupId, 'NONE']]);
  return r.groups[0]!.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, Number(p.committedOffset), p.metadata, errorNameOf(p.errorCode)]))
    .sort();
}

describe('OffsetCommit for unknown topics and partitions', () => {
  it.each([2, 8])('answers UNKNOWN_TOPIC_OR_PARTITION per partition (v%i) and stores only the valid ones', async (version) => {
    const groupId = `wire-unknown-v${version}`;
    const c = await coordinatorClient(groupId);
    const r = await c.request(8, version, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
      topics: [offsetsTopic(TOPIC, [[0, 5], [7, 9]]), offsetsTopic('no-such-topic', [[0, 1]])],
    });
    expect(r.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, errorNameOf(p.errorCode)])).sort()).toEqual([
      ['no-such-topic', 0, 'UNKNOWN_TOPIC_OR_PARTITION'], [TOPIC, 0, 'NONE'], [TOPIC, 7, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ]);
    expect(await fetchCommitted(c, groupId)).toEqual([[TOPIC, 0, 5, 'm5', 'NONE']]);
  });
});

describe('generations and members', () => {
  it('refuses commits and heartbeats from a stale generation or an unknown member', async () => {
    const groupId = 'wire-generations';
    const c = await coordinatorClient(groupId);
    const first = await c.request(11, 5, joinRequest(groupId, ''));
    expect(errorNameOf(first.errorCode)).toBe('MEMBER_ID_REQUIRED');
    const memberId = first.memberId;
    expect(memberId).not.toBe('');

    const join = async (expectedGeneration: number) => {
      const j = await c.request(11, 5, joinRequest(groupId, memberId));
      expect([errorNameOf(j.errorCode), j.generationId, j.leader, j.protocolName, j.members.map((m) => m.memberId)])
        .toEqual(['NONE', expectedGeneration, memberId, 'range', [memberId]]);
      const a = assignment({ [TOPIC]: [0, 1] });
      const s = await c.request(14, 3, { groupId, generationId: expectedGeneration, memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId, assignment: a }] });
      expect([errorNameOf(s.errorCode), s.assignment.equals(a)]).toEqual(['NONE', true]);
    };
    await join(1);
    expect(await commit(c, groupId, 1, memberId, [offsetsTopic(TOPIC, [[0, 3]])])).toEqual([[TOPIC, 0, 'NONE']]);

    // The only member rejoins: generation 2. Generation 1 is now stale.
    await join(2);
    expect(await commit(c, groupId, 1, memberId, [offsetsTopic(TOPIC, [[0, 4]])])).toEqual([[TOPIC, 0, 'ILLEGAL_GENERATION']]);
    expect(await commit(c, groupId, 3, memberId, [offsetsTopic(TOPIC, [[0, 4]])])).toEqual([[TOPIC, 0, 'ILLEGAL_GENERATION']]);
    expect(await commit(c, groupId, 2, 'not-a-member', [offsetsTopic(TOPIC, [[0, 4]])])).toEqual([[TOPIC, 0, 'UNKNOWN_MEMBER_ID']]);
    expect(await fetchCommitted(c, groupId)).toEqual([[TOPIC, 0, 3, 'm3', 'NONE']]);

    const hb = async (generationId: number, id: string) =>
      errorNameOf((await c.request(12, 4, { groupId, generationId, memberId: id, groupInstanceId: null })).errorCode);
    expect([await hb(1, memberId), await hb(2, 'not-a-member'), await hb(2, memberId)]).toEqual(['ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID', 'NONE']);

    expect(await commit(c, groupId, 2, memberId, [offsetsTopic(TOPIC, [[0, 4], [1, 6]])])).toEqual([[TOPIC, 0, 'NONE'], [TOPIC, 1, 'NONE']]);
    expect(await fetchCommitted(c, groupId)).toEqual([[TOPIC, 0, 4, 'm4', 'NONE'], [TOPIC, 1, 6, 'm6', 'NONE']]);

    const leave = await c.request(13, 4, { groupId, memberId: '', members: [{ memberId, groupInstanceId: null, reason: null }] });
    expect([errorNameOf(leave.errorCode), leave.members.map((m) => [m.memberId, errorNameOf(m.errorCode)])]).toEqual(['NONE', [[memberId, 'NONE']]]);
    expect(await commit(c, groupId, 2, memberId, [offsetsTopic(TOPIC, [[0, 5]])])).toEqual([[TOPIC, 0, 'UNKNOWN_MEMBER_ID']]);
  });
});

describe('session timeouts', () => {
  it('JoinGroup outside group.min/max.session.timeout.ms (6 s / 30 min) answers INVALID_SESSION_TIMEOUT', async () => {
    const groupId = 'wire-session';
    const c = await coordinatorClient(groupId);
    const join = async (sessionTimeoutMs: number) => errorNameOf((await c.request(11, 5, { ...joinRequest(groupId, ''), sessionTimeoutMs })).errorCode);
    expect([await join(5_999), await join(1_800_001), await join(6_000), await join(1_800_000)])
      .toEqual(['INVALID_SESSION_TIMEOUT', 'INVALID_SESSION_TIMEOUT', 'MEMBER_ID_REQUIRED', 'MEMBER_ID_REQUIRED']);
  });
});

describe('a flood of JoinGroups with fresh member ids', () => {
  it(`admits at most group.max.size (${MAX_SIZE}) members and answers the rest GROUP_MAX_SIZE_REACHED`, async () => {
    const groupId = 'wire-flood';
    const FLOOD = 4 * MAX_SIZE;
    const conns = await Promise.all(Array.from({ length: FLOOD }, () => coordinatorClient(groupId)));
    // Round one: each connection asks for a member id. Kafka hands one to all (pending members are
    // not counted while the group is Empty); Sluice also counts pending ids against the bound, so
    // it may refuse some here already. Either way only fresh ids or GROUP_MAX_SIZE_REACHED.
    const firsts = await Promise.all(conns.map((c) => c.request(11, 5, joinRequest(groupId, ''))));
    const byError = (rs: { errorCode: number }[]) => rs.reduce<Record<string, number>>((m, r) => ({ ...m, [errorNameOf(r.errorCode)]: (m[errorNameOf(r.errorCode)] ?? 0) + 1 }), {});
    const withIds = firsts.filter((r) => r.errorCode === ErrorCode.MEMBER_ID_REQUIRED);
    expect(withIds.length + (byError(firsts).GROUP_MAX_SIZE_REACHED ?? 0), JSON.stringify(byError(firsts))).toBe(FLOOD);
    expect(withIds.length).toBeGreaterThanOrEqual(MAX_SIZE);
    expect(new Set(withIds.map((r) => r.memberId)).size).toBe(withIds.length);
    expect(withIds.every((r) => r.memberId !== '')).toBe(true);
    // Round two: all join at once; a JoinGroup is answered when the rebalance completes. Exactly
    // group.max.size are admitted; everyone else, over both rounds, got GROUP_MAX_SIZE_REACHED.
    const seconds = await Promise.all(withIds.map((r) => conns[firsts.indexOf(r)]!.request(11, 5, joinRequest(groupId, r.memberId))));
    expect(byError([...firsts, ...seconds].filter((r) => r.errorCode !== ErrorCode.MEMBER_ID_REQUIRED)))
      .toEqual({ NONE: MAX_SIZE, GROUP_MAX_SIZE_REACHED: FLOOD - MAX_SIZE });
    const admitted = seconds.filter((r) => r.errorCode === 0);
    expect(new Set(admitted.map((r) => r.generationId))).toEqual(new Set([1]));
    const leader = admitted.find((r) => r.members.length > 0)!;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual(admitted.map((r) => r.memberId).sort());

    // Many more fresh ids on one pipelined connection change nothing: the group stays at the bound.
    const c = conns[0]!;
    const ids = Array.from({ length: 500 }, () => c.send(11, 5, joinRequest(groupId, '')));
    const floods = await Promise.all(ids.map((id) => c.response(11, 5, id)));
    expect(byError(floods)).toEqual({ GROUP_MAX_SIZE_REACHED: 500 });
    const d = await c.request(15, 5, { groups: [groupId], includeAuthorizedOperations: false });
    expect(d.groups.map((g) => [g.groupId, errorNameOf(g.errorCode), g.groupState, g.members.length])).toEqual([[groupId, 'NONE', 'CompletingRebalance', MAX_SIZE]]);
  });
});
