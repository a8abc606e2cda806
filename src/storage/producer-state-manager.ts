// Kafka's ProducerStateManager: per idempotent producer, its epoch and last five batches, so
// retries are recognised as duplicates and gaps are refused; persisted in `<offset>.snapshot` files.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BatchInfo } from '../native/index.js';
import { KafkaError } from '../protocol/errors.js';
import { replaceFileUnsynced, writeFileDurably } from './durable-file.js';
import { offsetFileStem, offsetFromFileName, Suffix } from './log-file-names.js';
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotEntry,
} from './producer-snapshot.js';

/** Kafka keeps this many recent batches per producer for duplicate detection. */
const NUM_BATCHES_TO_RETAIN = 5;

const INT32_MAX = 2147483647;
const NO_PRODUCER_EPOCH = -1;
const NO_SEQUENCE = -1;

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Int32.MAX to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > INT32_MAX - increment) return increment - (INT32_MAX - sequence) - 1;
  return sequence + increment;
}

/** Kafka's DefaultRecordBatch.decrementSequence, the inverse of incrementSequence. */
export function decrementSequence(sequence: number, decrement: number): number {
  if (sequence < decrement) return INT32_MAX - (decrement - sequence) + 1;
  return sequence - decrement;
}

/** One written batch of a producer, as Kafka's BatchMetadata. */
export interface BatchMetadata {
  lastSeq: number;
  lastOffset: number;
  offsetDelta: number; // lastOffset - firstOffset (= lastSeq - firstSeq)
  timestamp: number; // the batch's max timestamp
}

/** First sequence number of a remembered batch. */
function firstSeqOf(b: BatchMetadata): number {
  return decrementSequence(b.lastSeq, b.offsetDelta);
}

/** Kafka's ProducerStateEntry: a producer's epoch and its most recent batches. */
export class ProducerStateEntry {
  readonly batches: BatchMetadata[] = [];
  lastTimestamp = -1;
  coordinatorEpoch = -1;
  currentTxnFirstOffset = -1;

  constructor(
    readonly producerId: number,
    public producerEpoch: number,
  ) {}

  /** Sequence of the last record written, or -1. */
  get lastSeq(): number {
    return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1].lastSeq;
  }

  /** The remembered batch with exactly this epoch and sequence range: a retry of it. */
  findDuplicateBatch(epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined;
    return this.batches.find((b) => b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq);
  }

  /** Records a written batch; a new epoch forgets the previous epoch's batches. */
  addBatch(epoch: number, batch: BatchMetadata): void {
    if (epoch !== this.producerEpoch) {
      this.producerEpoch = epoch;
      this.batches.length = 0;
    }
    if (this.batches.length === NUM_BATCHES_TO_RETAIN) this.batches.shift();
    this.batches.push(batch);
    this.lastTimestamp = batch.timestamp;
  }
}

/** Sequence range of a validated batch. */
function lastSequenceOf(batch: BatchInfo): number {
  return batch.baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(batch.baseSequence, batch.lastOffsetDelta);
}

