// kill -9 at every step of the cleaner's swap (Kafka's .cleaned → .swap → live names, old
// segments → .deleted): the next open finishes or undoes the swap, never losing the latest value
// of a key, never reordering, never leaving transient files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { native, type CleanLogResult } from '../../src/native/index.js';
import { offsetFileStem } from '../../src/storage/log-file-names.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { closeQuietly, config, removeDir, tempDir } from './support/batches.js';
import { keyedBatch, latestByKey, readAllKeyed, type Entry, type ReadRecord } from './support/compacted.js';

const NOW = 1_700_000_000_000;
const logConfig = config({ segmentBytes: 2048, cleanupPolicy: ['compact'] });

let pristine: string; // a closed log dir holding `.cleaned` files for every group, nothing swapped
let written: Entry[];
let original: ReadRecord[];
let result: CleanLogResult;
const open: PartitionLog[] = [];
const dirs: string[] = [];

function openDir(dir: string): PartitionLog {
  const log = PartitionLog.open({ dir, topic: 't', partition: 0, config: logConfig, hadCleanShutdown: false, recoveryPoint: 0, clock: () => NOW });
  open.push(log);
  return log;
}

beforeAll(async () => {
  const root = tempDir('sluice-cleaner-crash-');
  dirs.push(root);
  pristine = path.join(root, 't-0');
  const log = openDir(pristine);
  written = [];
  for (let r = 0; r < 16; r++) {
    for (let k = 0; k < 10; k += 5) {
      const entries: Entry[] = [0, 1, 2, 3, 4].map((j) => [`key-${k + j}`, `value-${k + j}-${r}`]);
      log.appendAsLeader(keyedBatch(entries, { timestamp: NOW + r, compression: r % 2 === 0 ? 0 : 1 }), 0);
      written.push(...entries);
    }
  }
  log.roll();
  original = readAllKeyed(log);
  const bases = log.segmentBaseOffsets();
  const sizes = log.segmentSummaries().map((seg) => seg.size);
  log.close();
  result = await native.cleanLog(
    {
      dir: pristine,
      segments: bases.slice(0, -1),
      firstDirtyOffset: 0,
      firstUncleanableOffset: bases[bases.length - 1],
      dedupeBufferSize: 1 << 20,
      loadFactor: 0.9,
      maxSegmentBytes: sizes[0] + sizes[1], // the first two segments make one group
      maxIndexBytes: logConfig.segmentIndexBytes,
      indexIntervalBytes: logConfig.indexIntervalBytes,
      deleteRetentionMs: 86_400_000,
      nowMs: NOW,
      activeProducers: [],
    },
    native.newCleanerAbort(),
  );
});

afterEach(() => closeQuietly(open));
afterEach(() => {
  for (const d of dirs.splice(1)) removeDir(d);
});
afterAll(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** Every file rename of swapping in the first cleaned group, in the order PartitionLog.replaceSegments does them. */
function swapSteps(dir: string): [string, string][] {
  const group = result.groups[0];
  const at = (base: number, suffix: string) => path.join(dir, offsetFileStem(base) + suffix);
  const files = ['.log', '.index', '.timeindex'];
  return [
    ...files.map((f): [string, string] => [at(group.baseOffset, `${f}.cleaned`), at(group.baseOffset, `${f}.swap`)]),
    ...group.segments.flatMap((base) => files.map((f): [string, string] => [at(base, f), at(base, `${f}.deleted`)])),
    ...files.map((f): [string, string] => [at(group.baseOffset, `${f}.swap`), at(group.baseOffset, f)]),
  ];
}

describe('a crash during the swap of a cleaned segment', () => {
  test('the test log has several groups, each cleaned to fewer records', () => {
    expect(result.groups.length).toBeGreaterThan(1);
    expect(result.groups[0].segments.length).toBeGreaterThan(1);
    expect(result.messagesRetained).toBeLessThan(result.messagesRead);
  });

  test('after each rename of the swap the log reopens with every latest value, rolled back or forward', () => {
    const steps = swapSteps(pristine);
    expect(steps).toHaveLength(6 + 3 * result.groups[0].segments.length);
    for (let k = 0; k <= steps.length; k++) checkCrashAfter(k);
  });
});

function checkCrashAfter(k: number): void {
  const root = tempDir('sluice-cleaner-crash-');
  dirs.push(root);
  const dir = path.join(root, 't-0');
  fs.cpSync(pristine, dir, { recursive: true });
  for (const [from, to] of swapSteps(dir).slice(0, k)) fs.renameSync(from, to);

  const log = openDir(dir);
  const records = readAllKeyed(log);
  const context = `after ${k} rename(s)`;
  expect(new Map(records.map((r) => [r.key, r.value])), context).toEqual(latestByKey(written));
  const byOffset = new Map(original.map((r) => [r.offset, r]));
  for (let i = 0; i < records.length; i++) {
    expect(records[i], context).toEqual(byOffset.get(records[i].offset)); // nothing invented or moved
    if (i > 0) expect(records[i].offset, context).toBeGreaterThan(records[i - 1].offset);
  }
  expect(log.logEndOffset, context).toBe(original[original.length - 1].offset + 1);
  expect(fs.readdirSync(dir).filter((f) => /\.(cleaned|swap|deleted)$/.test(f)), context).toEqual([]);
  const groupEnd = result.groups[1].baseOffset;
  const before = original.filter((r) => r.offset < groupEnd).length;
  const inGroup = records.filter((r) => r.offset < groupEnd).length;
  // Until the swap files are all in place the swap is undone; from then on it is completed.
  if (k < 3) expect(inGroup, context).toBe(before);
  else expect(inGroup, context).toBeLessThan(before);
  // Appends continue after the recovered log end, and survive another reopen.
  const end = log.logEndOffset;
  expect(log.appendAsLeader(keyedBatch([['key-0', 'after']]), 0).baseOffset, context).toBe(end);
  log.close();
  const reopened = openDir(dir);
  expect(readAllKeyed(reopened).at(-1), context).toMatchObject({ offset: end, key: 'key-0', value: 'after' });
  reopened.close();
}
