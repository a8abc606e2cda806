// The producer SDK against a live Sluice and a live Apache Kafka 4.1.1 in the same run: every
// record given to send() or produce() is read back by kcat byte-identical (keys, values, headers,
// timestamps), in order per partition, for each codec and acks 0/1/all; the batches on disk carry
// the codec and, for the default idempotent producer, a producer id with gapless sequences.
// Also: a record of nearly maxRequestSize, LogAppendTime topics, close() flushing, bootstrap lists
// whose first servers are down, auto-created topics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/producer/index.js';
import { BrokerProcess, freePort, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { kafkajsClient, waitForPartitionLeaders } from '../support/kafkajs-admin.js';
import { byPartition, kcatConsumeTopic } from '../support/kcat-json.js';
import { CODEC_ID, storedBatches } from '../support/log-batches.js';
import { expectSameRecords, type MessageInput, type Metadata } from '../support/producer-records.js';
import { testValue } from '../support/test-records.js';
import { untilAsync } from '../support/until-async.js';

const KINDS = ['sluice', 'kafka'] as const;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const ACKS = ['all', 1, 0] as const;
const PARTITIONS = 3;
const COUNT = 120;
const DAY = 86_400_000;

const brokers: Partial<Record<(typeof KINDS)[number], BrokerProcess>> = {};
printBrokerLogsOnFailure(() => Object.values(brokers));

afterAll(async () => {
  await Promise.all(Object.values(brokers).map((b) => b.cleanup()));
});

const topicOf = (codec: string, acks: string | number) => `deliver-${codec}-acks${acks}`;

// Message i of a run: null, empty, text (UTF-8) and binary keys and values of 0 B to 5 KiB, headers
// as an object or an array (repeated names, empty values), some explicit timestamps and partitions.
function message(seed: string, i: number, baseTs: number): MessageInput {
  const keys = [null, `key-${i % 11}-ü`, Buffer.from([0, 0xff, i & 0xff, 0x0a, 0x22]), '', Buffer.from(`k${i}`)];
  const m: MessageInput = {
    key: keys[i % keys.length]!,
    value: i % 7 === 6 ? null : i % 7 === 5 ? `välue ${i} ✓ "quoted" \\ 😀` : testValue(seed, i),
  };
  if (i % 4 === 1) m.headers = { trace: `t-${i}`, bin: Buffer.from([0xff, 0, i & 0xff]) };
  if (i % 4 === 2) m.headers = [{ key: 'dup', value: 'a' }, { key: 'dup', value: Buffer.alloc(0) }, { key: 'ünï', value: '€' }];
  if (i % 4 === 3) m.headers = [{ key: 'no-value', value: null }];
  if (i % 2 === 0) m.timestamp = baseTs + i;
  if (i % 9 === 0) m.partition = (i / 9) % PARTITIONS;
  // Larger than batchSize: a batch of its own.
  if (i === COUNT - 3) m.value = Buffer.concat(Array.from({ length: 8 }, (_, j) => testValue(`${seed}/big`, 6 * j + 5)));
  return m;
}

describe.each(KINDS)('producer against %s', (kind) => {
  let broker: BrokerProcess;

  beforeAll(async () => {
    broker = brokers[kind] = await BrokerProcess.start({ kind });
    // One CreateTopics call: kafkajs's waitForLeaders can trip on a second one right after it on Kafka.
    const admin = kafkajsClient(broker.bootstrap).admin();
    await admin.connect();
    try {
      const spec = {
        waitForLeaders: true,
        topics: [
          ...[...CODECS.flatMap((c) => ACKS.map((a) => topicOf(c, a))), 'close-flushes', 'large'].map((topic) => ({ topic, numPartitions: PARTITIONS })),
          { topic: 'log-append-time', numPartitions: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
        ],
      };
      await admin.createTopics(spec);
      await waitForPartitionLeaders(admin, spec.topics.map((t) => t.topic));
    } finally {
      await admin.disconnect();
    }
  });

  describe.each(CODECS)('compression %s', (codec) => {
    it.each(ACKS)('acks=%s: send() and produce() records come back byte-identical, in order per partition', async (acks) => {
      const topic = topicOf(codec, acks);
      const baseTs = Date.now() - DAY;
      const messages = Array.from({ length: COUNT }, (_, i) => message(`${kind}/${topic}`, i, baseTs));
      const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: `e2e-${topic}`, acks, compression: codec });
      const from = Date.now();
      const metas: Metadata[] = [];
      try {
        await producer.connect();
        // produce(): 60 records enqueued at once, then send() calls of 10 (two of them concurrent),
        // then 30 more produce() calls completed by flush().
        const first = messages.slice(0, 60).map((m) => producer.produce(topic, m));
        metas.push(...(await Promise.all(first)));
        const [a, b] = await Promise.all([
          producer.send({ topic, messages: messages.slice(60, 70) }),
          producer.send({ topic, messages: messages.slice(70, 80) }),
        ]);
        metas.push(...a, ...b);
        metas.push(...(await producer.send({ topic, messages: messages.slice(80, 90) })));
        const last = messages.slice(90).map((m) => producer.produce(topic, m));
        await producer.flush();
        metas.push(...(await Promise.all(last)));
      } finally {
        await producer.close();
      }
      const to = Date.now();

      expect(metas).toHaveLength(COUNT);
      metas.forEach((meta, i) => {
        expect(meta.topic).toBe(topic);
        if (messages[i]!.partition !== undefined) expect(meta.partition, `partition of message ${i}`).toBe(messages[i]!.partition);
      });
      // acks=0 resolves on write, before the broker has appended: wait until everything is readable.
      let consumed = await kcatConsumeTopic(broker.bootstrap, topic);
      await untilAsync(async () => (consumed = await kcatConsumeTopic(broker.bootstrap, topic)).length >= COUNT,
        `${COUNT} records in ${topic}`, 20_000, () => `${consumed.length} records`);
      expectSameRecords(messages.map((message, i) => ({ message, meta: metas[i]! })), consumed, { acks0: acks === 0, from, to });

      // What went over the wire: the codec, and for acks=all (idempotent by default, as in Java)
      // a producer id with sequences that continue batch after batch; acks 0/1 are not idempotent.
      for (let p = 0; p < PARTITIONS; p++) {
        const batches = await storedBatches(broker.dataDir, topic, p);
        let sequence = 0;
        for (const b of batches) {
          expect(b.magic, `magic of batch at ${topic}-${p}@${b.baseOffset}`).toBe(2);
          expect(b.codec, `codec of batch at ${topic}-${p}@${b.baseOffset}`).toBe(CODEC_ID[codec]);
          if (acks === 'all') {
            expect(b.producerId, `producer id at ${topic}-${p}@${b.baseOffset}`).toBeGreaterThanOrEqual(0n);
            expect(b.baseSequence, `base sequence at ${topic}-${p}@${b.baseOffset}`).toBe(sequence);
            sequence += b.recordCount;
          } else {
            expect(b.producerId, `producer id at ${topic}-${p}@${b.baseOffset}`).toBe(-1n);
          }
        }
      }
    });
  });

  it('close() delivers every record still buffered before it disconnects', async () => {
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-close', lingerMs: 1000 });
    await producer.connect();
    const pending = Array.from({ length: 500 }, (_, i) => producer.produce('close-flushes', { value: `c${i}` }));
    await producer.close();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.filter((o) => o.status !== 'fulfilled')).toEqual([]);
    const partitionOf = outcomes.map((o) => (o as PromiseFulfilledResult<Metadata>).value.partition);
    const consumed = byPartition(await kcatConsumeTopic(broker.bootstrap, 'close-flushes'));
    expect([...consumed.values()].reduce((n, l) => n + l.length, 0)).toBe(500);
    for (const [p, records] of consumed) {
      expect(records.map((r) => r.value?.toString()), `partition ${p}`)
        .toEqual(partitionOf.flatMap((q, i) => (q === p ? [`c${i}`] : [])));
    }
  });

  it('delivers a record just under maxRequestSize byte-identical', async () => {
    // 1 MiB minus room for the batch and record overhead: the largest value the Java client accepts.
    const value = Buffer.concat(Array.from({ length: 210 }, (_, j) => testValue(`large-${j}`, 5))).subarray(0, 1_048_576 - 200);
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-large' });
    let meta: Metadata;
    try {
      await producer.connect();
      [meta] = (await producer.send({ topic: 'large', messages: [{ key: 'large', value }, { key: 'small', value: 'after' }] })) as [Metadata];
    } finally {
      await producer.close();
    }
    const got = (await kcatConsumeTopic(broker.bootstrap, 'large')).find((r) => r.key?.toString() === 'large');
    expect(got?.value?.length).toBe(value.length);
    expect(got!.value!.equals(value)).toBe(true);
    expect([got!.partition, BigInt(got!.offset)]).toEqual([meta!.partition, meta!.offset]);
  });

  it("reports the broker's LogAppendTime as the timestamp on a LogAppendTime topic", async () => {
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-log-append-time' });
    const before = Date.now();
    let metas: Metadata[];
    try {
      await producer.connect();
      metas = await producer.send({ topic: 'log-append-time', messages: [{ value: 'a', timestamp: 1_000 }, { value: 'b', timestamp: 2_000 }] });
    } finally {
      await producer.close();
    }
    const consumed = await kcatConsumeTopic(broker.bootstrap, 'log-append-time');
    expect(consumed.map((r) => [r.timestampType, r.value?.toString()])).toEqual([['logappend', 'a'], ['logappend', 'b']]);
    expect(consumed[0]!.timestamp).toBeGreaterThanOrEqual(before);
    expect(metas!.map((m) => m.timestamp)).toEqual(consumed.map((r) => r.timestamp));
  });

  it('connects when the first bootstrap servers are down (array and comma-separated forms)', async () => {
    const dead = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const topic = topicOf('none', 'all');
    for (const bootstrapServers of [[...dead, broker.bootstrap], `${dead.join(',')},${broker.bootstrap}`]) {
      const producer = new Producer({ bootstrapServers, clientId: 'e2e-bootstrap', reconnectBackoffMs: 10 });
      try {
        await producer.connect();
        const [meta] = await producer.send({ topic, messages: [{ key: 'bootstrap', value: String(bootstrapServers) }] });
        const got = (await kcatConsumeTopic(broker.bootstrap, topic)).filter((r) => r.partition === meta!.partition && BigInt(r.offset) === meta!.offset);
        expect(got.map((r) => r.value?.toString())).toEqual([String(bootstrapServers)]);
      } finally {
        await producer.close();
      }
    }
  });

  it('auto-creates an unknown topic (auto.create.topics.enable=true) and delivers to it', async () => {
    const topic = `auto-created-${kind}`;
    const producer = new Producer({ bootstrapServers: [broker.bootstrap], clientId: 'e2e-auto-create' });
    try {
      await producer.connect();
      const metas = await producer.send({ topic, messages: [{ key: 'a', value: 'first' }, { key: 'b', value: 'second' }] });
      expect(metas.map((m) => [m.topic, m.partition, m.offset])).toEqual([[topic, 0, 0n], [topic, 0, 1n]]);
    } finally {
      await producer.close();
    }
    expect((await kcatConsumeTopic(broker.bootstrap, topic)).map((r) => [r.partition, r.offset, r.key?.toString(), r.value?.toString()]))
      .toEqual([[0, 0, 'a', 'first'], [0, 1, 'b', 'second']]);
  });
});
