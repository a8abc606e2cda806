// kafka-producer-perf-test (the Java producer's defaults: idempotent, acks=all) against a live
// broker, then Kafka's kafka-dump-log reading Sluice's segments and indexes without error.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';
import { kcatConsumeAll } from '../support/kcat.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const bs = () => ['--bootstrap-server', broker.bootstrap];
const RECORDS = 20_000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

beforeAll(async () => {
  broker = await BrokerProcess.start();
});

afterAll(async () => {
  await broker?.cleanup();
});

// Segment files of one partition directory, grouped by extension, in base-offset order.
async function segmentFiles(topic: string, partition: number, ext: string): Promise<string[]> {
  const dir = path.join(broker.dataDir, `${topic}-${partition}`);
  return (await readdir(dir)).filter((f) => f.endsWith(ext) && /^\d{20}\./.test(f)).sort().map((f) => path.join(dir, f));
}

// Kafka's DumpLogSegments over some files; fails on any sign of trouble in its output.
async function dumpLog(files: string[], extra: string[] = []): Promise<string> {
  const r = await kafkaToolOk(KafkaTool.dumpLog, ['--files', files.join(','), ...extra], { timeoutMs: 120_000 });
  const text = r.out + r.stderr;
  for (const bad of [/Exception/, /isvalid: false/, /Mismatches in/, /timestamp mismatch/i, /out of order/i,
    /corrupt/i, /Found \d+ invalid/, /ERROR/]) {
    expect(text, `kafka-dump-log output matched ${bad}`).not.toMatch(bad);
  }
  return r.out;
}

describe('kafka-producer-perf-test', () => {
  it('sends 20000 acks=all idempotent records, all of them readable', async () => {
    await kafkaToolOk(KafkaTool.topics, [...bs(), '--create', '--topic', 'perf', '--partitions', '1',
      '--config', 'segment.bytes=1048576']);
    const r = await kafkaToolOk(KafkaTool.producerPerfTest, [
      '--topic', 'perf', '--num-records', String(RECORDS), '--record-size', '100', '--throughput', '-1',
      '--producer-props', `bootstrap.servers=${broker.bootstrap}`,
    ], { timeoutMs: 120_000 });
    expect(r.out).toMatch(new RegExp(`^${RECORDS} records sent, .* records/sec`, 'm'));
    expect(r.stderr).not.toMatch(/Exception|ERROR/);

    const got = await kcatConsumeAll(broker.bootstrap, 'perf', 0);
    expect(got).toHaveLength(RECORDS);
    expect(got.every((rec, i) => rec.offset === i && rec.value?.length === 100 && rec.key === null)).toBe(true);
  });
});

describe('kafka-dump-log on Sluice files', () => {
  it('reads every segment, offset index and time index of the perf topic', async () => {
    // Also one topic per codec (written by the Java producer), so the dump shows each compression on disk.
    for (const codec of CODECS) {
      await kafkaToolOk(KafkaTool.topics, [...bs(), '--create', '--topic', `dump-${codec}`, '--partitions', '1']);
      const input = Array.from({ length: 200 }, (_, i) => `${codec}-payload-${i}`).join('\n') + '\n';
      await kafkaToolOk(KafkaTool.consoleProducer, [...bs(), '--topic', `dump-${codec}`, '--compression-codec', codec,
        '--producer-property', 'linger.ms=50'], { input });
    }
    // A clean stop flushes and trims the active segment's indexes, as Kafka's own shutdown does.
    expect(await broker.stop()).toBe(broker.cleanExitCode);

    const logs = await segmentFiles('perf', 0, '.log');
    expect(logs.length).toBeGreaterThan(1); // 20000 x ~100 bytes rolled 1 MiB segments
    const out = await dumpLog(logs, ['--deep-iteration']);
    const batchCounts = [...out.matchAll(/^baseOffset: (\d+) lastOffset: (\d+) count: (\d+)/gm)];
    expect(batchCounts.reduce((n, m) => n + Number(m[3]), 0)).toBe(RECORDS);
    let next = 0;
    for (const m of batchCounts) {
      expect(Number(m[1])).toBe(next);
      next = Number(m[2]) + 1;
    }
    expect(out).toMatch(/producerId: \d+ producerEpoch: \d+/);
    expect(out).not.toMatch(/producerId: -1 /); // the perf producer is idempotent
    expect([...out.matchAll(/^\| offset: \d+/gm)]).toHaveLength(RECORDS);

    const indexes = await dumpLog(await segmentFiles('perf', 0, '.index'));
    expect([...indexes.matchAll(/^offset: \d+ position: \d+/gm)].length).toBeGreaterThan(10);
    const timeIndexes = await dumpLog(await segmentFiles('perf', 0, '.timeindex'));
    expect([...timeIndexes.matchAll(/^timestamp: \d+ offset: \d+/gm)].length).toBeGreaterThan(10);

    for (const codec of CODECS) {
      const files = [
        ...(await segmentFiles(`dump-${codec}`, 0, '.log')),
        ...(await segmentFiles(`dump-${codec}`, 0, '.index')),
        ...(await segmentFiles(`dump-${codec}`, 0, '.timeindex')),
      ];
      const dump = await dumpLog(files, ['--deep-iteration', '--print-data-log']);
      expect(dump).toMatch(new RegExp(`compresscodec: ${codec}`, 'i'));
      for (let i = 0; i < 200; i++) expect(dump).toContain(`payload: ${codec}-payload-${i}\n`);
    }
  });
});
