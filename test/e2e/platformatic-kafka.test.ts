// @platformatic/kafka 1.35.0 (flexible protocol versions only) against a live broker: its Producer
// sends keyed records with headers; they read back byte-identical with kcat and Kafka's console consumer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '@platformatic/kafka';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { kcatConsumeAll } from '../support/kcat.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';
import { testValue } from '../support/test-records.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);

beforeAll(async () => {
  broker = await BrokerProcess.start();
});

afterAll(async () => {
  await broker?.cleanup();
});

describe('@platformatic/kafka producer', () => {
  it.each(['none', 'gzip'] as const)('sends keyed records with headers (compression %s), read back byte-identical', async (compression) => {
    const topic = `plt-${compression}`;
    await createTopics(broker.bootstrap, [topic], 3);
    const producer = new Producer({
      clientId: 'sluice-e2e-platformatic',
      bootstrapBrokers: [broker.bootstrap],
      compression,
      acks: -1,
    });
    const baseTs = Date.now() - 5_000;
    const sent = Array.from({ length: 120 }, (_, i) => ({
      key: Buffer.from(`order-${i % 9}`),
      value: testValue(`plt-${compression}`, i),
      headers: [['tenant', `t${i % 3}`], ['seq', String(i)]] as [string, string][],
      timestamp: baseTs + i,
    }));
    try {
      for (let b = 0; b < sent.length; b += 30) {
        const chunk = sent.slice(b, b + 30);
        const res = await producer.send({
          messages: chunk.map((r) => ({
            topic,
            partition: 2,
            key: r.key,
            value: r.value,
            headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
            timestamp: BigInt(r.timestamp),
          })),
        });
        expect(res.offsets).toEqual([{ topic, partition: 2, offset: BigInt(b) }]);
      }
    } finally {
      await producer.close();
    }

    const got = await kcatConsumeAll(broker.bootstrap, topic, 2);
    expect(got).toHaveLength(sent.length);
    got.forEach((rec, i) => {
      const want = sent[i]!;
      expect(rec.offset).toBe(i);
      expect(rec.key?.equals(want.key), `key ${i}`).toBe(true);
      expect(rec.value?.equals(want.value), `value ${i}`).toBe(true);
      expect(rec.headers).toEqual(want.headers);
      expect(rec.timestamp).toBe(want.timestamp);
    });
  });

  it("writes records Kafka's Java console consumer reads with --partition", async () => {
    const topic = 'plt-java';
    await createTopics(broker.bootstrap, [topic], 2);
    const producer = new Producer({ clientId: 'sluice-e2e-platformatic', bootstrapBrokers: [broker.bootstrap] });
    try {
      await producer.send({
        messages: Array.from({ length: 10 }, (_, i) => ({
          topic,
          partition: 1,
          key: Buffer.from(`k${i}`),
          value: Buffer.from(`hello from platformatic ${i}`),
          headers: new Map([[Buffer.from('h'), Buffer.from(`v${i}`)]]),
        })),
      });
    } finally {
      await producer.close();
    }
    const r = await kafkaToolOk(KafkaTool.consoleConsumer, [
      '--bootstrap-server', broker.bootstrap, '--topic', topic, '--partition', '1', '--from-beginning',
      '--max-messages', '10', '--timeout-ms', '20000',
      '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'key.separator=|',
    ]);
    expect(r.out.trim().split('\n')).toEqual(Array.from({ length: 10 }, (_, i) => `h:v${i}|k${i}|hello from platformatic ${i}`));
  });
});
