// kafka-console-producer and kafka-console-consumer (--partition, no consumer group),
// kafka-get-offsets and kafka-delete-records against a live broker.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const bs = () => ['--bootstrap-server', broker.bootstrap];

beforeAll(async () => {
  broker = await BrokerProcess.start();
});

afterAll(async () => {
  await broker?.cleanup();
});

// Offsets as kafka-get-offsets prints them: `topic:partition:offset` lines.
async function getOffsets(topic: string, time: string): Promise<Map<number, number>> {
  const r = await kafkaToolOk(KafkaTool.getOffsets, [...bs(), '--topic', topic, '--time', time]);
  const out = new Map<number, number>();
  for (const line of r.out.trim().split('\n').filter((l) => l !== '')) {
    const m = /^(.+):(\d+):(-?\d*)$/.exec(line.trim());
    if (!m || m[1] !== topic) throw new Error(`unexpected kafka-get-offsets line: ${line}\n${r.out}`);
    out.set(Number(m[2]), m[3] === '' ? -1 : Number(m[3]));
  }
  return out;
}

// Runs kafka-console-consumer on one partition, printing timestamp, headers, key and value.
async function consume(topic: string, partition: number, maxMessages: number, offset?: string): Promise<string[]> {
  const r = await kafkaToolOk(KafkaTool.consoleConsumer, [
    ...bs(), '--topic', topic, '--partition', String(partition),
    ...(offset === undefined ? ['--from-beginning'] : ['--offset', offset]),
    '--max-messages', String(maxMessages), '--timeout-ms', '20000',
    '--property', 'print.key=true', '--property', 'print.timestamp=true', '--property', 'print.headers=true',
    '--property', 'print.offset=true', '--property', 'key.separator=|',
  ]);
  expect(r.stderr).toContain(`Processed a total of ${maxMessages} messages`);
  return r.out.split('\n').filter((l) => l !== '');
}

describe('kafka-console-producer and kafka-console-consumer', () => {
  it('round-trips keyed records with headers, in order, with their timestamps', async () => {
    await kafkaToolOk(KafkaTool.topics, [...bs(), '--create', '--topic', 'console', '--partitions', '1']);
    const n = 40;
    const lines = Array.from({ length: n }, (_, i) => `src:cli,seq:${i}\tk${i % 4}\tvalue number ${i} ✓ ünïcode`);
    const before = Date.now();
    await kafkaToolOk(KafkaTool.consoleProducer, [
      ...bs(), '--topic', 'console', '--property', 'parse.key=true', '--property', 'parse.headers=true',
      '--producer-property', 'linger.ms=5',
    ], { input: lines.join('\n') + '\n' });
    const after = Date.now();

    const out = await consume('console', 0, n);
    expect(out).toHaveLength(n);
    out.forEach((line, i) => {
      // CreateTime:<ts>|Offset:<o>|<headers>|<key>|<value>
      const m = /^CreateTime:(\d+)\|Offset:(\d+)\|(.*)\|(.*)\|(.*)$/.exec(line);
      expect(m, line).not.toBeNull();
      const [, ts, off, headers, key, value] = m!;
      expect(Number(ts)).toBeGreaterThanOrEqual(before);
      expect(Number(ts)).toBeLessThanOrEqual(after);
      expect(Number(off)).toBe(i);
      expect(headers).toBe(`src:cli,seq:${i}`);
      expect(key).toBe(`k${i % 4}`);
      expect(value).toBe(`value number ${i} ✓ ünïcode`);
    });

    // From an offset in the middle of the log.
    const tail = await consume('console', 0, 5, '35');
    expect(tail.map((l) => /Offset:(\d+)/.exec(l)![1])).toEqual(['35', '36', '37', '38', '39']);
  });
});

describe('kafka-get-offsets and kafka-delete-records', () => {
  it('reports earliest, latest and max-timestamp offsets, and moves the log start offset', async () => {
    await kafkaToolOk(KafkaTool.topics, [...bs(), '--create', '--topic', 'trim', '--partitions', '2']);
    const lines = Array.from({ length: 10 }, (_, i) => `r${i}`).join('\n') + '\n';
    await kafkaToolOk(KafkaTool.consoleProducer, [...bs(), '--topic', 'trim', '--producer-property', 'partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner'], { input: lines });
    const latest = await getOffsets('trim', '-1');
    expect(latest.get(0)! + latest.get(1)!).toBe(10);
    expect(await getOffsets('trim', '-2')).toEqual(new Map([[0, 0], [1, 0]]));
    const maxTs = await getOffsets('trim', '-3');
    expect(maxTs.get(0)).toBeLessThan(latest.get(0)!);

    const json = path.join(broker.workDir, 'delete-records.json');
    await writeFile(json, JSON.stringify({ version: 1, partitions: [{ topic: 'trim', partition: 0, offset: 2 }] }));
    const del = await kafkaToolOk(KafkaTool.deleteRecords, [...bs(), '--offset-json-file', json]);
    expect(del.out).toMatch(/partition: trim-0\s+low_watermark: 2/);

    expect((await getOffsets('trim', '-2')).get(0)).toBe(2);
    expect((await getOffsets('trim', '-1')).get(0)).toBe(latest.get(0));
    const remaining = await consume('trim', 0, latest.get(0)! - 2);
    expect(remaining.map((l) => /Offset:(\d+)/.exec(l)![1])[0]).toBe('2');
  });

  it('finds the first offset at or after a timestamp', async () => {
    await kafkaToolOk(KafkaTool.topics, [...bs(), '--create', '--topic', 'by-time', '--partitions', '1']);
    await kafkaToolOk(KafkaTool.consoleProducer, [...bs(), '--topic', 'by-time'], { input: 'a\nb\nc\n' });
    await new Promise((r) => setTimeout(r, 50));
    const mid = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    await kafkaToolOk(KafkaTool.consoleProducer, [...bs(), '--topic', 'by-time'], { input: 'd\ne\n' });
    expect((await getOffsets('by-time', String(mid))).get(0)).toBe(3);
    expect((await getOffsets('by-time', '0')).get(0)).toBe(0);
    // A timestamp after every record finds nothing: the tool prints no line for the partition.
    expect((await getOffsets('by-time', String(Date.now() + 3_600_000))).has(0)).toBe(false);
  });
});
