// Kafka's own DumpLogSegments (4.1.1 jars) reads segments the cleaner wrote: rewritten and
// recompressed batches, a tombstone with its delete horizon, a producer's empty batch, indexes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultLogCleanerConfig, LogCleaner } from '../../src/storage/log-cleaner.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { KafkaTool, kafkaToolOk } from '../support/kafka-tools.js';
import { config, removeDir, tempDir } from './support/batches.js';
import { keyedBatch } from './support/compacted.js';

const NOW = 1_700_000_000_000;
let root: string;
let dir: string;

beforeAll(async () => {
  root = tempDir('sluice-cleaner-dump-');
  dir = path.join(root, 'dumped-0');
  const log = PartitionLog.open({
    dir,
    topic: 'dumped',
    partition: 0,
    config: config({ segmentBytes: 1024, indexIntervalBytes: 200, cleanupPolicy: ['compact'] }),
    clock: () => NOW,
  });
  const pid = { producerId: 5, producerEpoch: 1 };
  for (let r = 0; r < 12; r++) {
    log.appendAsLeader(keyedBatch([['a', `a${r}`], ['b', `b${r}`], ['c', `c${r}`]], { timestamp: NOW + r, compression: (r % 5) as 0 }), 0);
  }
  log.appendAsLeader(keyedBatch([['d', 'd0']], { ...pid, baseSequence: 0, timestamp: NOW }), 0);
  log.appendAsLeader(keyedBatch([['d', 'd1'], ['b', null]], { timestamp: NOW + 20 }), 0);
  log.roll();
  const cleaner = new LogCleaner({ logDirs: [root], logs: () => [log], config: defaultLogCleanerConfig, clock: () => NOW });
  cleaner.loadCheckpoints();
  expect(await cleaner.cleanFilthiestLog()).not.toBeNull();
  log.close();
});

afterAll(() => removeDir(root));

describe('DumpLogSegments on cleaned segments', () => {
  test('deep iteration reads every batch and record, and the indexes match the log', async () => {
    const names = fs.readdirSync(dir).filter((f) => /^\d{20}\.(log|index|timeindex)$/.test(f)).sort();
    const files = names.map((f) => path.join(dir, f));
    const r = await kafkaToolOk(KafkaTool.dumpLog, ['--deep-iteration', '--print-data-log', '--files', files.join(',')], { timeoutMs: 120_000 });
    const text = r.out + r.stderr;
    for (const bad of [/Exception/, /isvalid: false/, /Mismatches in/, /timestamp mismatch/i, /out of order/i, /corrupt/i, /Found \d+ invalid/, /ERROR/]) {
      expect(text, `DumpLogSegments output matched ${bad}`).not.toMatch(bad);
    }
    const payloads = [...r.out.matchAll(/key: (\w+)(?: payload: (\S+))?$/gm)].map((m) => `${m[1]}=${m[2] ?? 'null'}`);
    expect(payloads).toEqual(['a=a11', 'c=c11', 'd=d1', 'b=null']);
    // The producer's superseded batch stays as an empty batch carrying its producer state.
    expect(r.out).toMatch(/baseOffset: 36 lastOffset: 36 count: 0 baseSequence: 0 lastSequence: 0 producerId: 5 producerEpoch: 1/);
    // The tombstone's batch carries the delete horizon (KIP-534).
    expect(r.out).toMatch(/deleteHorizonMs: OptionalLong\[1700086400000\].* isvalid: true/);
  });
});
