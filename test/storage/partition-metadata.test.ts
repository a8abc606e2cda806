import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { randomKafkaUuid } from '../../src/storage/kafka-uuid.js';
import { readPartitionMetadata, writePartitionMetadata } from '../../src/storage/partition-metadata.js';
import { removeDir, tempDir } from './support/batches.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('partition.metadata', () => {
  test('is `version: 0` and `topic_id: <uuid>`', () => {
    const id = randomKafkaUuid();
    writePartitionMetadata(dir, id);
    expect(fs.readFileSync(path.join(dir, 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${id}\n`);
    expect(readPartitionMetadata(dir)).toBe(id);
  });

  test('a missing file reads as null; a malformed one is an error', () => {
    expect(readPartitionMetadata(dir)).toBeNull();
    fs.writeFileSync(path.join(dir, 'partition.metadata'), 'version: 1\ntopic_id: nope\n');
    expect(() => readPartitionMetadata(dir)).toThrow(/Malformed/);
  });
});
