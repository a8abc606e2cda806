import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/index.js';
import { commitRequest, findGroupCoordinator } from '../group-requests.js';
import { useBrokerWithClient } from '../test-broker.js';

describe('OffsetFetch', () => {
  const b = useBrokerWithClient({ 'offsets.topic.num.partitions': '3' });

  it('answers committed offsets, leader epochs and metadata; -1 where nothing is committed (v1-7)', async () => {
    b.broker.services.topics.createTopic('t', { numPartitions: 2 });
    await findGroupCoordinator(b.client, 'g');
    await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('g', { t: { 0: 42 } }));
    for (let version = 1; version <= 7; version++) {
      const res = await b.client.request(ApiKey.OffsetFetch, version, {
        groupId: 'g',
        topics: [{ name: 't', partitionIndexes: [0, 1] }, { name: 'nope', partitionIndexes: [0] }],
        groups: [],
        requireStable: false,
      });
      expect(res.errorCode).toBe(ErrorCode.NONE);
      expect(res.topics).toEqual([
        {
          name: 't',
          partitions: [
            { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: version >= 5 ? 0 : -1, metadata: 'md-42', errorCode: 0 },
            { partitionIndex: 1, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] },
      ]);
    }
  });

  it('answers every committed offset for topics null (v2+)', async () => {
    await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('all', { t: { 0: 1, 1: 2 } }));
    const res = await b.client.request(ApiKey.OffsetFetch, 2, { groupId: 'all', topics: null, groups: [], requireStable: false });
    expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.committedOffset])])).toEqual([['t', [[0, 1n], [1, 2n]]]]);
  });

  it('batches groups from v8, each answered in request order', async () => {
    const res = await b.client.request(ApiKey.OffsetFetch, 9, {
      groupId: '',
      topics: [],
      requireStable: true,
      groups: [
        { groupId: 'all', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0] }] },
        { groupId: 'unknown-group', memberId: null, memberEpoch: -1, topics: null },
        { groupId: '', memberId: null, memberEpoch: -1, topics: null },
      ],
    });
    expect(res.groups.map((g) => [g.groupId, g.errorCode, g.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}@${p.committedOffset}`))])).toEqual([
      ['all', 0, ['t-0@1', 't-1@2']],
      ['g', 0, ['t-0@42']],
      ['unknown-group', 0, []],
      ['', ErrorCode.NONE, []],
    ]);
  });
});
