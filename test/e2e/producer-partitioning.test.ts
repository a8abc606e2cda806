// The producer SDK partitions as Kafka's Java client does, against Sluice and Apache Kafka 4.1.1:
// each key lands on the partition kafka-console-producer (the Java client's built-in partitioner)
// chose for it, whether given as a string or as bytes; keyless records go to one partition per
// batch (sticky) and spread over the partitions; an explicit partition wins over the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/index.js';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { javaPartitionsOf } from '../support/java-partitions.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { byPartition, kcatConsumeTopic } from '../support/kcat-json.js';

const KINDS = ['sluice', 'kafka'] as const;
const PARTITIONS = 7;

const brokers: Partial<Record<(typeof KINDS)[number], BrokerProcess>> = {};
printBrokerLogsOnFailure(() => Object.values(brokers));

afterAll(async () => {
  await Promise.all(Object.values(brokers).map((b) => b.cleanup()));
});

// Keys of every murmur2 tail length (0-3 trailing bytes), multi-byte UTF-8, the empty key, and
// long keys; none holds a tab or newline (the console producer's separators).
const KEYS = [
  '',
  ...Array.from({ length: 150 }, (_, i) => `user-${i}`),
  ...Array.from({ length: 24 }, (_, i) => 'x'.repeat(i + 1)),
  ...['ü', 'ünïcödé', '日本語のキー', '😀', 'emoji 😀 key', 'a b c', '{"id":42}', 'k=v,k2=v2'],
  ...Array.from({ length: 8 }, (_, i) => `long-${i}-`.repeat(40 + i)),
];

describe.each(KINDS)('partitioning against %s', (kind) => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = brokers[kind] = await BrokerProcess.start({ kind });
    await createTopics(broker.bootstrap, ['keys-java', 'keys-sdk', 'sticky', 'explicit'], PARTITIONS);
  });

  it('puts each key on the partition the Java client chooses (string and Buffer keys alike)', async () => {
    const java = await javaPartitionsOf(broker.bootstrap, 'keys-java', KEYS);
    // Guards the comparison itself: the keys must spread, or a constant partitioner would pass.
    expect(new Set(java.values()).size).toBe(PARTITIONS);

    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-keys' });
    let asString: number[];
    let asBuffer: number[];
    try {
      await producer.connect();
      asString = (await Promise.all(KEYS.map((key, i) => producer.produce('keys-sdk', { key, value: `s${i}` })))).map((m) => m.partition);
      const metas = await producer.send({ topic: 'keys-sdk', messages: KEYS.map((key, i) => ({ key: Buffer.from(key, 'utf8'), value: `b${i}` })) });
      asBuffer = metas.map((m) => m.partition);
    } finally {
      await producer.close();
    }
    const javaOrder = KEYS.map((k) => java.get(k)!);
    const mismatches = KEYS.flatMap((k, i) => (asString[i] !== javaOrder[i] ? [`${JSON.stringify(k)}: java ${javaOrder[i]}, sdk ${asString[i]}`] : []));
    expect(mismatches, 'keys the SDK partitions differently from the Java client').toEqual([]);
    expect(asBuffer).toEqual(javaOrder);

    // And the broker holds them where the SDK said.
    const consumed = await kcatConsumeTopic(broker.bootstrap, 'keys-sdk');
    expect(consumed).toHaveLength(2 * KEYS.length);
    for (const r of consumed) {
      const v = r.value!.toString();
      expect(r.partition, `partition of ${v}`).toBe(javaOrder[Number(v.slice(1))]);
      expect(r.key!.toString('utf8')).toBe(KEYS[Number(v.slice(1))]);
    }
  });

  it('sends keyless records to one partition per batch and spreads them over the partitions', async () => {
    const count = 600;
    // 200-byte values and 2 KiB batches: a sticky partition takes about 9 records before it moves.
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-sticky', batchSize: 2048, lingerMs: 20 });
    let partitions: number[];
    try {
      await producer.connect();
      const pending = Array.from({ length: count }, (_, i) => producer.produce('sticky', { value: `${String(i).padStart(6, '0')}`.padEnd(200, '.') }));
      partitions = (await Promise.all(pending)).map((m) => m.partition);
    } finally {
      await producer.close();
    }
    const runs = partitions.filter((p, i) => i === 0 || p !== partitions[i - 1]).length;
    const used = new Set(partitions);
    expect(used.size, `partitions used by ${count} keyless records`).toBeGreaterThanOrEqual(3);
    // Round-robin (or random per record) would switch partition on nearly every record.
    expect(runs, `partition switches over ${count} keyless records`).toBeLessThanOrEqual(count / 4);

    // Each partition holds its records in produce order, where the SDK said they went.
    const consumed = byPartition(await kcatConsumeTopic(broker.bootstrap, 'sticky'));
    for (const p of used) {
      const want = partitions.flatMap((q, i) => (q === p ? [i] : []));
      expect(consumed.get(p)!.map((r) => Number(r.value!.toString().slice(0, 6))), `records of partition ${p}`).toEqual(want);
    }
  });

  it('honours an explicit partition over the key', async () => {
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-explicit' });
    try {
      await producer.connect();
      const metas = await producer.send({
        topic: 'explicit',
        messages: Array.from({ length: 2 * PARTITIONS }, (_, i) => ({ key: 'same-key', value: `v${i}`, partition: i % PARTITIONS })),
      });
      expect(metas.map((m) => m.partition)).toEqual(Array.from({ length: 2 * PARTITIONS }, (_, i) => i % PARTITIONS));
    } finally {
      await producer.close();
    }
    const consumed = byPartition(await kcatConsumeTopic(broker.bootstrap, 'explicit'));
    for (let p = 0; p < PARTITIONS; p++) expect(consumed.get(p)!.map((r) => r.value!.toString())).toEqual([`v${p}`, `v${p + PARTITIONS}`]);
  });
});
