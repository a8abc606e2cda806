import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey } from '../../../src/protocol/index.js';
import { commitRequest, findGroupCoordinator } from '../group-requests.js';
import { useBrokerWithClient } from '../test-broker.js';

describe('OffsetDelete', () => {
  const b = useBrokerWithClient({ 'offsets.topic.num.partitions': '3' });

  it('answers GROUP_ID_NOT_FOUND for a group that does not exist', async () => {
    const res = await b.client.request(ApiKey.OffsetDelete, 0, { groupId: 'none', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
    expect(res).toEqual({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, throttleTimeMs: 0, topics: [] });
  });

  it("deletes an Empty group's committed offsets, answering unknown partitions UNKNOWN_TOPIC_OR_PARTITION", async () => {
    b.broker.services.topics.createTopic('t', { numPartitions: 2 });
    await findGroupCoordinator(b.client, 'g');
    await b.client.request(ApiKey.OffsetCommit, 8, commitRequest('g', { t: { 0: 3, 1: 4 } }));
    const res = await b.client.request(ApiKey.OffsetDelete, 0, {
      groupId: 'g',
      topics: [
        { name: 't', partitions: [{ partitionIndex: 0 }, { partitionIndex: 9 }] },
        { name: 'nope', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(res).toEqual({
      errorCode: 0,
      throttleTimeMs: 0,
      topics: [
        // Kafka 4.1.1's order: what KafkaApis refused first, then the coordinator's answers.
        { name: 't', partitions: [{ partitionIndex: 9, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }, { partitionIndex: 0, errorCode: 0 }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      ],
    });
    const fetched = await b.client.request(ApiKey.OffsetFetch, 7, { groupId: 'g', topics: null, groups: [], requireStable: false });
    expect(fetched.topics).toEqual([{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 4n, committedLeaderEpoch: 0, metadata: 'md-4', errorCode: 0 }] }]);
  });
});
