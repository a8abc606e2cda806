import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';
import { removeDir, tempDir } from './support/batches.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('leader-epoch-checkpoint', () => {
  test('is `0`, count, `epoch startOffset` lines and survives reopening', () => {
    const cache = new LeaderEpochCache(dir);
    cache.assign(0, 0);
    cache.assign(0, 5); // same epoch later: no change
    cache.assign(3, 10);
    expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n3 10\n');
    expect(new LeaderEpochCache(dir).entries()).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
  });

  test('endOffsetFor follows Kafka: latest epoch ends at the LEO, others where the next starts', () => {
    const cache = new LeaderEpochCache(dir);
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(5, 30);
    expect(cache.endOffsetFor(5, 45)).toEqual({ leaderEpoch: 5, endOffset: 45 });
    expect(cache.endOffsetFor(2, 45)).toEqual({ leaderEpoch: 2, endOffset: 30 });
    expect(cache.endOffsetFor(3, 45)).toEqual({ leaderEpoch: 2, endOffset: 30 });
    expect(cache.endOffsetFor(0, 45)).toEqual({ leaderEpoch: 0, endOffset: 0 });
    expect(cache.endOffsetFor(9, 45)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(cache.endOffsetFor(-1, 45)).toEqual({ leaderEpoch: -1, endOffset: -1 });
    expect(cache.epochForOffset(29)).toBe(2);
    expect(cache.epochForOffset(30)).toBe(5);
  });

  test('truncation from the start keeps the epoch covering the new start; from the end drops later epochs', () => {
    const cache = new LeaderEpochCache(dir);
    cache.assign(1, 0);
    cache.assign(2, 10);
    cache.assign(5, 30);
    cache.truncateFromStart(15);
    expect(cache.entries()).toEqual([
      { epoch: 2, startOffset: 15 },
      { epoch: 5, startOffset: 30 },
    ]);
    cache.truncateFromEnd(30);
    expect(cache.entries()).toEqual([{ epoch: 2, startOffset: 15 }]);
    expect(fs.readFileSync(path.join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n2 15\n');
  });
});
