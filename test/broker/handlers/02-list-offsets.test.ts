import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultListOffsetsRequest, type ListOffsetsRequest } from '../../../src/protocol/index.js';
import { encodeRecordBatch } from '../../../src/protocol/records.js';
import { produceRequest } from '../requests.js';
import { useBrokerWithClient } from '../test-broker.js';

function listOffsets(topic: string, partition: number, timestamp: number, isolationLevel = 0): ListOffsetsRequest {
  return {
    ...defaultListOffsetsRequest(),
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 }] }],
  };
}

/** Batches with these record timestamps: offsets 0-2 at 1000,3000,2000 and 3-4 at 5000,4000. */
const batches = [
  [1000, 3000, 2000],
  [5000, 4000],
].map((stamps) =>
  encodeRecordBatch({
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records: stamps.map((timestamp) => ({ key: null, value: Buffer.from(String(timestamp)), headers: [], timestamp })),
  }),
);

describe('ListOffsets', () => {
  const b = useBrokerWithClient();
  const offsetAt = async (timestamp: number, version = 9, topic = 'offsets') =>
    (await b.client.request(ApiKey.ListOffsets, version, listOffsets(topic, 0, timestamp))).topics[0].partitions[0];

  beforeAll(async () => {
    b.broker.services.topics.createTopic('offsets', { numPartitions: 1 });
    b.broker.services.topics.createTopic('empty', { numPartitions: 1 });
    for (const batch of batches) await b.client.request(ApiKey.Produce, 9, produceRequest('offsets', 0, batch));
  });

  it('answers 0 for earliest and latest of an empty partition', async () => {
    expect(await offsetAt(-2, 9, 'empty')).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await offsetAt(-1, 9, 'empty')).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
  });

  it('answers the log end for latest and the log start for earliest (v1 and v9)', async () => {
    for (const version of [1, 9]) {
      expect(await offsetAt(-1, version)).toMatchObject({ errorCode: 0, offset: 5n });
      expect(await offsetAt(-2, version)).toMatchObject({ errorCode: 0, offset: 0n });
    }
    expect(await offsetAt(-4)).toMatchObject({ errorCode: 0, offset: 0n }); // earliest local
    expect(await offsetAt(-5)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n }); // no tiered storage
  });

  it('answers the offset of the largest timestamp for -3 (v7+)', async () => {
    expect(await offsetAt(-3)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: 5000n });
  });

  it('answers UNSUPPORTED_VERSION for a special timestamp older than its version, or an unknown one (as Kafka does)', async () => {
    const unsupported = { errorCode: ErrorCode.UNSUPPORTED_VERSION, offset: -1n, timestamp: -1n };
    for (const [timestamp, firstVersion] of [[-3, 7], [-4, 8], [-5, 9]]) {
      expect(await offsetAt(timestamp, 1)).toMatchObject(unsupported);
      expect(await offsetAt(timestamp, firstVersion - 1)).toMatchObject(unsupported);
      expect(await offsetAt(timestamp, firstVersion)).toMatchObject({ errorCode: 0 });
    }
    expect(await offsetAt(-6)).toMatchObject(unsupported);
    expect(await offsetAt(-100)).toMatchObject(unsupported);
  });

  it('answers the first offset with a timestamp at or after the target', async () => {
    expect(await offsetAt(2500)).toMatchObject({ errorCode: 0, offset: 1n, timestamp: 3000n });
    expect(await offsetAt(4500)).toMatchObject({ errorCode: 0, offset: 3n, timestamp: 5000n });
    expect(await offsetAt(0)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: 1000n });
    expect(await offsetAt(9999)).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for partitions that do not exist', async () => {
    const res = await b.client.request(ApiKey.ListOffsets, 9, listOffsets('offsets', 3, -1));
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers a partition named twice once, with INVALID_REQUEST, and the others normally (as Kafka does)', async () => {
    const partition = (partitionIndex: number, timestamp: number) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: BigInt(timestamp), maxNumOffsets: 1 });
    const res = await b.client.request(ApiKey.ListOffsets, 9, {
      ...defaultListOffsetsRequest(),
      replicaId: -1,
      topics: [
        { name: 'offsets', partitions: [partition(0, -1), partition(0, -2)] },
        { name: 'empty', partitions: [partition(0, -1)] },
        { name: 'empty', partitions: [partition(0, -2)] },
        { name: 'empty', partitions: [partition(1, -1)] },
      ],
    });
    expect(res.topics).toEqual([
      { name: 'offsets', partitions: [expect.objectContaining({ partitionIndex: 0, errorCode: ErrorCode.INVALID_REQUEST, offset: -1n, timestamp: -1n })] },
      {
        name: 'empty',
        partitions: [
          expect.objectContaining({ partitionIndex: 0, errorCode: ErrorCode.INVALID_REQUEST, offset: -1n }),
          expect.objectContaining({ partitionIndex: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }),
        ],
      },
    ]);
    const single = await b.client.request(ApiKey.ListOffsets, 9, listOffsets('offsets', 0, -1));
    expect(single.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, offset: 5n });
  });

  it('answers UNSUPPORTED_VERSION per partition at v0', async () => {
    const res = await b.client.request(ApiKey.ListOffsets, 0, listOffsets('offsets', 0, -1));
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it('checks the current leader epoch (KIP-320)', async () => {
    const epoch = b.broker.services.logManager.getLog('offsets', 0)!.leaderEpoch;
    const req = listOffsets('offsets', 0, -1);
    req.topics[0].partitions[0].currentLeaderEpoch = epoch + 1;
    const res = await b.client.request(ApiKey.ListOffsets, 9, req);
    expect(res.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});
