// kill -9 under load: with log.flush.interval.messages=1 every acknowledged (acks=all) record must
// survive, in place, byte-identical, whatever else reached the log must decode cleanly, and Kafka's
// kafka-dump-log must read the recovered files.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { kcatConsumeAll } from '../support/kcat.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;
const TOPIC = 'crash';
const PARTITIONS = 2;
const LOOPS = 4;
const BATCH = 20;

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'log.flush.interval.messages': 1, 'log.segment.bytes': 1048576 } });
  await createTopics(broker.bootstrap, [TOPIC], PARTITIONS);
});

afterAll(async () => {
  await broker?.cleanup();
});

interface Acked {
  partition: number;
  baseOffset: number;
  values: string[];
}

// Produces from LOOPS concurrent senders until the broker goes away; returns every acknowledged batch.
async function produceUntilKilled(round: number, killAfterMs: number): Promise<{ acked: Acked[]; sent: Set<string> }> {
  const kafka = new Kafka({
    clientId: `crash-${round}`,
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    requestTimeout: 5_000,
    connectionTimeout: 1_000,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  const acked: Acked[] = [];
  const sent = new Set<string>();
  let alive = true;
  const loop = async (id: number) => {
    const partition = id % PARTITIONS;
    for (let seq = 0; alive; seq++) {
      const values = Array.from({ length: BATCH }, (_, j) => `r${round}-l${id}-b${seq}-${j}-${'x'.repeat((seq * 7 + j) % 200)}`);
      values.forEach((v) => sent.add(v));
      try {
        const [meta] = await producer.send({
          topic: TOPIC,
          acks: -1,
          compression: id % 2 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: values.map((value) => ({ partition, key: `l${id}`, value })),
        });
        acked.push({ partition, baseOffset: Number(meta!.baseOffset), values });
      } catch {
        return; // the broker died under us
      }
    }
  };
  const loops = Array.from({ length: LOOPS }, (_, id) => loop(id));
  await new Promise((r) => setTimeout(r, killAfterMs));
  await broker.kill9();
  alive = false;
  await Promise.all(loops);
  await Promise.race([producer.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
  return { acked, sent };
}

describe('crash recovery', () => {
  it('keeps every acknowledged record across kill -9 (twice) and keeps serving', async () => {
    const allSent = new Set<string>();
    const allAcked: Acked[] = [];
    for (let round = 0; round < 2; round++) {
      const { acked, sent } = await produceUntilKilled(round, 2_500 + round * 500);
      expect(acked.length, 'the producer got acknowledgements before the kill').toBeGreaterThan(10);
      for (const v of sent) allSent.add(v);
      allAcked.push(...acked);

      await broker.restart();
      for (let p = 0; p < PARTITIONS; p++) {
        const log = await kcatConsumeAll(broker.bootstrap, TOPIC, p);
        // Offsets are dense from 0 and every record is one the producer really sent.
        log.forEach((rec, i) => {
          expect(rec.offset).toBe(i);
          expect(allSent.has(rec.value?.toString() ?? ''), `offset ${i} holds a record never sent`).toBe(true);
        });
        // Every acknowledged batch sits at its acknowledged offsets.
        for (const a of allAcked.filter((x) => x.partition === p)) {
          a.values.forEach((v, j) => {
            expect(log[a.baseOffset + j]?.value?.toString(), `acked offset ${a.baseOffset + j} of partition ${p}`).toBe(v);
          });
        }
      }
    }

    // After recovery the log takes new writes at the next offsets.
    const before = await kcatConsumeAll(broker.bootstrap, TOPIC, 0);
    const kafka = new Kafka({ clientId: 'after-crash', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const [meta] = await producer.send({ topic: TOPIC, acks: -1, messages: [{ partition: 0, value: 'after-recovery' }] });
    await producer.disconnect();
    expect(Number(meta!.baseOffset)).toBe(before.length);
    const after = await kcatConsumeAll(broker.bootstrap, TOPIC, 0);
    expect(after.at(-1)?.value?.toString()).toBe('after-recovery');
    expect(after).toHaveLength(before.length + 1);

    // Kafka's own kafka-dump-log reads the recovered segments and rebuilt indexes without complaint.
    expect(await broker.stop()).toBe(broker.cleanExitCode);
    const dir = path.join(broker.dataDir, `${TOPIC}-0`);
    const files = (await readdir(dir)).filter((f) => /^\d{20}\.(log|index|timeindex)$/.test(f)).map((f) => path.join(dir, f));
    const dump = await kafkaToolOk(KafkaTool.dumpLog, ['--files', files.join(','), '--deep-iteration'], { timeoutMs: 120_000 });
    expect(dump.out + dump.stderr).not.toMatch(/Exception|isvalid: false|Mismatches in|corrupt/i);
    const counted = [...dump.out.matchAll(/^baseOffset: \d+ lastOffset: \d+ count: (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(counted).toBe(after.length);
  });
});
