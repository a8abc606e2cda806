import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, defaultFindCoordinatorRequest, defaultMetadataRequest } from '../../../src/protocol/index.js';
import { useBrokerWithClient } from '../test-broker.js';

describe('FindCoordinator', () => {
  const b = useBrokerWithClient();

  it.each([0, 1, 2, 3])('names this node for a group at v%i', async (version) => {
    const res = await b.client.request(ApiKey.FindCoordinator, version, { ...defaultFindCoordinatorRequest(), key: 'group-a', keyType: 0 });
    expect(res).toMatchObject({ errorCode: ErrorCode.NONE, nodeId: 1, host: '127.0.0.1', port: b.port });
  });

  it('answers every batched key at v4+ (KIP-699), groups and transactional ids alike', async () => {
    for (const keyType of [0, 1]) {
      const res = await b.client.request(ApiKey.FindCoordinator, 6, { ...defaultFindCoordinatorRequest(), keyType, coordinatorKeys: ['a', 'b'] });
      expect(res.coordinators).toEqual([
        { key: 'a', nodeId: 1, host: '127.0.0.1', port: b.port, errorCode: 0, errorMessage: null },
        { key: 'b', nodeId: 1, host: '127.0.0.1', port: b.port, errorCode: 0, errorMessage: null },
      ]);
    }
  });

  it('answers INVALID_REQUEST for an unknown key type', async () => {
    const old = await b.client.request(ApiKey.FindCoordinator, 2, { ...defaultFindCoordinatorRequest(), key: 'x', keyType: 7 });
    expect(old.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    const batched = await b.client.request(ApiKey.FindCoordinator, 4, { ...defaultFindCoordinatorRequest(), keyType: 7, coordinatorKeys: ['x'] });
    expect(batched.coordinators[0]).toMatchObject({ key: 'x', errorCode: ErrorCode.INVALID_REQUEST });
  });
});

describe('FindCoordinator for groups and __consumer_offsets', () => {
  const b = useBrokerWithClient({ 'offsets.topic.num.partitions': '5', 'offsets.topic.segment.bytes': '1048576' });

  it('creates __consumer_offsets (internal, compacted) on the first group lookup, and Metadata lists it as internal', async () => {
    expect(b.broker.services.topics.get('__consumer_offsets')).toBeUndefined();
    await b.client.request(ApiKey.FindCoordinator, 1, { ...defaultFindCoordinatorRequest(), key: 'txn', keyType: 1 });
    expect(b.broker.services.topics.get('__consumer_offsets')).toBeUndefined(); // transactional ids do not need it
    const res = await b.client.request(ApiKey.FindCoordinator, 6, { ...defaultFindCoordinatorRequest(), keyType: 0, coordinatorKeys: ['g'] });
    expect(res.coordinators[0]).toMatchObject({ key: 'g', errorCode: ErrorCode.NONE, nodeId: 1 });
    const topic = b.broker.services.topics.get('__consumer_offsets')!;
    expect(topic).toMatchObject({ numPartitions: 5, internal: true });
    expect(topic.configs.get('cleanup.policy')).toBe('compact');
    expect(topic.configs.get('segment.bytes')).toBe('1048576');
    const md = await b.client.request(ApiKey.Metadata, 12, { ...defaultMetadataRequest(), topics: null });
    expect(md.topics.find((t) => t.name === '__consumer_offsets')).toMatchObject({ isInternal: true, errorCode: 0 });
    expect(md.topics.find((t) => t.name === '__consumer_offsets')!.partitions).toHaveLength(5);
  });
});
