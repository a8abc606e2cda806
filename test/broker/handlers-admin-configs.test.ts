// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs against a real in-process broker,
// over the wire: values, sources and synonyms as Kafka reports them, changes persisted and
// applied to live logs.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import {
  ApiKey,
  type DescribeConfigsResponseDescribeConfigsResult,
  defaultCreateTopicsRequest,
  defaultCreateTopicsRequestCreatableTopic,
} from '../../src/protocol/index.js';
import { startTestBroker, type TestBroker } from './test-broker.js';
import { TestClient } from './test-client.js';

const TOPIC = 2;
const BROKER = 4;
const BROKER_LOGGER = 8;
const Source = { TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, DYNAMIC_DEFAULT_BROKER_CONFIG: 3, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 };
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

const entry = (r: DescribeConfigsResponseDescribeConfigsResult, name: string) => {
  const e = r.configs.find((c) => c.name === name);
  if (!e) throw new Error(`${name} not described`);
  return e;
};

describe('admin config handlers', () => {
  let b: TestBroker;
  let client: TestClient;
  let dir: string;

  async function createTopic(name: string, configs: Record<string, string> = {}) {
    const res = await client.request(ApiKey.CreateTopics, 7, {
      ...defaultCreateTopicsRequest(),
      topics: [
        {
          ...defaultCreateTopicsRequestCreatableTopic(),
          name,
          numPartitions: 1,
          replicationFactor: 1,
          configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })),
        },
      ],
    });
    expect(res.topics[0].errorCode).toBe(ErrorCode.NONE);
  }

  const describeConfigs = (
    version: number,
    resources: { resourceType: number; resourceName: string; configurationKeys: string[] | null }[],
    includeSynonyms = false,
  ) => client.request(ApiKey.DescribeConfigs, version, { resources, includeSynonyms, includeDocumentation: false });

  const incremental = (
    version: number,
    resourceType: number,
    resourceName: string,
    configs: { name: string; configOperation: number; value: string | null }[],
    validateOnly = false,
  ) => client.request(ApiKey.IncrementalAlterConfigs, version, { resources: [{ resourceType, resourceName, configs }], validateOnly });

  beforeAll(async () => {
    b = await startTestBroker({ 'log.retention.hours': '24' });
    dir = b.dir;
    client = await TestClient.connect(b.port);
  });
  afterAll(async () => {
    client.close();
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('DescribeConfigs', () => {
    it('v4 lists every topic config with effective values, sources, types and synonyms', async () => {
      await createTopic('dc', { 'segment.bytes': '1048576' });
      const res = await describeConfigs(4, [{ resourceType: TOPIC, resourceName: 'dc', configurationKeys: null }], true);
      const r = res.results[0];
      expect(r).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: 'dc' });
      expect(r.configs.length).toBeGreaterThan(25);
      expect(entry(r, 'segment.bytes')).toMatchObject({
        value: '1048576',
        configSource: Source.TOPIC_CONFIG,
        readOnly: false,
        isSensitive: false,
        configType: 3,
        documentation: null,
      });
      expect(entry(r, 'segment.bytes').synonyms[0]).toEqual({ name: 'segment.bytes', value: '1048576', source: Source.TOPIC_CONFIG });
      // Kafka lists retention.ms's synonyms from log.retention.ms on: only hours set means none.
      expect(entry(r, 'retention.ms')).toMatchObject({ value: '86400000', configSource: Source.DEFAULT_CONFIG, configType: 5 });
      expect(entry(r, 'retention.ms').synonyms).toEqual([]);
      expect(entry(r, 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: Source.DEFAULT_CONFIG, configType: 7 });
    });

    it('v1 returns only the asked keys, without synonyms unless asked', async () => {
      const res = await describeConfigs(1, [{ resourceType: TOPIC, resourceName: 'dc', configurationKeys: ['retention.ms', 'nope'] }]);
      expect(res.results[0].configs.map((c) => [c.name, c.value, c.synonyms.length])).toEqual([['retention.ms', '86400000', 0]]);
    });

    it('describes this broker with every known key, read-only flags and static sources', async () => {
      const res = await describeConfigs(3, [{ resourceType: BROKER, resourceName: '1', configurationKeys: null }], true);
      const r = res.results[0];
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(entry(r, 'log.retention.hours')).toMatchObject({ value: '24', configSource: Source.STATIC_BROKER_CONFIG, readOnly: true });
      expect(entry(r, 'log.retention.ms')).toMatchObject({ value: null, configSource: Source.DEFAULT_CONFIG, readOnly: false, synonyms: [] });
      expect(entry(r, 'broker.id')).toMatchObject({ value: '1', configSource: Source.STATIC_BROKER_CONFIG, readOnly: true });
      expect(entry(r, 'log.dir')).toMatchObject({ value: '/tmp/kafka-logs', configSource: Source.DEFAULT_CONFIG });
      expect(entry(r, 'num.partitions')).toMatchObject({ value: '1', configSource: Source.DEFAULT_CONFIG, readOnly: true });
      expect(entry(r, 'log.dirs')).toMatchObject({ value: dir, configSource: Source.STATIC_BROKER_CONFIG, readOnly: true });
      expect(entry(r, 'node.id').value).toBe('1');
    });

    it('answers per resource: unknown topic, bad name, other broker, broker logger', async () => {
      const res = await describeConfigs(4, [
        { resourceType: TOPIC, resourceName: 'dc-missing', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'bad/name', configurationKeys: null },
        { resourceType: BROKER, resourceName: '2', configurationKeys: null },
        { resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null },
        { resourceType: TOPIC, resourceName: 'dc', configurationKeys: ['segment.bytes'] },
      ]);
      expect(res.results.map((r) => r.errorCode)).toEqual([
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.NONE,
        ErrorCode.NONE,
      ]);
      expect(res.results[3].configs).toEqual([]);
      expect(res.results[4].configs).toHaveLength(1);
    });
  });

  describe('IncrementalAlterConfigs', () => {
    it('SET / DELETE on a topic persist, show as TOPIC_CONFIG and reach the live log', async () => {
      await createTopic('iac');
      const log = b.broker.services.logManager.getLog('iac', 0)!;
      expect(log.config.retentionMs).toBe(86_400_000);
      const res = await incremental(1, TOPIC, 'iac', [
        { name: 'retention.ms', configOperation: SET, value: '5000' },
        { name: 'segment.bytes', configOperation: SET, value: '2097152' },
      ]);
      expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, resourceName: 'iac' });
      expect(log.config.retentionMs).toBe(5000);
      expect(log.config.segmentBytes).toBe(2097152);
      const described = await describeConfigs(4, [{ resourceType: TOPIC, resourceName: 'iac', configurationKeys: ['retention.ms'] }]);
      expect(described.results[0].configs[0]).toMatchObject({ value: '5000', configSource: Source.TOPIC_CONFIG });

      await incremental(0, TOPIC, 'iac', [{ name: 'retention.ms', configOperation: DELETE, value: null }]);
      expect(log.config.retentionMs).toBe(86_400_000);
      expect(log.config.segmentBytes).toBe(2097152);
    });

    it('APPEND / SUBTRACT work on list configs only', async () => {
      const appended = await incremental(1, TOPIC, 'iac', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }]);
      expect(appended.responses[0].errorCode).toBe(ErrorCode.NONE);
      expect(b.broker.services.topics.get('iac')!.configs.get('cleanup.policy')).toBe('delete,compact');
      await incremental(1, TOPIC, 'iac', [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'compact' }]);
      expect(b.broker.services.topics.get('iac')!.configs.get('cleanup.policy')).toBe('delete');
      const notList = await incremental(1, TOPIC, 'iac', [{ name: 'retention.ms', configOperation: APPEND, value: '1' }]);
      expect(notList.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    });

    it('refuses unknown topic keys and bad values with INVALID_CONFIG and changes nothing', async () => {
      const before = new Map(b.broker.services.topics.get('iac')!.configs);
      const res = await incremental(1, TOPIC, 'iac', [
        { name: 'retention.ms', configOperation: SET, value: '7' },
        { name: 'segment.bytes', configOperation: SET, value: 'lots' },
      ]);
      expect(res.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
      expect(res.responses[0].errorMessage).toContain('segment.bytes');
      expect(b.broker.services.topics.get('iac')!.configs).toEqual(before);
      const unknownTopic = await incremental(1, TOPIC, 'iac-missing', [{ name: 'retention.ms', configOperation: SET, value: '1' }]);
      expect(unknownTopic.responses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    });

    it('validate_only checks and changes nothing', async () => {
      const res = await incremental(1, TOPIC, 'iac', [{ name: 'retention.ms', configOperation: SET, value: '1' }], true);
      expect(res.responses[0].errorCode).toBe(ErrorCode.NONE);
      expect(b.broker.services.topics.get('iac')!.configs.has('retention.ms')).toBe(false);
    });

    it('dynamic broker defaults reach every topic without an override; read-only keys are refused', async () => {
      await createTopic('iac-plain');
      await createTopic('iac-override', { 'segment.ms': '1000' });
      const res = await incremental(1, BROKER, '', [
        { name: 'log.roll.ms', configOperation: SET, value: '600000' },
        { name: 'log.retention.ms', configOperation: SET, value: '120000' },
      ]);
      expect(res.responses[0].errorCode).toBe(ErrorCode.NONE);
      const plain = b.broker.services.logManager.getLog('iac-plain', 0)!;
      const override = b.broker.services.logManager.getLog('iac-override', 0)!;
      expect(plain.config.segmentMs).toBe(600000);
      expect(plain.config.retentionMs).toBe(120000);
      expect(override.config.segmentMs).toBe(1000);
      expect(override.config.retentionMs).toBe(120000);

      const perBroker = await incremental(1, BROKER, '1', [{ name: 'log.retention.ms', configOperation: SET, value: '60000' }]);
      expect(perBroker.responses[0].errorCode).toBe(ErrorCode.NONE);
      expect(plain.config.retentionMs).toBe(60000);
      const described = await describeConfigs(4, [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.ms'] }], true);
      expect(described.results[0].configs[0]).toMatchObject({ value: '60000', configSource: Source.DYNAMIC_BROKER_CONFIG });
      expect(described.results[0].configs[0].synonyms.map((s) => s.source).slice(0, 2)).toEqual([
        Source.DYNAMIC_BROKER_CONFIG,
        Source.DYNAMIC_DEFAULT_BROKER_CONFIG,
      ]);
      const defaults = await describeConfigs(4, [{ resourceType: BROKER, resourceName: '', configurationKeys: null }]);
      expect(defaults.results[0].configs.map((c) => c.name).sort()).toEqual(['log.retention.ms', 'log.roll.ms', 'min.insync.replicas']);

      const readOnly = await incremental(1, BROKER, '1', [{ name: 'num.partitions', configOperation: SET, value: '3' }]);
      expect(readOnly.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(readOnly.responses[0].errorMessage).toContain('num.partitions');
      const otherBroker = await incremental(1, BROKER, '5', [{ name: 'log.retention.ms', configOperation: SET, value: '1' }]);
      expect(otherBroker.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);

      await incremental(1, BROKER, '1', [{ name: 'log.retention.ms', configOperation: DELETE, value: null }]);
      await incremental(1, BROKER, '', [
        { name: 'log.retention.ms', configOperation: DELETE, value: null },
        { name: 'log.roll.ms', configOperation: DELETE, value: null },
      ]);
      expect(plain.config.retentionMs).toBe(86_400_000);
      expect(plain.config.segmentMs).toBe(7 * 24 * 3600 * 1000);
    });
  });

  describe('custom and protected broker configs', () => {
    it('keeps an unknown broker config as a custom dynamic config, as Kafka 4.1 does', async () => {
      const res = await incremental(1, BROKER, '1', [{ name: 'unknown.cfg', configOperation: SET, value: '5' }]);
      expect(res.responses[0].errorCode).toBe(ErrorCode.NONE);
      const described = await describeConfigs(4, [{ resourceType: BROKER, resourceName: '1', configurationKeys: ['unknown.cfg'] }], true);
      expect(described.results[0].configs).toEqual([
        expect.objectContaining({
          name: 'unknown.cfg',
          value: null,
          readOnly: true,
          configSource: Source.DYNAMIC_BROKER_CONFIG,
          isSensitive: true,
          synonyms: [{ name: 'unknown.cfg', value: null, source: Source.DYNAMIC_BROKER_CONFIG }],
        }),
      ]);
      const removed = await incremental(1, BROKER, '1', [{ name: 'unknown.cfg', configOperation: DELETE, value: null }]);
      expect(removed.responses[0].errorCode).toBe(ErrorCode.NONE);
      expect(b.broker.services.configs.brokerOverrides('1').has('unknown.cfg')).toBe(false);
    });

    it('refuses removing the cluster-level min.insync.replicas with INVALID_CONFIG', async () => {
      const res = await incremental(1, BROKER, '', [{ name: 'min.insync.replicas', configOperation: DELETE, value: null }]);
      expect(res.responses[0]).toMatchObject({
        errorCode: ErrorCode.INVALID_CONFIG,
        errorMessage: 'Cluster-level min.insync.replicas cannot be removed while ELR is enabled.',
      });
      expect(b.broker.services.configs.brokerOverrides('').get('min.insync.replicas')).toBe('1');
    });
  });

  describe('AlterConfigs', () => {
    it('replaces all overrides of a topic; absent keys revert to defaults', async () => {
      await createTopic('ac', { 'retention.ms': '1000', 'segment.ms': '2000' });
      const res = await client.request(ApiKey.AlterConfigs, 2, {
        resources: [{ resourceType: TOPIC, resourceName: 'ac', configs: [{ name: 'segment.ms', value: '3000' }] }],
        validateOnly: false,
      });
      expect(res.responses[0]).toMatchObject({ errorCode: ErrorCode.NONE, resourceName: 'ac' });
      expect([...b.broker.services.topics.get('ac')!.configs]).toEqual([['segment.ms', '3000']]);
      const log = b.broker.services.logManager.getLog('ac', 0)!;
      expect(log.config.segmentMs).toBe(3000);
      expect(log.config.retentionMs).toBe(86_400_000);
    });

    it('v0 answers per resource, and a resource named twice is INVALID_REQUEST', async () => {
      const res = await client.request(ApiKey.AlterConfigs, 0, {
        resources: [
          { resourceType: TOPIC, resourceName: 'ac', configs: [{ name: 'bogus', value: '1' }] },
          { resourceType: BROKER, resourceName: '1', configs: [{ name: 'log.segment.bytes', value: '2097152' }] },
          { resourceType: TOPIC, resourceName: 'ac-twice', configs: [] },
          { resourceType: TOPIC, resourceName: 'ac-twice', configs: [] },
        ],
        validateOnly: false,
      });
      expect(res.responses.map((r) => r.errorCode)).toEqual([
        ErrorCode.INVALID_CONFIG,
        ErrorCode.NONE,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.INVALID_REQUEST,
      ]);
      expect(b.broker.services.configs.logConfig().segmentBytes).toBe(2097152);
    });
  });

  describe('persistence', () => {
    it('topic overrides and dynamic broker configs survive a restart and apply to the reopened logs', async () => {
      await incremental(1, TOPIC, 'iac', [{ name: 'retention.ms', configOperation: SET, value: '4242' }]);
      await incremental(1, BROKER, '', [{ name: 'log.roll.ms', configOperation: SET, value: '777000' }]);
      client.close();
      await b.broker.stop();
      b = { ...(await startTestBroker({ 'log.retention.hours': '24' }, dir)), dir };
      client = await TestClient.connect(b.port);
      const iac = b.broker.services.logManager.getLog('iac', 0)!;
      expect(iac.config.retentionMs).toBe(4242);
      expect(iac.config.segmentMs).toBe(777000);
      expect(iac.config.segmentBytes).toBe(2097152);
      const res = await describeConfigs(4, [{ resourceType: BROKER, resourceName: '', configurationKeys: ['log.roll.ms'] }]);
      expect(res.results[0].configs[0]).toMatchObject({ value: '777000', configSource: Source.DYNAMIC_DEFAULT_BROKER_CONFIG });
    });
  });
});
