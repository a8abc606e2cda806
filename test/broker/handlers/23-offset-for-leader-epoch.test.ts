import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, type OffsetForLeaderEpochRequest } from '../../../src/protocol/index.js';
import { batchOf, produceRequest } from '../requests.js';
import { useBrokerWithClient } from '../test-broker.js';

function request(topic: string, partition: number, leaderEpoch: number, currentLeaderEpoch = -1): OffsetForLeaderEpochRequest {
  return { replicaId: -1, topics: [{ topic, partitions: [{ partition, currentLeaderEpoch, leaderEpoch }] }] };
}

describe('OffsetForLeaderEpoch', () => {
  const b = useBrokerWithClient();
  let epoch: number;
  beforeAll(async () => {
    b.broker.services.topics.createTopic('epochs', { numPartitions: 1 });
    await b.client.request(ApiKey.Produce, 9, produceRequest('epochs', 0, batchOf(4)));
    epoch = b.broker.services.logManager.getLog('epochs', 0)!.leaderEpoch;
  });

  it.each([2, 3, 4])('answers the log end offset for the current epoch (v%i)', async (version) => {
    const res = await b.client.request(ApiKey.OffsetForLeaderEpoch, version, request('epochs', 0, epoch, epoch));
    expect(res.topics[0].partitions[0]).toEqual({ errorCode: 0, partition: 0, leaderEpoch: epoch, endOffset: 4n });
  });

  it('answers UNKNOWN_LEADER_EPOCH to a client whose current leader epoch is newer than the leader’s', async () => {
    const res = await b.client.request(ApiKey.OffsetForLeaderEpoch, 4, request('epochs', 0, epoch, epoch + 1));
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a missing partition only', async () => {
    const res = await b.client.request(ApiKey.OffsetForLeaderEpoch, 4, {
      replicaId: -1,
      topics: [{ topic: 'epochs', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch }, { partition: 9, currentLeaderEpoch: -1, leaderEpoch: epoch }] }],
    });
    expect(res.topics[0].partitions.map((p) => p.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  });

  it('answers UNSUPPORTED_VERSION per partition below v2', async () => {
    const res = await b.client.request(ApiKey.OffsetForLeaderEpoch, 1, request('epochs', 0, epoch));
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });
});
