// Kafka's own admin tools against a live broker: kafka-topics (create/list/describe/alter/delete),
// kafka-configs (topics and brokers), kafka-broker-api-versions and kafka-log-dirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { KafkaTool, kafkaTool, kafkaToolOk } from '../support/kafka-tools.js';
import { kcatOk } from '../support/kcat.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const bs = () => ['--bootstrap-server', broker.bootstrap];
const topics = (...args: string[]) => kafkaToolOk(KafkaTool.topics, [...bs(), ...args]);
const configs = (...args: string[]) => kafkaToolOk(KafkaTool.configs, [...bs(), ...args]);

beforeAll(async () => {
  broker = await BrokerProcess.start();
});

afterAll(async () => {
  await broker?.cleanup();
});

// Parses `kafka-topics --describe` partition lines into { partition: leader }.
function describedPartitions(out: string): Map<number, { leader: number; replicas: string; isr: string }> {
  const parts = new Map<number, { leader: number; replicas: string; isr: string }>();
  for (const line of out.split('\n')) {
    const m = /Partition:\s*(\d+)\s+Leader:\s*(-?\d+)\s+Replicas:\s*([\d,]+)\s+Isr:\s*([\d,]*)/.exec(line);
    if (m) parts.set(Number(m[1]), { leader: Number(m[2]), replicas: m[3]!, isr: m[4]! });
  }
  return parts;
}

