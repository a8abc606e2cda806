// The group membership handlers' version-specific shapes, over a real coordinator and an
// in-memory store (the coordinator's semantics are covered in test/group/).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../../src/broker/handler.js';
import { handler as joinGroup } from '../../src/broker/handlers/11-join-group.js';
import { handler as leaveGroup } from '../../src/broker/handlers/13-leave-group.js';
import { handler as syncGroup } from '../../src/broker/handlers/14-sync-group.js';
import { handler as describeGroups } from '../../src/broker/handlers/15-describe-groups.js';
import { handler as listGroups } from '../../src/broker/handlers/16-list-groups.js';
import type { BrokerServices } from '../../src/broker/services.js';
import type { GroupCoordinator } from '../../src/group/group-coordinator.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { JoinGroupResponse } from '../../src/protocol/index.js';
import { joinRequest, newCoordinator } from '../group/group-fixtures.js';

describe('group membership handlers', () => {
  let coordinator: GroupCoordinator;
  const ctx = (apiVersion: number, clientHost = '127.0.0.1'): RequestContext => ({
    services: { groupCoordinator: coordinator } as unknown as BrokerServices,
    clientId: 'cli',
    clientHost,
    apiVersion,
    correlationId: 1,
    listenerName: 'PLAINTEXT',
  });

  beforeEach(() => {
    ({ coordinator } = newCoordinator({ initialRebalanceDelayMs: 0 }));
  });
  afterEach(() => coordinator.shutdown());

  it('JoinGroup v0 uses the session timeout as rebalance timeout and records the host as Kafka prints it', async () => {
    const res = (await joinGroup.handle(joinRequest({ rebalanceTimeoutMs: -1 }), ctx(0, '::ffff:127.0.0.1'))) as JoinGroupResponse;
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, generationId: 1, protocolName: 'range' });
    const member = coordinator.group('g')?.get(res.memberId);
    expect(member).toMatchObject({ rebalanceTimeoutMs: 10_000, clientId: 'cli', clientHost: '/127.0.0.1' });
  });

  it('JoinGroup answers protocol_name "" before v7 and null from v7 on errors', async () => {
    const v6 = (await joinGroup.handle(joinRequest({ groupId: '' }), ctx(6))) as JoinGroupResponse;
    expect(v6).toMatchObject({ errorCode: ErrorCode.INVALID_GROUP_ID, protocolName: '' });
    const v7 = joinGroup.errorResponse(joinRequest(), ErrorCode.UNKNOWN_SERVER_ERROR, ctx(7));
    expect(v7.protocolName).toBeNull();
  });

  it('LeaveGroup v0-2 answers a member error at top level; v3+ per member', async () => {
    const join = (await joinGroup.handle(joinRequest(), ctx(3))) as JoinGroupResponse;
    const v1 = await leaveGroup.handle({ groupId: 'g', memberId: 'unknown', members: [] }, ctx(1));
    expect(v1).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] });
    const v3 = await leaveGroup.handle(
      { groupId: 'g', memberId: '', members: [{ memberId: join.memberId, groupInstanceId: null, reason: null }, { memberId: 'x', groupInstanceId: null, reason: null }] },
      ctx(3),
    );
    expect(v3).toEqual({
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      members: [
        { memberId: join.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE },
        { memberId: 'x', groupInstanceId: null, errorCode: ErrorCode.UNKNOWN_MEMBER_ID },
      ],
    });
  });

  it('DescribeGroups reports authorized operations only when asked (v3+), the 3400 Kafka 4.1.1 answers', async () => {
    coordinator.getOrCreateGroup('g');
    const asked = await describeGroups.handle({ groups: ['g', 'unknown'], includeAuthorizedOperations: true }, ctx(5));
    // READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS
    expect(asked?.groups[0]).toMatchObject({ groupState: 'Empty', authorizedOperations: 3400 });
    expect(asked?.groups[1]).toMatchObject({ groupState: 'Dead', authorizedOperations: 3400 });
    const notAsked = await describeGroups.handle({ groups: ['g'], includeAuthorizedOperations: false }, ctx(5));
    expect(notAsked?.groups[0].authorizedOperations).toBe(-2147483648);
  });

  it('SyncGroup v5+ without protocol_type or protocol_name is INCONSISTENT_GROUP_PROTOCOL and leaves the rebalance alone', async () => {
    const join = (await joinGroup.handle(joinRequest(), ctx(3))) as JoinGroupResponse;
    const base = { groupId: 'g', generationId: join.generationId, memberId: join.memberId, groupInstanceId: null, assignments: [] };
    for (const [protocolType, protocolName] of [[null, 'range'], ['consumer', null], [null, null]]) {
      const res = await syncGroup.handle({ ...base, protocolType, protocolName }, ctx(5));
      expect(res).toMatchObject({ errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null });
    }
    expect(coordinator.group('g')?.state).toBe('CompletingRebalance');
    const v4 = await syncGroup.handle({ ...base, protocolType: null, protocolName: null, assignments: [{ memberId: join.memberId, assignment: Buffer.from('a') }] }, ctx(4));
    expect(v4).toMatchObject({ errorCode: ErrorCode.NONE, assignment: Buffer.from('a') });
  });

  it('ListGroups applies the states filter from v4 and the types filter from v5', async () => {
    coordinator.getOrCreateGroup('g');
    expect((await listGroups.handle({ statesFilter: ['Stable'], typesFilter: [] }, ctx(3)))?.groups).toHaveLength(1);
    expect((await listGroups.handle({ statesFilter: ['Stable'], typesFilter: [] }, ctx(4)))?.groups).toHaveLength(0);
    expect((await listGroups.handle({ statesFilter: [], typesFilter: ['consumer'] }, ctx(4)))?.groups).toHaveLength(1);
    expect((await listGroups.handle({ statesFilter: [], typesFilter: ['consumer'] }, ctx(5)))?.groups).toHaveLength(0);
  });
});
