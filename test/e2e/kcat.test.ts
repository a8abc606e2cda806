// kcat (librdkafka 2.0) against a live broker: metadata, and produce/consume with every codec;
// each record comes back byte-identical, in order, with its key, headers and timestamp.
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { kcat, kcatConsumeAll, kcatOk, kcatRecordFormat, parseKcatRecords } from '../support/kcat.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { testValue } from '../support/test-records.js';

const NL = 0x0a;
const KEY_SEP = 0x01; // kcat -K delimiter: never inside keys or values below

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);

const CODEC_ID: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

// The compression codec (attributes bits 0-2) of the first batch stored in a partition's first segment.
async function storedCodec(topic: string, partition: number): Promise<number> {
  const f = await open(path.join(broker.dataDir, `${topic}-${partition}`, '00000000000000000000.log'));
  try {
    const header = Buffer.alloc(61);
    await f.read(header, 0, 61, 0);
    return header.readInt16BE(21) & 0x07;
  } finally {
    await f.close();
  }
}

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'num.partitions': 1 } });
});

afterAll(async () => {
  await broker?.cleanup();
});

describe('kcat metadata', () => {
  it('lists the broker and topics with their partitions (-L -J)', async () => {
    await createTopics(broker.bootstrap, ['kcat-meta'], 3);
    const r = await kcatOk(['-L', '-J', '-b', broker.bootstrap]);
    const md = JSON.parse(r.out) as {
      brokers: { id: number; name: string }[];
      topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
    };
    expect(md.brokers).toEqual([{ id: 1, name: broker.bootstrap }]);
    const t = md.topics.find((x) => x.topic === 'kcat-meta');
    expect(t, r.out).toBeDefined();
    expect(t!.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of t!.partitions) {
      expect(p.leader).toBe(1);
      expect(p.replicas).toEqual([{ id: 1 }]);
      expect(p.isrs).toEqual([{ id: 1 }]);
    }
  });
});

describe.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'])('kcat with compression %s', (codec) => {
  it('produces keyed records with headers and consumes them back byte-identical', async () => {
    const topic = `kcat-${codec}`;
    await createTopics(broker.bootstrap, [topic], 2);
    const count = 300;
    const keys = Array.from({ length: count }, (_, i) => Buffer.from(`key-${i % 7}-${i}`));
    const values = Array.from({ length: count }, (_, i) => {
      const v = testValue(codec, i, [NL, KEY_SEP]);
      return v.length === 0 ? Buffer.from('x') : v; // kcat skips empty input lines
    });
    const input = Buffer.concat(keys.flatMap((k, i) => [k, Buffer.from([KEY_SEP]), values[i]!, Buffer.from([NL])]));
    const before = Date.now();
    await kcatOk(
      ['-P', '-b', broker.bootstrap, '-t', topic, '-p', '1', '-z', codec, '-K', '\x01',
        '-H', 'trace-id=abc-123', '-H', 'codec=' + codec, '-X', 'linger.ms=20'],
      { input },
    );
    const after = Date.now();

    const got = await kcatConsumeAll(broker.bootstrap, topic, 1);
    expect(got).toHaveLength(count);
    got.forEach((rec, i) => {
      expect(rec.offset).toBe(i);
      expect(rec.partition).toBe(1);
      expect(rec.key?.equals(keys[i]!), `key of offset ${i}`).toBe(true);
      expect(rec.value?.equals(values[i]!), `value of offset ${i}`).toBe(true);
      expect(rec.headers).toEqual([['trace-id', 'abc-123'], ['codec', codec]]);
      expect(rec.timestamp).toBeGreaterThanOrEqual(before - 1);
      expect(rec.timestamp).toBeLessThanOrEqual(after + 1);
    });
    // The other partition stayed empty.
    expect(await kcatConsumeAll(broker.bootstrap, topic, 0)).toEqual([]);
    // librdkafka silently falls back to no compression when the broker's ApiVersions lack what it
    // ties a codec to (lz4: FindCoordinator v0; zstd: Produce 7 and Fetch 10): the log must show it.
    expect(await storedCodec(topic, 1), `codec of the stored batches of ${topic}`).toBe(CODEC_ID[codec]);
  });
});

describe('kcat consumer positions', () => {
  it('consumes from an absolute offset and from the end relative offset', async () => {
    const topic = 'kcat-offsets';
    await createTopics(broker.bootstrap, [topic], 1);
    const lines = Array.from({ length: 50 }, (_, i) => `line-${i}`).join('\n') + '\n';
    await kcatOk(['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0'], { input: lines });
    const fromMiddle = await kcatConsumeAll(broker.bootstrap, topic, 0, ['-o', '37']);
    expect(fromMiddle.map((r) => r.value?.toString())).toEqual(Array.from({ length: 13 }, (_, i) => `line-${37 + i}`));
    const lastFive = await kcatConsumeAll(broker.bootstrap, topic, 0, ['-o', '-5']);
    expect(lastFive.map((r) => r.offset)).toEqual([45, 46, 47, 48, 49]);
  });
});

describe('kcat long-poll consumer', () => {
  it('waits at the end of the log and receives records produced afterwards', async () => {
    const topic = 'kcat-tail';
    await createTopics(broker.bootstrap, [topic], 1);
    await kcatOk(['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0'], { input: 'old\n' });
    // Starts at the log end offset (1, right after 'old') and exits after 3 records.
    const tail = kcat(['-C', '-b', broker.bootstrap, '-t', topic, '-p', '0', '-o', '1', '-c', '3', '-q', '-f', kcatRecordFormat],
      { timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    for (const v of ['new-1', 'new-2', 'new-3']) {
      await kcatOk(['-P', '-b', broker.bootstrap, '-t', topic, '-p', '0'], { input: `${v}\n` });
    }
    const r = await tail;
    expect(r.timedOut, r.stderr).toBe(false);
    expect(parseKcatRecords(r.stdout).map((x) => [x.offset, x.value?.toString()])).toEqual([[1, 'new-1'], [2, 'new-2'], [3, 'new-3']]);
  });
});
