// The log-dir-level offset checkpoints (recovery-point-offset-checkpoint, log-start-offset-checkpoint,
// replication-offset-checkpoint): `topic partition offset` lines, version 0.
import * as path from 'node:path';
import { CheckpointFile, parseStrictInt } from './checkpoint-file.js';

/** File names Kafka uses for the per-log-dir offset checkpoints. */
export const OffsetCheckpointName = {
  recoveryPoint: 'recovery-point-offset-checkpoint',
  logStartOffset: 'log-start-offset-checkpoint',
  replicationOffset: 'replication-offset-checkpoint',
} as const;

/** One partition's checkpointed offset. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** The key LogManager files partitions under: the partition directory name `<topic>-<partition>`. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Reads and writes one `topic partition offset` checkpoint in a log dir. */
export class OffsetCheckpointFile {
  private readonly file: CheckpointFile<PartitionOffset>;

  constructor(logDir: string, name: string) {
    this.file = new CheckpointFile(path.join(logDir, name), 0, {
      toLine: (e) => `${e.topic} ${e.partition} ${e.offset}`,
      fromLine: (line) => {
        const parts = line.trim().split(/\s+/);
        if (parts.length !== 3) return null;
        const partition = parseStrictInt(parts[1]);
        const offset = parseStrictInt(parts[2]);
        if (partition === null || offset === null || partition < 0) return null;
        return { topic: parts[0], partition, offset };
      },
    });
  }

  /** Writes the entries sorted by topic then partition (stable output for the same state). */
  write(entries: readonly PartitionOffset[]): void {
    const sorted = [...entries].sort((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
    );
    this.file.write(sorted);
  }

  /** Offsets keyed by `<topic>-<partition>`; empty when the file is missing. */
  read(): Map<string, number> {
    const map = new Map<string, number>();
    for (const e of this.file.read()) map.set(partitionKey(e.topic, e.partition), e.offset);
    return map;
  }
}
