// Kafka's LeaderEpochFileCache: which leader epoch started at which offset, persisted in the
// partition's `leader-epoch-checkpoint` (version 0, `epoch startOffset` lines).
import * as path from 'node:path';
import { CheckpointFile, parseStrictInt } from './checkpoint-file.js';

/** One leader epoch and the first offset written in it. */
export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Kafka's UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET. */
const UNDEFINED_EPOCH = -1;

/** The partition's epoch history, kept sorted by epoch (and so by start offset). */
export class LeaderEpochCache {
  private readonly file: CheckpointFile<EpochEntry>;
  private epochs: EpochEntry[];

  constructor(partitionDir: string) {
    this.file = new CheckpointFile(path.join(partitionDir, 'leader-epoch-checkpoint'), 0, {
      toLine: (e) => `${e.epoch} ${e.startOffset}`,
      fromLine: (line) => {
        const parts = line.trim().split(/\s+/);
        if (parts.length !== 2) return null;
        const epoch = parseStrictInt(parts[0]);
        const startOffset = parseStrictInt(parts[1]);
        return epoch === null || startOffset === null ? null : { epoch, startOffset };
      },
    });
    this.epochs = this.file.read();
  }

  /** Every entry, oldest first (a copy). */
  entries(): EpochEntry[] {
    return this.epochs.map((e) => ({ ...e }));
  }

  /** The newest epoch, or -1 when none was ever assigned. */
  latestEpoch(): number {
    return this.epochs.length === 0 ? UNDEFINED_EPOCH : this.epochs[this.epochs.length - 1].epoch;
  }

  /** The oldest entry, if any. */
  earliestEntry(): EpochEntry | undefined {
    return this.epochs[0];
  }

  /** Records that `epoch` starts at `startOffset`; persists only when that changes the history. */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0 || startOffset < 0) return;
    const last = this.epochs[this.epochs.length - 1];
    if (last && last.epoch === epoch && startOffset >= last.startOffset) return;
    // Like Kafka: a new entry drops any entry it contradicts (same or later epoch or offset).
    this.epochs = this.epochs.filter((e) => e.epoch < epoch && e.startOffset < startOffset);
    this.epochs.push({ epoch, startOffset });
    this.flush();
  }

  /** The epoch that was current when `offset` was written, or -1 when unknown. */
  epochForOffset(offset: number): number {
    let found = UNDEFINED_EPOCH;
    for (const e of this.epochs) {
      if (e.startOffset <= offset) found = e.epoch;
      else break;
    }
    return found;
  }

  /**
   * Kafka's endOffsetFor: the largest epoch <= requested and the start offset of the next epoch
   * (logEndOffset for the latest epoch); -1/-1 when unknown.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    const undefinedResult = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH };
    if (requestedEpoch === UNDEFINED_EPOCH) return undefinedResult;
    if (this.epochs.length > 0 && this.latestEpoch() === requestedEpoch) {
      return { leaderEpoch: requestedEpoch, endOffset: logEndOffset };
    }
    const higher = this.epochs.find((e) => e.epoch > requestedEpoch);
    if (!higher) return undefinedResult;
    const floor = [...this.epochs].reverse().find((e) => e.epoch <= requestedEpoch);
    if (!floor) return { leaderEpoch: requestedEpoch, endOffset: higher.startOffset };
    return { leaderEpoch: floor.epoch, endOffset: higher.startOffset };
  }

  /** Drops entries starting at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    const kept = this.epochs.filter((e) => e.startOffset < endOffset);
    if (kept.length === this.epochs.length) return;
    this.epochs = kept;
    this.flush();
  }

  /** The log start moved to `startOffset`: older entries go, the one covering it starts there. */
  truncateFromStart(startOffset: number): void {
    const removed = this.epochs.filter((e) => e.startOffset <= startOffset);
    if (removed.length === 0) return;
    const lastRemoved = removed[removed.length - 1];
    if (removed.length === 1 && lastRemoved.startOffset === startOffset) return;
    this.epochs = [{ epoch: lastRemoved.epoch, startOffset }, ...this.epochs.filter((e) => e.startOffset > startOffset)];
    this.flush();
  }

  /** Forgets everything (the log was emptied). */
  clear(): void {
    if (this.epochs.length === 0) return;
    this.epochs = [];
    this.flush();
  }

  /** Writes the checkpoint file. */
  flush(): void {
    this.file.write(this.epochs);
  }
}