describe('kafka-topics', () => {
  it('creates, lists, describes, adds partitions to and deletes a topic', async () => {
    const created = await topics('--create', '--topic', 'orders', '--partitions', '3', '--replication-factor', '1',
      '--config', 'retention.ms=3600000', '--config', 'segment.bytes=1048576');
    expect(created.out).toContain('Created topic orders.');

    const listed = await topics('--list');
    expect(listed.out.split('\n')).toContain('orders');

    const described = await topics('--describe', '--topic', 'orders');
    expect(described.out).toMatch(/Topic:\s*orders\s+TopicId:\s*[A-Za-z0-9_-]{22}\s+PartitionCount:\s*3\s+ReplicationFactor:\s*1/);
    expect(described.out).toContain('retention.ms=3600000');
    expect(described.out).toContain('segment.bytes=1048576');
    const parts = describedPartitions(described.out);
    expect([...parts.keys()].sort()).toEqual([0, 1, 2]);
    for (const p of parts.values()) expect(p).toEqual({ leader: 1, replicas: '1', isr: '1' });

    await topics('--alter', '--topic', 'orders', '--partitions', '5');
    const after = await topics('--describe', '--topic', 'orders');
    expect(after.out).toMatch(/PartitionCount:\s*5/);
    expect([...describedPartitions(after.out).keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    // The new partitions take writes.
    await kcatOk(['-P', '-b', broker.bootstrap, '-t', 'orders', '-p', '4'], { input: 'to-new-partition\n' });

    await topics('--delete', '--topic', 'orders');
    let remaining = '';
    for (let i = 0; i < 20; i++) {
      remaining = (await topics('--list')).out;
      if (!remaining.split('\n').includes('orders')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(remaining.split('\n')).not.toContain('orders');
  });

  it('refuses a duplicate topic, fewer partitions, a replication factor above 1 and a bad name', async () => {
    await topics('--create', '--topic', 'dup', '--partitions', '2');
    const dup = await kafkaTool(KafkaTool.topics, [...bs(), '--create', '--topic', 'dup', '--partitions', '2']);
    expect(dup.code).not.toBe(0);
    expect(dup.out + dup.stderr).toMatch(/already exists/);

    const shrink = await kafkaTool(KafkaTool.topics, [...bs(), '--alter', '--topic', 'dup', '--partitions', '1']);
    expect(shrink.code).not.toBe(0);
    expect(shrink.out + shrink.stderr).toMatch(/InvalidPartitionsException|partition/i);

    const rf = await kafkaTool(KafkaTool.topics, [...bs(), '--create', '--topic', 'rf3', '--replication-factor', '3']);
    expect(rf.code).not.toBe(0);
    expect(rf.out + rf.stderr).toMatch(/InvalidReplicationFactorException|replication factor/i);

    const bad = await kafkaTool(KafkaTool.topics, [...bs(), '--create', '--topic', 'bad/name']);
    expect(bad.code).not.toBe(0);
    expect(bad.out + bad.stderr).toMatch(/illegal|invalid/i);
  });
});

describe('kafka-configs', () => {
  it('alters and describes topic configs', async () => {
    await topics('--create', '--topic', 'cfg', '--partitions', '1');
    const altered = await configs('--entity-type', 'topics', '--entity-name', 'cfg', '--alter',
      '--add-config', 'retention.ms=86400000,max.message.bytes=2000000');
    expect(altered.out).toContain('Completed updating config for topic cfg.');

    const described = await configs('--entity-type', 'topics', '--entity-name', 'cfg', '--describe');
    expect(described.out).toContain('Dynamic configs for topic cfg are:');
    expect(described.out).toMatch(/retention\.ms=86400000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=86400000/);
    expect(described.out).toMatch(/max\.message\.bytes=2000000/);

    await configs('--entity-type', 'topics', '--entity-name', 'cfg', '--alter', '--delete-config', 'max.message.bytes');
    const afterDelete = await configs('--entity-type', 'topics', '--entity-name', 'cfg', '--describe');
    expect(afterDelete.out).not.toMatch(/max\.message\.bytes=/);
    expect(afterDelete.out).toMatch(/retention\.ms=86400000/);

    const all = await configs('--entity-type', 'topics', '--entity-name', 'cfg', '--describe', '--all');
    expect(all.out).toMatch(/cleanup\.policy=delete/);
    expect(all.out).toMatch(/segment\.bytes=\d+/);

    const invalid = await kafkaTool(KafkaTool.configs, [...bs(), '--entity-type', 'topics', '--entity-name', 'cfg',
      '--alter', '--add-config', 'retention.ms=not-a-number']);
    expect(invalid.code).not.toBe(0);
    expect(invalid.out + invalid.stderr).toMatch(/retention\.ms/);
  });

  it('describes the broker configs and alters a dynamic broker config', async () => {
    const all = await configs('--entity-type', 'brokers', '--entity-name', '1', '--describe', '--all');
    expect(all.out).toContain('All configs for broker 1 are:');
    expect(all.out).toMatch(/log\.retention\.hours=168/);
    expect(all.out).toMatch(/num\.partitions=1/);

    await configs('--entity-type', 'brokers', '--entity-name', '1', '--alter', '--add-config', 'log.retention.ms=7200000');
    const dynamic = await configs('--entity-type', 'brokers', '--entity-name', '1', '--describe');
    expect(dynamic.out).toContain('Dynamic configs for broker 1 are:');
    expect(dynamic.out).toMatch(/log\.retention\.ms=7200000 sensitive=false synonyms=\{DYNAMIC_BROKER_CONFIG:log\.retention\.ms=7200000/);
  });
});

describe('kafka-broker-api-versions', () => {
  it('lists the APIs the broker serves, all usable by the 4.1 client', async () => {
    const r = await kafkaToolOk(KafkaTool.brokerApiVersions, bs());
    expect(r.out).toContain(`${broker.bootstrap} (id: 1 rack: null`);
    for (const api of ['Produce(0)', 'Fetch(1)', 'ListOffsets(2)', 'Metadata(3)', 'ApiVersions(18)', 'CreateTopics(19)',
      'DeleteTopics(20)', 'DeleteRecords(21)', 'InitProducerId(22)', 'OffsetForLeaderEpoch(23)', 'DescribeConfigs(32)',
      'AlterConfigs(33)', 'DescribeLogDirs(35)', 'CreatePartitions(37)', 'IncrementalAlterConfigs(44)', 'DescribeCluster(60)']) {
      const line = r.out.split('\n').find((l) => l.includes(api));
      expect(line, `${api} in\n${r.out}`).toBeDefined();
      expect(line, api).toMatch(/usable: \d+/);
    }
  });
});

describe('kafka-log-dirs', () => {
  it('describes the log directory with per-partition sizes', async () => {
    await topics('--create', '--topic', 'sized', '--partitions', '2');
    await kcatOk(['-P', '-b', broker.bootstrap, '-t', 'sized', '-p', '0'], { input: 'a\nb\nc\n' });
    const r = await kafkaToolOk(KafkaTool.logDirs, [...bs(), '--describe', '--topic-list', 'sized']);
    const json = r.out.split('\n').find((l) => l.startsWith('{'));
    expect(json, r.out).toBeDefined();
    const parsed = JSON.parse(json!) as {
      brokers: { broker: number; logDirs: { logDir: string; error: string | null; partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[] }[] }[];
    };
    expect(parsed.brokers).toHaveLength(1);
    expect(parsed.brokers[0]!.broker).toBe(1);
    const dir = parsed.brokers[0]!.logDirs[0]!;
    expect(dir.logDir).toBe(broker.dataDir);
    expect(dir.error).toBeNull();
    const byName = new Map(dir.partitions.map((p) => [p.partition, p]));
    expect([...byName.keys()].sort()).toEqual(['sized-0', 'sized-1']);
    expect(byName.get('sized-0')!.size).toBeGreaterThan(0);
    expect(byName.get('sized-1')!.size).toBe(0);
    expect(byName.get('sized-0')!.offsetLag).toBe(0);
  });
});