/** Per-partition producer table plus its snapshot files in the partition directory. */
export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerStateEntry>();
  private lastMapOffset = 0;
  private lastSnapOffset = 0;

  constructor(readonly dir: string) {}

  /** The offset up to which the table reflects the log. */
  get mapEndOffset(): number {
    return this.lastMapOffset;
  }

  /** Number of producers currently tracked. */
  get producerCount(): number {
    return this.producers.size;
  }

  /** The state of one producer, if tracked. */
  lastEntry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** Each tracked producer with the last offset of its last batch (Kafka's lastRecordsOfActiveProducers). */
  lastDataOffsets(): { producerId: number; lastOffset: number }[] {
    const out: { producerId: number; lastOffset: number }[] = [];
    for (const [producerId, entry] of this.producers) {
      const last = entry.batches[entry.batches.length - 1];
      if (last) out.push({ producerId, lastOffset: last.lastOffset });
    }
    return out;
  }

  /**
   * Checks a client batch against the producer's state before anything is written: returns the
   * original batch when it is a retry, throws INVALID_PRODUCER_EPOCH / OUT_OF_ORDER_SEQUENCE_NUMBER.
   */
  checkLeaderAppend(batch: BatchInfo): BatchMetadata | undefined {
    if (batch.producerId < 0) return undefined;
    const entry = this.producers.get(batch.producerId);
    const epoch = batch.producerEpoch;
    const firstSeq = batch.baseSequence;
    const duplicate = entry?.findDuplicateBatch(epoch, firstSeq, lastSequenceOf(batch));
    if (duplicate) return duplicate;
    const currentEpoch = entry?.producerEpoch ?? NO_PRODUCER_EPOCH;
    if (epoch < currentEpoch) {
      throw new KafkaError(
        'INVALID_PRODUCER_EPOCH',
        `Epoch of producer ${batch.producerId} is ${epoch}, which is smaller than the last seen epoch ${currentEpoch}`,
      );
    }
    if (epoch !== currentEpoch) {
      if (firstSeq !== 0 && currentEpoch !== NO_PRODUCER_EPOCH) {
        throw new KafkaError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `Invalid sequence number for new epoch ${epoch} of producer ${batch.producerId}: ` +
            `${firstSeq} (must be 0), current epoch ${currentEpoch}`,
        );
      }
    } else {
      const lastSeq = entry!.lastSeq;
      // A producer whose batches all left the log (retention, DeleteRecords) may continue at any sequence.
      if (entry!.batches.length > 0 && !(firstSeq === lastSeq + 1 || (firstSeq === 0 && lastSeq === INT32_MAX))) {
        throw new KafkaError(
          'OUT_OF_ORDER_SEQUENCE_NUMBER',
          `Out of order sequence number for producer ${batch.producerId}: ` +
            `${firstSeq} (incoming seq. number), ${lastSeq} (current end sequence number)`,
        );
      }
    }
    return undefined;
  }

  /** Records a batch written at [firstOffset, lastOffset] (leader append or log replay). */
  update(batch: BatchInfo, lastOffset: number, maxTimestamp: number): void {
    if (batch.producerId < 0) return;
    let entry = this.producers.get(batch.producerId);
    if (!entry) {
      entry = new ProducerStateEntry(batch.producerId, batch.producerEpoch);
      this.producers.set(batch.producerId, entry);
    }
    entry.addBatch(batch.producerEpoch, {
      lastSeq: lastSequenceOf(batch),
      lastOffset,
      offsetDelta: batch.lastOffsetDelta,
      timestamp: maxTimestamp,
    });
  }

  /** Marks the table as reflecting the log up to `offset` (exclusive). */
  updateMapEndOffset(offset: number): void {
    this.lastMapOffset = offset;
  }

  /**
   * Writes `<mapEndOffset>.snapshot` when the table moved past the last snapshot (as Kafka), and
   * returns its path (null when there was nothing new). `sync: false` is Kafka's roll: the file is
   * not fsynced here but with the rolled segments, off the request path.
   */
  takeSnapshot(sync = true): string | null {
    if (this.lastMapOffset <= this.lastSnapOffset) return null;
    const entries: ProducerSnapshotEntry[] = [];
    for (const e of this.producers.values()) {
      const last = e.batches[e.batches.length - 1];
      if (!last) continue;
      entries.push({
        producerId: e.producerId,
        epoch: e.producerEpoch,
        lastSequence: last.lastSeq,
        lastOffset: last.lastOffset,
        offsetDelta: last.offsetDelta,
        timestamp: e.lastTimestamp,
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: e.currentTxnFirstOffset,
      });
    }
    const file = this.snapshotFile(this.lastMapOffset);
    (sync ? writeFileDurably : replaceFileUnsynced)(file, encodeProducerSnapshot(entries));
    this.lastSnapOffset = this.lastMapOffset;
    return file;
  }

  /** Offsets of the snapshot files present, ascending. */
  snapshotOffsets(): number[] {
    const offsets: number[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      const offset = offsetFromFileName(name, Suffix.snapshot);
      if (offset !== null) offsets.push(offset);
    }
    return offsets.sort((a, b) => a - b);
  }

  /**
   * Kafka's truncateAndReload at load time: drops snapshots outside (logStartOffset, logEndOffset],
   * then loads the newest readable one (corrupt ones are deleted). Afterwards mapEndOffset tells
   * the caller from where to replay the log.
   */
  loadFromSnapshots(logStartOffset: number, logEndOffset: number): void {
    this.producers.clear();
    for (const offset of this.snapshotOffsets()) {
      if (offset > logEndOffset || offset <= logStartOffset) this.deleteSnapshot(offset);
    }
    const candidates = this.snapshotOffsets().reverse();
    for (const offset of candidates) {
      try {
        const entries = decodeProducerSnapshot(fs.readFileSync(this.snapshotFile(offset)));
        for (const e of entries) {
          const entry = new ProducerStateEntry(e.producerId, e.epoch);
          entry.addBatch(e.epoch, {
            lastSeq: e.lastSequence,
            lastOffset: e.lastOffset,
            offsetDelta: e.offsetDelta,
            timestamp: e.timestamp,
          });
          entry.coordinatorEpoch = e.coordinatorEpoch;
          entry.currentTxnFirstOffset = e.currentTxnFirstOffset;
          this.producers.set(e.producerId, entry);
        }
        this.lastMapOffset = this.lastSnapOffset = offset;
        return;
      } catch (err) {
        if (!(err instanceof CorruptSnapshotError)) throw err;
        this.producers.clear();
        this.deleteSnapshot(offset);
      }
    }
    this.lastMapOffset = this.lastSnapOffset = logStartOffset;
  }

  /** Forgets producers idle for expirationMs (Kafka's producer.id.expiration.ms). */
  removeExpiredProducers(nowMs: number, expirationMs: number): void {
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs) this.producers.delete(id);
    }
  }

  /** Deletes snapshot files below `offset` (their segments are gone). */
  deleteSnapshotsBefore(offset: number): void {
    for (const o of this.snapshotOffsets()) if (o < offset) this.deleteSnapshot(o);
  }

  /** Empties the table and removes every snapshot (the log was emptied and restarts at `offset`). */
  truncateFullyAndStartAt(offset: number): void {
    this.producers.clear();
    for (const o of this.snapshotOffsets()) this.deleteSnapshot(o);
    this.lastMapOffset = this.lastSnapOffset = offset;
  }

  private deleteSnapshot(offset: number): void {
    fs.rmSync(this.snapshotFile(offset), { force: true });
  }

  private snapshotFile(offset: number): string {
    return path.join(this.dir, offsetFileStem(offset) + Suffix.snapshot);
  }
}
