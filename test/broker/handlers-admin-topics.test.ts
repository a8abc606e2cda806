// CreateTopics, DeleteTopics, CreatePartitions, DeleteRecords, DescribeLogDirs and
// DescribeCluster against a real in-process broker, over the wire, across their versions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  ApiKey,
  type CreateTopicsRequestCreatableTopic,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../src/protocol/index.js';
import { batchOf, produceRequest } from './requests.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { TestClient } from './test-client.js';

const ZERO_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

function topic(name: string, extra: Partial<CreateTopicsRequestCreatableTopic> = {}): CreateTopicsRequestCreatableTopic {
  return { ...defaultCreateTopicsRequestCreatableTopic(), name, numPartitions: -1, replicationFactor: -1, ...extra };
}

describe('admin topic handlers', () => {
  let b: TestBroker;
  let client: TestClient;
  beforeAll(async () => {
    b = await startTestBroker({ 'num.partitions': '2' });
    client = await TestClient.connect(b.port);
  });
  afterAll(async () => {
    client.close();
    await b.stop();
  });

  const create = (version: number, topics: CreateTopicsRequestCreatableTopic[], validateOnly = false) =>
    client.request(ApiKey.CreateTopics, version, { ...defaultCreateTopicsRequest(), topics, validateOnly });

  describe('CreateTopics', () => {
    it('v7 creates a topic with broker defaults and returns its id, partitions, RF and configs', async () => {
      const res = await create(7, [topic('ct-defaults', { configs: [{ name: 'retention.ms', value: '1000' }] })]);
      const t = res.topics[0];
      expect(t).toMatchObject({ name: 'ct-defaults', errorCode: ErrorCode.NONE, errorMessage: null, numPartitions: 2, replicationFactor: 1 });
      expect(t.topicId).not.toBe(ZERO_ID);
      expect(t.topicId).toBe(b.broker.services.topics.get('ct-defaults')!.topicId);
      expect(t.configs!.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '1000', configSource: 1 });
      expect(b.broker.services.logManager.logsOf('ct-defaults')).toHaveLength(2);
      expect(b.broker.services.logManager.getLog('ct-defaults', 0)!.config.retentionMs).toBe(1000);
    });

    it('v2 (non-flexible) creates with an explicit partition count', async () => {
      const res = await create(2, [topic('ct-v2', { numPartitions: 3, replicationFactor: 1 })]);
      expect(res.topics[0]).toMatchObject({ name: 'ct-v2', errorCode: ErrorCode.NONE });
      expect(b.broker.services.topics.get('ct-v2')!.numPartitions).toBe(3);
    });

    it('answers each bad topic with its own error and still creates the good one', async () => {
      await create(5, [topic('ct-exists')]);
      const res = await create(5, [
        topic('ct-exists'),
        topic('bad name!'),
        topic('ct-rf3', { numPartitions: 1, replicationFactor: 3 }),
        topic('ct-zero', { numPartitions: 0 }),
        topic('ct-badconf', { configs: [{ name: 'retention.hours', value: '1' }] }),
        topic('ct-badvalue', { configs: [{ name: 'segment.bytes', value: 'huge' }] }),
        topic('ct-badassign', { assignments: [{ partitionIndex: 0, brokerIds: [2] }] }),
        topic('ct-good'),
      ]);
      const byName = new Map(res.topics.map((t) => [t.name, t]));
      expect(byName.get('ct-exists')!.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
      expect(byName.get('bad name!')!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(byName.get('ct-rf3')!.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
      expect(byName.get('ct-rf3')!.errorMessage).toMatch(/replication factor of 3/);
      expect(byName.get('ct-zero')!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
      expect(byName.get('ct-badconf')!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect(byName.get('ct-badconf')!.errorMessage).toContain('retention.hours');
      expect(byName.get('ct-badvalue')!.errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect(byName.get('ct-badvalue')!.errorMessage).toContain('huge');
      expect(byName.get('ct-badassign')!.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(byName.get('ct-rf3')!.numPartitions).toBe(-1);
      expect(byName.get('ct-good')!.errorCode).toBe(ErrorCode.NONE);
      for (const name of ['bad name!', 'ct-rf3', 'ct-zero', 'ct-badconf', 'ct-badvalue', 'ct-badassign']) {
        expect(b.broker.services.topics.get(name), name).toBeUndefined();
      }
    });

    it('accepts a manual assignment naming this node', async () => {
      const res = await create(6, [
        topic('ct-assigned', {
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 1, brokerIds: [1] },
            { partitionIndex: 2, brokerIds: [1] },
          ],
        }),
      ]);
      expect(res.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 3 });
    });

    it('refuses a name listed twice and a name colliding on "." vs "_"', async () => {
      const dup = await create(7, [topic('ct-twice'), topic('ct-twice')]);
      expect(dup.topics).toHaveLength(1);
      expect(dup.topics[0]).toMatchObject({ name: 'ct-twice', errorCode: ErrorCode.INVALID_REQUEST });
      await create(7, [topic('ct.collide')]);
      const clash = await create(7, [topic('ct_collide')]);
      expect(clash.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(clash.topics[0].errorMessage).toContain('ct.collide');
    });

    it('validate_only checks everything, reports the would-be topic and creates nothing', async () => {
      const ok = await create(7, [topic('ct-validate', { numPartitions: 4 })], true);
      expect(ok.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 4, replicationFactor: 1 });
      expect(b.broker.services.topics.get('ct-validate')).toBeUndefined();
      expect(b.broker.services.logManager.logsOf('ct-validate')).toHaveLength(0);
      const bad = await create(7, [topic('ct-validate', { configs: [{ name: 'cleanup.policy', value: 'shred' }] })], true);
      expect(bad.topics[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    });
  });

  describe('DeleteTopics', () => {
    it('v1-5 delete by name; an unknown name is UNKNOWN_TOPIC_OR_PARTITION', async () => {
      await create(7, [topic('dt-a'), topic('dt-b')]);
      const res = await client.request(ApiKey.DeleteTopics, 4, { topics: [], topicNames: ['dt-a', 'dt-missing'], timeoutMs: 1000 });
      expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
        ['dt-a', ErrorCode.NONE],
        ['dt-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      expect(b.broker.services.topics.get('dt-a')).toBeUndefined();
      expect(b.broker.services.logManager.logsOf('dt-a')).toHaveLength(0);
      const v1 = await client.request(ApiKey.DeleteTopics, 1, { topics: [], topicNames: ['dt-b'], timeoutMs: 1000 });
      expect(v1.responses[0]).toMatchObject({ name: 'dt-b', errorCode: ErrorCode.NONE });
    });

    it('v6 deletes by topic id, answers UNKNOWN_TOPIC_ID for an unknown id, and lets the name be reused', async () => {
      const created = await create(7, [topic('dt-id')]);
      const id = created.topics[0].topicId;
      const res = await client.request(ApiKey.DeleteTopics, 6, {
        topics: [
          { name: null, topicId: id },
          { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
          { name: 'dt-id', topicId: id },
        ],
        topicNames: [],
        timeoutMs: 1000,
      });
      expect(res.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
        ['dt-id', id, ErrorCode.NONE],
        [null, 'AAAAAAAAAAAAAAAAAAAAAQ', ErrorCode.UNKNOWN_TOPIC_ID],
        ['dt-id', id, ErrorCode.INVALID_REQUEST],
      ]);
      const again = await create(7, [topic('dt-id')]);
      expect(again.topics[0].errorCode).toBe(ErrorCode.NONE);
      expect(again.topics[0].topicId).not.toBe(id);
    });
  });

  describe('CreatePartitions', () => {
    it('grows a topic, and refuses the same or a lower count', async () => {
      await create(7, [topic('cp', { numPartitions: 1 })]);
      const res = await client.request(ApiKey.CreatePartitions, 3, {
        topics: [
          { name: 'cp', count: 3, assignments: null },
          { name: 'cp-missing', count: 3, assignments: null },
        ],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(res.results.map((r) => [r.name, r.errorCode])).toEqual([
        ['cp', ErrorCode.NONE],
        ['cp-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      expect(b.broker.services.topics.get('cp')!.numPartitions).toBe(3);
      expect(b.broker.services.logManager.getLog('cp', 2)).toBeDefined();
      for (const count of [3, 2]) {
        const r = await client.request(ApiKey.CreatePartitions, 0, {
          topics: [{ name: 'cp', count, assignments: null }],
          timeoutMs: 1000,
          validateOnly: false,
        });
        expect(r.results[0].errorCode, `count ${count}`).toBe(ErrorCode.INVALID_PARTITIONS);
      }
    });

    it('validate_only changes nothing; assignments must cover the new partitions with this node', async () => {
      await create(7, [topic('cp-v', { numPartitions: 1 })]);
      const v = await client.request(ApiKey.CreatePartitions, 2, {
        topics: [{ name: 'cp-v', count: 5, assignments: null }],
        timeoutMs: 1000,
        validateOnly: true,
      });
      expect(v.results[0].errorCode).toBe(ErrorCode.NONE);
      expect(b.broker.services.topics.get('cp-v')!.numPartitions).toBe(1);
      const wrong = await client.request(ApiKey.CreatePartitions, 2, {
        topics: [{ name: 'cp-v', count: 3, assignments: [{ brokerIds: [1] }] }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(wrong.results[0].errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      const right = await client.request(ApiKey.CreatePartitions, 2, {
        topics: [{ name: 'cp-v', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] }],
        timeoutMs: 1000,
        validateOnly: false,
      });
      expect(right.results[0].errorCode).toBe(ErrorCode.NONE);
    });
  });

  describe('DeleteRecords', () => {
    it('moves the log start offset, -1 meaning the high watermark, and refuses offsets beyond it', async () => {
      await create(7, [topic('dr', { numPartitions: 1 })]);
      const produced = await client.request(ApiKey.Produce, 9, produceRequest('dr', 0, batchOf(5)));
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
      const call = (version: number, partitions: { partitionIndex: number; offset: bigint }[], name = 'dr') =>
        client.request(ApiKey.DeleteRecords, version, { topics: [{ name, partitions }], timeoutMs: 1000 });

      const first = await call(0, [{ partitionIndex: 0, offset: 2n }]);
      expect(first.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 2n });
      expect(b.broker.services.logManager.getLog('dr', 0)!.logStartOffset).toBe(2);

      const beyond = await call(2, [{ partitionIndex: 0, offset: 6n }, { partitionIndex: 7, offset: 1n }]);
      expect(beyond.topics[0].partitions.map((p) => [p.errorCode, p.lowWatermark])).toEqual([
        [ErrorCode.OFFSET_OUT_OF_RANGE, -1n],
        [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n],
      ]);

      const all = await call(1, [{ partitionIndex: 0, offset: -1n }]);
      expect(all.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 5n });
      const missing = await call(2, [{ partitionIndex: 0, offset: 0n }], 'dr-missing');
      expect(missing.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('deletes a partition named twice once, at the offset named last, and answers each topic once (as Kafka does)', async () => {
      await create(7, [topic('dr-dup', { numPartitions: 2 })]);
      for (const p of [0, 1]) await client.request(ApiKey.Produce, 9, produceRequest('dr-dup', p, batchOf(10)));
      const res = await client.request(ApiKey.DeleteRecords, 2, {
        timeoutMs: 1000,
        topics: [
          { name: 'dr-dup', partitions: [{ partitionIndex: 1, offset: 8n }, { partitionIndex: 0, offset: 2n }] },
          { name: 'dr-missing', partitions: [{ partitionIndex: 0, offset: 1n }] },
          { name: 'dr-dup', partitions: [{ partitionIndex: 1, offset: 4n }] },
        ],
      });
      expect(res.topics.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.lowWatermark])])).toEqual([
        ['dr-dup', [[1, ErrorCode.NONE, 4n], [0, ErrorCode.NONE, 2n]]],
        ['dr-missing', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]]],
      ]);
      expect(b.broker.services.logManager.getLog('dr-dup', 1)!.logStartOffset).toBe(4);
    });
  });

  describe('DescribeLogDirs', () => {
    it('lists the log dir with partition sizes, and v4 disk totals', async () => {
      await create(7, [topic('ld', { numPartitions: 2 })]);
      await client.request(ApiKey.Produce, 9, produceRequest('ld', 1, batchOf(3)));
      const v4 = await client.request(ApiKey.DescribeLogDirs, 4, { topics: [{ topic: 'ld', partitions: [0, 1, 9] }] });
      expect(v4.errorCode).toBe(ErrorCode.NONE);
      expect(v4.results).toHaveLength(1);
      const dir = v4.results[0];
      expect(dir.logDir).toBe(b.broker.services.config.logDirs[0]);
      expect(dir.errorCode).toBe(ErrorCode.NONE);
      expect(dir.totalBytes > 0n && dir.usableBytes > 0n && dir.usableBytes <= dir.totalBytes).toBe(true);
      expect(dir.topics).toHaveLength(1);
      const parts = new Map(dir.topics[0].partitions.map((p) => [p.partitionIndex, p]));
      expect([...parts.keys()].sort()).toEqual([0, 1]);
      expect(parts.get(0)!.partitionSize).toBe(0n);
      expect(parts.get(1)!.partitionSize).toBe(BigInt(b.broker.services.logManager.getLog('ld', 1)!.size));
      expect(parts.get(1)!.partitionSize > 0n).toBe(true);
      expect(parts.get(1)!).toMatchObject({ offsetLag: 0n, isFutureKey: false });

      const v1 = await client.request(ApiKey.DescribeLogDirs, 1, { topics: null });
      const names = v1.results[0].topics.map((t) => t.name);
      expect(names).toContain('ld');
      expect(names).toContain('dr');
    });
  });

  describe('DescribeCluster', () => {
    it('reports this node at its advertised address as the only broker and controller', async () => {
      for (const version of [0, 1]) {
        const res = await client.request(ApiKey.DescribeCluster, version, { includeClusterAuthorizedOperations: false, endpointType: 1 });
        expect(res).toMatchObject({
          errorCode: ErrorCode.NONE,
          clusterId: b.broker.services.clusterId,
          controllerId: 1,
          brokers: [{ brokerId: 1, host: '127.0.0.1', port: b.port, rack: null }],
        });
      }
    });

    it('v1 refuses the controller endpoint type', async () => {
      const res = await client.request(ApiKey.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 });
      expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
    });
  });
});
