// kafkajs 2.2.4 (non-flexible protocol versions) against a live broker: admin operations and the
// producer (keys, headers, timestamps, gzip, acks 0/1/all, idempotent). Records are read back with
// kcat, a plain partition consumer (consumer groups arrive in a later issue).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { kafkajsClient } from '../support/kafkajs-admin.js';
import { kcatConsumeAll } from '../support/kcat.js';
import { testValue } from '../support/test-records.js';

const { CompressionTypes } = kafkajs;

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);

// Retries an admin call briefly: a real Kafka controller makes new partitions known asynchronously.
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
let client: ReturnType<typeof kafkajsClient>;
let admin: kafkajs.Admin;

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'auto.create.topics.enable': false } });
  client = kafkajsClient(broker.bootstrap);
  admin = client.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.cleanup();
});

describe('kafkajs admin', () => {
  it('creates, lists, describes, grows and deletes topics', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'js-a', numPartitions: 3 }, { topic: 'js-b', numPartitions: 1 }], waitForLeaders: true })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'js-a', numPartitions: 3 }] })).toBe(false);
    expect((await admin.listTopics()).sort()).toEqual(expect.arrayContaining(['js-a', 'js-b']));

    const md = await admin.fetchTopicMetadata({ topics: ['js-a'] });
    expect(md.topics).toHaveLength(1);
    const parts = md.topics[0]!.partitions.sort((x, y) => x.partitionId - y.partitionId);
    expect(parts.map((p) => [p.partitionId, p.leader, p.replicas, p.isr, p.partitionErrorCode]))
      .toEqual([[0, 1, [1], [1], 0], [1, 1, [1], [1], 0], [2, 1, [1], [1], 0]]);

    await admin.createPartitions({ topicPartitions: [{ topic: 'js-b', count: 4 }] });
    const grown = await admin.fetchTopicMetadata({ topics: ['js-b'] });
    expect(grown.topics[0]!.partitions).toHaveLength(4);

    const offsets = await eventually(() => admin.fetchTopicOffsets('js-b'));
    expect(offsets.sort((x, y) => x.partition - y.partition)).toEqual(
      [0, 1, 2, 3].map((partition) => ({ partition, offset: '0', high: '0', low: '0' })),
    );

    await admin.deleteTopics({ topics: ['js-b'], timeout: 10_000 });
    let names: string[] = [];
    for (let i = 0; i < 20; i++) {
      names = await admin.listTopics();
      if (!names.includes('js-b')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(names).not.toContain('js-b');
    expect(names).toContain('js-a');
  });

  it('rejects invalid topics with Kafka error codes', async () => {
    const creationError = (topics: kafkajs.ITopicConfig[]) =>
      admin.createTopics({ topics }).then(
        () => 'created',
        (e: { errors?: { type: string }[] }) => e.errors?.map((x) => x.type).join(','),
      );
    expect(await creationError([{ topic: 'bad name!', numPartitions: 1 }])).toBe('INVALID_TOPIC_EXCEPTION');
    expect(await creationError([{ topic: 'rf2', numPartitions: 1, replicationFactor: 2 }])).toBe('INVALID_REPLICATION_FACTOR');
  });
});

describe('kafkajs producer', () => {
  const cases = [
    { name: 'acks=1, uncompressed', acks: 1, compression: CompressionTypes.None, idempotent: false },
    { name: 'acks=all, gzip', acks: -1, compression: CompressionTypes.GZIP, idempotent: false },
    { name: 'idempotent acks=all, gzip', acks: -1, compression: CompressionTypes.GZIP, idempotent: true },
  ];
  it.each(cases)('sends keyed records with headers and timestamps ($name) that read back byte-identical', async (c) => {
    const topic = `js-produce-${cases.indexOf(c)}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = client.producer({ idempotent: c.idempotent, maxInFlightRequests: c.idempotent ? 1 : 5, allowAutoTopicCreation: false });
    await producer.connect();
    const baseTs = Date.now() - 60_000;
    const sent: { key: Buffer | null; value: Buffer; headers: [string, string][]; timestamp: number }[] = [];
    try {
      for (let batch = 0; batch < 10; batch++) {
        const messages = Array.from({ length: 25 }, (_, j) => {
          const i = batch * 25 + j;
          const rec = {
            key: i % 10 === 9 ? null : Buffer.from(`user-${i % 13}`),
            value: testValue(`js-${c.name}`, i),
            headers: i % 4 === 0 ? [] as [string, string][] : [['trace', `t-${i}`], ['origin', 'kafkajs']] as [string, string][],
            timestamp: baseTs + i * 7,
          };
          sent.push(rec);
          return { key: rec.key, value: rec.value, headers: Object.fromEntries(rec.headers), timestamp: String(rec.timestamp), partition: 1 };
        });
        const meta = await producer.send({ topic, acks: c.acks, compression: c.compression, messages });
        expect(meta).toEqual([expect.objectContaining({ topicName: topic, partition: 1, errorCode: 0, baseOffset: String(batch * 25) })]);
      }
    } finally {
      await producer.disconnect();
    }

    const got = await kcatConsumeAll(broker.bootstrap, topic, 1);
    expect(got).toHaveLength(sent.length);
    got.forEach((rec, i) => {
      const want = sent[i]!;
      expect(rec.offset).toBe(i);
      expect(rec.key === null ? null : rec.key.toString('hex'), `key ${i}`).toBe(want.key === null ? null : want.key.toString('hex'));
      expect(rec.value?.equals(want.value), `value ${i}`).toBe(true);
      expect(rec.headers).toEqual(want.headers);
      expect(rec.timestamp).toBe(want.timestamp);
    });

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.find((o) => o.partition === 1)).toEqual({ partition: 1, offset: String(sent.length), high: String(sent.length), low: '0' });
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, baseTs + 100 * 7);
    expect(byTime.find((o) => o.partition === 1)?.offset).toBe('100');
  });

  it('sends with acks=0 (no response expected) and the records still land', async () => {
    await admin.createTopics({ topics: [{ topic: 'js-acks0', numPartitions: 1 }], waitForLeaders: true });
    const producer = client.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic: 'js-acks0', acks: 0, messages: [{ key: `k${i}`, value: `fire-and-forget-${i}` }] });
      }
    } finally {
      await producer.disconnect();
    }
    let got: Awaited<ReturnType<typeof kcatConsumeAll>> = [];
    for (let i = 0; i < 20 && got.length < 5; i++) {
      got = await kcatConsumeAll(broker.bootstrap, 'js-acks0', 0);
      if (got.length < 5) await new Promise((r) => setTimeout(r, 200));
    }
    expect(got.map((r) => r.value?.toString())).toEqual([0, 1, 2, 3, 4].map((i) => `fire-and-forget-${i}`));
  });
});
