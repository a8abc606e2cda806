import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CheckpointFile, CorruptCheckpointError } from '../../src/storage/checkpoint-file.js';
import { OffsetCheckpointFile, OffsetCheckpointName } from '../../src/storage/offset-checkpoint-file.js';
import { removeDir, tempDir } from './support/batches.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('offset checkpoint files', () => {
  test('are written byte-exactly as Kafka does: version, count, `topic partition offset` lines', () => {
    const file = new OffsetCheckpointFile(dir, OffsetCheckpointName.recoveryPoint);
    file.write([
      { topic: 'orders', partition: 1, offset: 42 },
      { topic: 'audit.log_v2', partition: 0, offset: 7 },
      { topic: 'orders', partition: 0, offset: 1234567890123 },
    ]);
    expect(fs.readFileSync(path.join(dir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe(
      '0\n3\naudit.log_v2 0 7\norders 0 1234567890123\norders 1 42\n',
    );
    expect(fs.existsSync(path.join(dir, 'recovery-point-offset-checkpoint.tmp'))).toBe(false);
    expect([...file.read()]).toEqual([
      ['audit.log_v2-0', 7],
      ['orders-0', 1234567890123],
      ['orders-1', 42],
    ]);
  });

  test('any set of partitions round-trips', () => {
    const file = new OffsetCheckpointFile(dir, OffsetCheckpointName.recoveryPoint);
    const topic = fc.stringMatching(/^[a-zA-Z0-9._-]{1,30}$/);
    const entry = fc.record({ topic, partition: fc.nat(10_000), offset: fc.nat({ max: Number.MAX_SAFE_INTEGER }) });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => `${e.topic}-${e.partition}`, maxLength: 30 }), (entries) => {
        file.write(entries);
        expect(file.read()).toEqual(new Map(entries.map((e) => [`${e.topic}-${e.partition}`, e.offset])));
      }),
      { numRuns: 50 },
    );
  });

  test('an empty checkpoint is `0`, `0`; a missing one reads as empty', () => {
    const file = new OffsetCheckpointFile(dir, OffsetCheckpointName.logStartOffset);
    expect(file.read().size).toBe(0);
    file.write([]);
    expect(fs.readFileSync(path.join(dir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n0\n');
  });

  test('malformed files are reported, not misread', () => {
    const p = path.join(dir, 'replication-offset-checkpoint');
    const file = new OffsetCheckpointFile(dir, OffsetCheckpointName.replicationOffset);
    for (const text of ['1\n0\n', '0\n2\nt 0 1\n', '0\n1\nt zero 1\n', '0\n1\nt 0\n', 'garbage']) {
      fs.writeFileSync(p, text);
      expect(() => file.read(), text).toThrow(CorruptCheckpointError);
    }
  });

  test('a generic checkpoint file created empty (as Kafka creates them) reads as no entries', () => {
    const p = path.join(dir, 'x');
    fs.writeFileSync(p, '');
    const file = new CheckpointFile(p, 0, { toLine: String, fromLine: (l) => l });
    expect(file.read()).toEqual([]);
  });
});
