import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/index.js';
import { commitRequest, findGroupCoordinator } from '../group-requests.js';
import { useBrokerWithClient } from '../test-broker.js';

const codes = (res: { topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }) =>
  res.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionIndex}:${p.errorCode}`));

describe('OffsetCommit', () => {
  const b = useBrokerWithClient({ 'offsets.topic.num.partitions': '3', 'offset.metadata.max.bytes': '16' });

  it('answers COORDINATOR_NOT_AVAILABLE until FindCoordinator has created __consumer_offsets', async () => {
    b.broker.services.topics.createTopic('t', { numPartitions: 2 });
    const before = await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('g0', { t: { 0: 1 } }));
    expect(codes(before)).toEqual([`t-0:${ErrorCode.COORDINATOR_NOT_AVAILABLE}`]);
    await findGroupCoordinator(b.client, 'g0');
    const after = await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('g0', { t: { 0: 1 } }));
    expect(codes(after)).toEqual([`t-0:${ErrorCode.NONE}`]);
  });

  it.each([2, 3, 4, 5, 6, 7, 8, 9])('commits standalone offsets (generation -1) at v%i', async (version) => {
    const res = await b.client.request(ApiKey.OffsetCommit, version, commitRequest(`standalone-v${version}`, { t: { 0: 5, 1: 6 } }));
    expect(res.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }]);
    const fetched = await b.client.request(ApiKey.OffsetFetch, 7, { groupId: `standalone-v${version}`, topics: null, groups: [], requireStable: false });
    expect(fetched.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([
      [0, 5n, 'md-5'],
      [1, 6n, 'md-6'],
    ]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions first, as Kafka 4.1.1 does, committing the rest', async () => {
    const res = await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('g1', { t: { 0: 1, 7: 1 }, nope: { 0: 1 } }));
    expect(codes(res)).toEqual([`t-7:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `t-0:${ErrorCode.NONE}`, `nope-0:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`]);
  });

  it('keeps UNKNOWN_TOPIC_OR_PARTITION for unknown partitions when the group refuses the commit', async () => {
    const req = commitRequest('no-such-group', { t: { 0: 1, 7: 1 } });
    req.generationIdOrMemberEpoch = 3;
    req.memberId = 'm';
    expect(codes(await b.client.request(ApiKey.OffsetCommit, 8, req))).toEqual([`t-7:${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`, `t-0:${ErrorCode.ILLEGAL_GENERATION}`]);
  });

  it('answers a commit with a generation to a group that does not exist ILLEGAL_GENERATION, GROUP_ID_NOT_FOUND from v9', async () => {
    const req = commitRequest('no-such-group', { t: { 0: 1 } }, { generationIdOrMemberEpoch: 1, memberId: 'm' });
    expect(codes(await b.client.request(ApiKey.OffsetCommit, 8, req))).toEqual([`t-0:${ErrorCode.ILLEGAL_GENERATION}`]);
    expect(codes(await b.client.request(ApiKey.OffsetCommit, 9, req))).toEqual([`t-0:${ErrorCode.GROUP_ID_NOT_FOUND}`]);
  });

  it('answers OFFSET_METADATA_TOO_LARGE for metadata over offset.metadata.max.bytes', async () => {
    const req = commitRequest('g2', { t: { 0: 1, 1: 2 } });
    req.topics[0].partitions[0].committedMetadata = 'x'.repeat(17);
    expect(codes(await b.client.request(ApiKey.OffsetCommit, 8, req))).toEqual([`t-0:${ErrorCode.OFFSET_METADATA_TOO_LARGE}`, `t-1:${ErrorCode.NONE}`]);
  });

  it('commits for the empty group id, as Kafka does for backwards compatibility', async () => {
    expect(codes(await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('', { t: { 0: 7 } })))).toEqual([`t-0:${ErrorCode.NONE}`]);
    const fetched = await b.client.request(ApiKey.OffsetFetch, 5, { groupId: '', topics: [{ name: 't', partitionIndexes: [0] }], groups: [], requireStable: false });
    expect(fetched.errorCode).toBe(ErrorCode.NONE);
    expect(fetched.topics[0].partitions[0].committedOffset).toBe(7n);
  });
});
