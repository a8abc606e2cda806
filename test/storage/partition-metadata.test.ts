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
  test('is `version: 0` and `topic_id: <uuid>` without a final newline: the 43 bytes Kafka writes', () => {
    const id = randomKafkaUuid();
    writePartitionMetadata(dir, id);
    const bytes = fs.readFileSync(path.join(dir, 'partition.metadata'));
    expect(bytes.toString('utf8')).toBe(`version: 0\ntopic_id: ${id}`);
    expect(bytes.length).toBe(43);
    expect(readPartitionMetadata(dir)).toBe(id);
  });

  test('reads the file with or without a final newline', () => {
    const id = randomKafkaUuid();
    for (const text of [`version: 0\ntopic_id: ${id}`, `version: 0\ntopic_id: ${id}\n`]) {
      fs.writeFileSync(path.join(dir, 'partition.metadata'), text);
      expect(readPartitionMetadata(dir)).toBe(id);
    }
  });

  test('a missing file reads as null; a malformed one is an error', () => {
    expect(readPartitionMetadata(dir)).toBeNull();
    fs.writeFileSync(path.join(dir, 'partition.metadata'), 'version: 1\ntopic_id: nope\n');
    expect(() => readPartitionMetadata(dir)).toThrow(/Malformed/);
  });
});
