// One partition's batch of records (Kafka's ProducerBatch): the native builder holding the bytes,
// the per-record callbacks, and the retry and idempotence state the sender keeps on it.
import type { KafkaProducerError } from './errors.js';

/** A record header as the native builder takes it. */
export interface BatchHeader {
  key: string;
  value: Buffer | null;
}

/** A batch builder's shape (NativeBatch, in src/producer/native-batch.ts, implements it). */
export interface BatchBuilder {
  tryAppend(timestamp: number, key: Buffer | null, value: Buffer | null, headers: BatchHeader[] | null): boolean;
  readonly recordCount: number;
  readonly estimatedSizeInBytes: number;
  close(producerId: bigint | number, producerEpoch: number, baseSequence: number): Buffer;
}

/** Creates a builder for a new batch (the producer passes NativeBatch; tests may pass a stand-in). */
export type BatchFactory = (opts: { compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'; batchSize: number; baseTimestamp?: number; buffer?: Buffer }) => BatchBuilder;

/** A topic-partition; one object per partition so it can key maps by identity. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** What every acknowledged record resolves with (Java's RecordMetadata). */
export interface RecordMetadata {
  topic: string;
  partition: number;
  /** The record's offset; -1n when acks=0 or when the broker could not tell (duplicate). */
  offset: bigint;
  /** CreateTime given or assigned, or the broker's LogAppendTime when the topic uses it. */
  timestamp: number;
}

/** Told once per record: the error, or its metadata. */
export type RecordCallback = (err: KafkaProducerError | null, metadata: RecordMetadata | null) => void;

/** Kafka's RecordBatch.NO_SEQUENCE. */
export const NO_SEQUENCE = -1;

// new Promise(executor) with one shared executor: no closure per batch deferred.
let capturedResolve: (batch: ProducerBatch) => void = () => {};
let capturedReject: (err: KafkaProducerError) => void = () => {};
function captureSettlers(resolve: (batch: ProducerBatch) => void, reject: (err: KafkaProducerError) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * The reaction every promised record registers on its batch's deferred: reactions run in the
 * order they were registered, so each takes the next promised record's metadata (no closure per record).
 */
function nextPromisedMetadata(batch: ProducerBatch): RecordMetadata {
  return batch.takePromisedMetadata();
}

/** A batch for one partition, from its first append until it is acknowledged or failed. */
export class ProducerBatch {
  /** Per record: its callback, or null for a record whose promise hangs off the batch deferred. */
  private readonly callbacks: (RecordCallback | null)[] = [];
  private readonly timestamps: number[] = [];
  /** Settled once for the whole batch; promised records chain one reaction each on it. */
  private deferred: Promise<ProducerBatch> | null = null;
  private resolveDeferred: ((batch: ProducerBatch) => void) | null = null;
  private rejectDeferred: ((err: KafkaProducerError) => void) | null = null;
  /** Index from which takePromisedMetadata looks for the next promised record. */
  private promisedCursor = 0;
  private baseOffset = -1n;
  /** baseOffset as a number when it is a safe integer (one BigInt per record's offset, not two), else -1. */
  private baseOffsetNumber = -1;
  private logAppendTime = -1;
  private encoded: Buffer | null = null;
  /** The producer state `encoded` was closed or re-stamped with. */
  private encodedProducerId = -1n;
  private encodedEpoch = -1;
  private encodedSequence = NO_SEQUENCE;
  /** Send attempts so far. */
  attempts = 0;
  /** When it was created or last re-enqueued for a retry (Java's lastAttemptMs). */
  lastAttemptMs: number;
  /** Backoff before its next retry, fixed when it is re-enqueued. */
  retryBackoffMs: number | undefined;
  /** When it was last handed to a request (delivery and in-flight expiry). */
  drainedMs = -1;
  producerId = -1n;
  producerEpoch = -1;
  baseSequence = NO_SEQUENCE;
  /** Its sequence was rewritten after an epoch bump (TransactionManager uses it to decide retries). */
  sequenceHasBeenReset = false;
  /** Completed (acknowledged, failed or expired): later responses for it are ignored. */
  done = false;
  /** No more appends: it is full, drained, or being flushed out. */
  closedForAppends = false;

  constructor(
    readonly tp: TopicPartition,
    private readonly builder: BatchBuilder,
    readonly createdMs: number,
    /** bufferMemory bytes this batch holds until it completes. */
    readonly reservedBytes: number,
    /** The pool's buffer the batch is built in, returned to the pool once acknowledged. */
    readonly buffer: Buffer | null = null,
  ) {
    this.lastAttemptMs = createdMs;
  }

  /**
   * Appends one record; false when the batch is full (it then takes no more). A null callback
   * means the caller takes the record's promise with promiseForLastRecord() right after.
   */
  tryAppend(timestamp: number, key: Buffer | null, value: Buffer | null, headers: BatchHeader[] | null, callback: RecordCallback | null): boolean {
    if (this.closedForAppends) return false;
    if (!this.builder.tryAppend(timestamp, key, value, headers)) {
      this.closedForAppends = true;
      return false;
    }
    this.callbacks.push(callback);
    this.timestamps.push(timestamp);
    return true;
  }

  get recordCount(): number {
    return this.callbacks.length;
  }

  get estimatedSizeInBytes(): number {
    return this.encoded?.length ?? this.builder.estimatedSizeInBytes;
  }

  /** Whether a batch of batchSize bytes is full (Java's isFull, so the sticky partitioner may switch). */
  isFull(batchSize: number): boolean {
    return this.closedForAppends || this.builder.estimatedSizeInBytes >= batchSize;
  }

  get hasSequence(): boolean {
    return this.baseSequence !== NO_SEQUENCE;
  }

  /** Sequence of the batch's last record. */
  get lastSequence(): number {
    return this.baseSequence + this.recordCount - 1;
  }

  /** Stamps the idempotent producer's id, epoch and base sequence (at first drain). */
  setProducerState(producerId: bigint, producerEpoch: number, baseSequence: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.baseSequence = baseSequence;
  }

  /** Rewrites id/epoch/sequence after an epoch bump; the bytes are re-closed on the next send. */
  resetProducerState(producerId: bigint, producerEpoch: number, baseSequence: number): void {
    this.sequenceHasBeenReset = true;
    this.setProducerState(producerId, producerEpoch, baseSequence);
  }

  /** The complete v2 batch bytes (native memory, not copied), re-closed if the producer state changed. */
  records(): Buffer {
    this.closedForAppends = true;
    if (this.encoded === null || this.encodedProducerId !== this.producerId || this.encodedEpoch !== this.producerEpoch || this.encodedSequence !== this.baseSequence) {
      this.encoded = this.builder.close(this.producerId, this.producerEpoch, this.baseSequence);
      this.encodedProducerId = this.producerId;
      this.encodedEpoch = this.producerEpoch;
      this.encodedSequence = this.baseSequence;
    }
    return this.encoded;
  }

  /** The promise of the record just appended with a null callback: one reaction on the batch deferred. */
  promiseForLastRecord(): Promise<RecordMetadata> {
    if (this.deferred === null) {
      this.deferred = new Promise(captureSettlers);
      this.resolveDeferred = capturedResolve;
      this.rejectDeferred = capturedReject;
    }
    return this.deferred.then(nextPromisedMetadata);
  }

  /** Metadata of the next promised record (reactions run in registration order, i.e. record order). */
  takePromisedMetadata(): RecordMetadata {
    let i = this.promisedCursor;
    const n = this.callbacks.length;
    while (i < n && this.callbacks[i] !== null) i++;
    this.promisedCursor = i + 1;
    return this.metadataAt(i);
  }

  private metadataAt(i: number): RecordMetadata {
    return {
      topic: this.tp.topic,
      partition: this.tp.partition,
      offset: this.baseOffsetNumber >= 0 ? BigInt(this.baseOffsetNumber + i) : this.baseOffset >= 0n ? this.baseOffset + BigInt(i) : -1n,
      timestamp: this.logAppendTime >= 0 ? this.logAppendTime : this.timestamps[i],
    };
  }

  /** Resolves every record: offsets from baseOffset, timestamps from logAppendTime when it is set. */
  complete(baseOffset: bigint, logAppendTime: number): void {
    if (this.done) return;
    this.done = true;
    this.baseOffset = baseOffset;
    if (baseOffset >= 0n && baseOffset <= BigInt(Number.MAX_SAFE_INTEGER - this.callbacks.length)) this.baseOffsetNumber = Number(baseOffset);
    this.logAppendTime = logAppendTime;
    if (this.resolveDeferred !== null) this.resolveDeferred(this);
    for (let i = 0; i < this.callbacks.length; i++) {
      const cb = this.callbacks[i];
      if (cb !== null) cb(null, this.metadataAt(i));
    }
  }

  /** Rejects every record with err. */
  fail(err: KafkaProducerError): void {
    if (this.done) return;
    this.done = true;
    if (this.rejectDeferred !== null) this.rejectDeferred(err);
    for (let i = 0; i < this.callbacks.length; i++) {
      const cb = this.callbacks[i];
      if (cb !== null) cb(err, null);
    }
  }
}
