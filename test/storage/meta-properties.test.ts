import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { isKafkaUuid, randomKafkaUuid } from '../../src/storage/kafka-uuid.js';
import { loadOrFormatMetaProperties, MetaPropertiesError, readMetaProperties, writeMetaProperties } from '../../src/storage/meta-properties.js';
import { removeDir, tempDir } from './support/batches.js';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('meta.properties', () => {
  test('random Kafka uuids are 22 base64url characters and never start with "-"', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomKafkaUuid();
      expect(isKafkaUuid(id)).toBe(true);
      expect(id.startsWith('-')).toBe(false);
    }
  });

  test('is written in Java properties form with the KRaft v1 keys', () => {
    writeMetaProperties(dir, { version: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', nodeId: 3, directoryId: 'qG7bFR0hQmGR9XI5dWfFxQ' }, new Date(Date.UTC(2026, 10, 23, 9, 5, 7)));
    expect(fs.readFileSync(path.join(dir, 'meta.properties'), 'utf8')).toBe(
      '#\n#Mon Nov 23 09:05:07 UTC 2026\nversion=1\ncluster.id=MkU3OEVBNTcwNTJENDM2Qg\nnode.id=3\ndirectory.id=qG7bFR0hQmGR9XI5dWfFxQ\n',
    );
    expect(readMetaProperties(dir)).toEqual({ version: 1, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', nodeId: 3, directoryId: 'qG7bFR0hQmGR9XI5dWfFxQ' });
  });

  test('formatting gives every dir the same cluster id, keeps it across restarts, and refuses another node id', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    const first = loadOrFormatMetaProperties([a, b], 1);
    const ma = first.get(a)!;
    const mb = first.get(b)!;
    expect(isKafkaUuid(ma.clusterId)).toBe(true);
    expect(mb.clusterId).toBe(ma.clusterId);
    expect(ma.directoryId).not.toBe(mb.directoryId);
    const again = loadOrFormatMetaProperties([a, b], 1);
    expect(again.get(a)).toEqual(ma);
    expect(() => loadOrFormatMetaProperties([a], 2)).toThrow(MetaPropertiesError);
  });

  test('reads a meta.properties written by Kafka (any key order, comments)', () => {
    fs.writeFileSync(
      path.join(dir, 'meta.properties'),
      '#\n#Tue Nov 18 10:00:00 UTC 2025\nnode.id=1\ndirectory.id=7vGqD2p0SfyMJ5bPjR6P2A\nversion=1\ncluster.id=4L6g3nShT-eMCtK--X86sw\n',
    );
    expect(readMetaProperties(dir)).toEqual({ version: 1, clusterId: '4L6g3nShT-eMCtK--X86sw', nodeId: 1, directoryId: '7vGqD2p0SfyMJ5bPjR6P2A' });
  });
});
