import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultMetadataRequest, defaultMetadataRequestTopic, type MetadataRequest } from '../../../src/protocol/index.js';
import { useBrokerWithClient, withBrokerAndClient } from '../test-broker.js';

const ZERO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

function byName(names: string[] | null, allowAutoTopicCreation = true): MetadataRequest {
  return {
    ...defaultMetadataRequest(),
    allowAutoTopicCreation,
    topics: names === null ? null : names.map((name) => ({ ...defaultMetadataRequestTopic(), name })),
  };
}

describe('Metadata', () => {
  const b = useBrokerWithClient({ 'num.partitions': '3', 'auto.create.topics.enable': 'true' });

  it('describes this node as the only broker and the controller', async () => {
    const res = await b.client.request(ApiKey.Metadata, 12, byName([]));
    expect(res.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: b.port, rack: null }]);
    expect(res.controllerId).toBe(1);
    expect(res.clusterId).toBe(b.broker.services.clusterId);
    expect(res.topics).toEqual([]);
  });

  it('auto-creates a requested topic with num.partitions and answers it ready', async () => {
    const res = await b.client.request(ApiKey.Metadata, 12, byName(['auto-created']));
    const [topic] = res.topics;
    expect(topic.errorCode).toBe(ErrorCode.NONE);
    expect(topic.name).toBe('auto-created');
    expect(topic.topicId).not.toBe(ZERO_ID);
    expect(topic.topicId).toBe(b.broker.services.topics.get('auto-created')!.topicId);
    expect(topic.partitions.map((p) => p.partitionIndex)).toEqual([0, 1, 2]);
    for (const p of topic.partitions) {
      expect(p).toMatchObject({ errorCode: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] });
      expect(p.leaderEpoch).toBeGreaterThanOrEqual(0);
    }
    expect(b.broker.services.logManager.getLog('auto-created', 2)).toBeDefined();
  });

  it('does not create a topic when the request disallows it (v4+)', async () => {
    const res = await b.client.request(ApiKey.Metadata, 9, byName(['not-wanted'], false));
    expect(res.topics[0]).toMatchObject({ name: 'not-wanted', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] });
    expect(b.broker.services.topics.get('not-wanted')).toBeUndefined();
  });

  it('always allows auto-creation before v4', async () => {
    const res = await b.client.request(ApiKey.Metadata, 3, byName(['created-by-v3'], false));
    expect(res.topics[0]).toMatchObject({ name: 'created-by-v3', errorCode: ErrorCode.NONE });
    expect(res.topics[0].partitions).toHaveLength(3);
  });

  it('never auto-creates internal topics', async () => {
    const res = await b.client.request(ApiKey.Metadata, 12, byName(['__consumer_offsets']));
    expect(res.topics[0]).toMatchObject({ name: '__consumer_offsets', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(b.broker.services.topics.get('__consumer_offsets')).toBeUndefined();
  });

  it('answers INVALID_TOPIC_EXCEPTION for an illegal name', async () => {
    const res = await b.client.request(ApiKey.Metadata, 12, byName(['no spaces!']));
    expect(res.topics[0]).toMatchObject({ name: 'no spaces!', errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
  });

  it('lists every topic for null topics (v1+) and for an empty array at v0 only', async () => {
    await b.broker.services.topics.createTopic('listed', { numPartitions: 1 });
    const all = await b.client.request(ApiKey.Metadata, 1, byName(null));
    expect(all.topics.map((t) => t.name)).toContain('listed');
    const v0 = await b.client.request(ApiKey.Metadata, 0, byName([]));
    expect(v0.topics.map((t) => t.name).sort()).toEqual(all.topics.map((t) => t.name).sort());
    const none = await b.client.request(ApiKey.Metadata, 1, byName([]));
    expect(none.topics).toEqual([]);
  });

  it('finds topics by id at v12 and answers UNKNOWN_TOPIC_ID for an unknown id', async () => {
    const created = await b.broker.services.topics.createTopic('by-id', { numPartitions: 2 });
    const unknownId = 'AAAAAAAAAAAAAAAAAAAAAQ';
    const res = await b.client.request(ApiKey.Metadata, 12, {
      ...defaultMetadataRequest(),
      topics: [
        { topicId: created.topicId, name: null },
        { topicId: unknownId, name: null },
      ],
    });
    expect(res.topics[0]).toMatchObject({ name: 'by-id', topicId: created.topicId, errorCode: 0 });
    expect(res.topics[0].partitions).toHaveLength(2);
    expect(res.topics[1]).toMatchObject({ name: null, topicId: unknownId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
  });
});

describe('Metadata with auto.create.topics.enable=false', () => {
  it('answers UNKNOWN_TOPIC_OR_PARTITION and creates nothing', async () => {
    await withBrokerAndClient({ 'auto.create.topics.enable': 'false' }, async (b, client) => {
      const res = await client.request(ApiKey.Metadata, 12, byName(['missing']));
      expect(res.topics[0]).toMatchObject({ name: 'missing', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      expect(b.broker.services.topics.get('missing')).toBeUndefined();
    });
  });
});

describe('Metadata with broker.rack', () => {
  it('reports the rack, the same one DescribeCluster reports', async () => {
    await withBrokerAndClient({ 'broker.rack': 'rack-a' }, async (b, client) => {
      const metadata = await client.request(ApiKey.Metadata, 12, byName([]));
      expect(metadata.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: b.port, rack: 'rack-a' }]);
      const cluster = await client.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
      expect(cluster.brokers.map((x) => x.rack)).toEqual(['rack-a']);
    });
  });
});
