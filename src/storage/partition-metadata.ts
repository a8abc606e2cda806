// Kafka's PartitionMetadataFile: `partition.metadata` ties a partition directory to its topic id.
import * as path from 'node:path';
import { readTextIfExists, writeFileDurably } from './durable-file.js';
import { isKafkaUuid } from './kafka-uuid.js';

/** The file name inside each partition directory. */
const PARTITION_METADATA_FILE = 'partition.metadata';

/** Writes `version: 0` / `topic_id: <uuid>` atomically, byte for byte as Kafka does (no final newline). */
export function writePartitionMetadata(partitionDir: string, topicId: string): void {
  writeFileDurably(path.join(partitionDir, PARTITION_METADATA_FILE), `version: 0\ntopic_id: ${topicId}`);
}

/** The topic id recorded in the partition directory (with or without a final newline), or null when the file is absent. */
export function readPartitionMetadata(partitionDir: string): string | null {
  const file = path.join(partitionDir, PARTITION_METADATA_FILE);
  const text = readTextIfExists(file);
  if (text === null) return null;
  const lines = text.split('\n').map((l) => l.trim());
  const version = /^version:\s*(\d+)$/.exec(lines[0] ?? '');
  const topicId = /^topic_id:\s*(\S+)$/.exec(lines[1] ?? '');
  if (!version || version[1] !== '0' || !topicId || !isKafkaUuid(topicId[1])) {
    throw new Error(`Malformed ${file}: ${JSON.stringify(text)}`);
  }
  return topicId[1];
}
