// The idempotent part of Kafka's TransactionManager: producer id and epoch, per-partition
// sequences and in-flight batches, and KIP-360's local epoch bump when sequences are lost.
import type { ErrorName, KafkaProducerError } from './errors.js';
import { NO_SEQUENCE, type ProducerBatch, type TopicPartition } from './producer-batch.js';

/** Kafka's NO_LAST_ACKED_SEQUENCE_NUMBER. */
const NO_LAST_ACKED = -1;
/** Largest epoch (int16); the next bump asks the broker for a new producer id instead. */
const MAX_EPOCH = 32767;
/** Java's Integer.MAX_VALUE: sequences wrap to 0 past it. */
const MAX_SEQUENCE = 2147483647;

/** Errors after which the producer can no longer send (Java's maybeTransitionToErrorState). */
const FATAL_ERRORS: ReadonlySet<string> = new Set(['CLUSTER_AUTHORIZATION_FAILED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'PRODUCER_FENCED', 'UNSUPPORTED_VERSION']);

/** Java's DefaultRecordBatch.incrementSequence: sequence + increment, wrapping past Integer.MAX_VALUE to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > MAX_SEQUENCE - increment ? increment - (MAX_SEQUENCE - sequence) - 1 : sequence + increment;
}

/** Sequence state of one partition (Kafka's TxnPartitionEntry). */
export class TxnPartitionEntry {
  /** The producer id and epoch these sequences belong to. */
  producerId = -1n;
  producerEpoch = -1;
  nextSequence = 0;
  lastAckedSequence = NO_LAST_ACKED;
  lastAckedOffset = -1n;
  /** Batches sent and not yet completed, by base sequence. */
  readonly inflight: ProducerBatch[] = [];
}

/** Producer id, epoch and sequences of an idempotent producer. */
export class IdempotenceManager {
  producerId = -1n;
  producerEpoch = -1;
  private readonly entries = new Map<TopicPartition, TxnPartitionEntry>();
  private epochBumpRequired = false;
  private readonly partitionsToRewriteSequences = new Set<TopicPartition>();
  /** Partitions with a sent batch whose fate is unknown (expired after being sent), with the sequence after it. */
  private readonly unresolved = new Map<TopicPartition, number>();
  /** Set once the producer cannot go on (Java's FATAL_ERROR state): nothing more is sent. */
  fatalError: KafkaProducerError | null = null;

  /** Enters the fatal state (Java's transitionToFatalError). */
  transitionToFatalError(err: KafkaProducerError): void {
    this.fatalError ??= err;
  }

  /** Whether an id was obtained and not reset. */
  hasProducerId(): boolean {
    return this.producerId >= 0n;
  }

  /** Adopts the id and epoch from InitProducerId. */
  setProducerIdAndEpoch(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
  }

  /** Forgets the id (Java's resetIdempotentProducerId); the sender asks for a new one. */
  resetProducerId(): void {
    this.producerId = -1n;
    this.producerEpoch = -1;
  }

  /** The entry of tp, created on first use. */
  entry(tp: TopicPartition): TxnPartitionEntry {
    let e = this.entries.get(tp);
    if (!e) this.entries.set(tp, (e = new TxnPartitionEntry()));
    return e;
  }

  /** Next sequence to assign for tp. */
  sequenceNumber(tp: TopicPartition): number {
    return this.entry(tp).nextSequence;
  }

  hasInflightBatches(tp: TopicPartition): boolean {
    return this.entry(tp).inflight.length > 0;
  }

  /** Base sequence of the oldest in-flight batch of tp, or NO_SEQUENCE. */
  firstInFlightSequence(tp: TopicPartition): number {
    const first = this.entry(tp).inflight[0];
    return first ? first.baseSequence : NO_SEQUENCE;
  }

  /** Whether tp's sequences belong to an older id or epoch. */
  hasStaleProducerIdAndEpoch(tp: TopicPartition): boolean {
    const e = this.entry(tp);
    return e.producerId !== this.producerId || e.producerEpoch !== this.producerEpoch;
  }

  hasUnresolvedSequence(tp: TopicPartition): boolean {
    return this.unresolved.has(tp);
  }

  /** Whether seq directly follows tp's last acknowledged sequence. */
  isNextSequence(tp: TopicPartition, seq: number): boolean {
    return seq - this.entry(tp).lastAckedSequence === 1;
  }

  /**
   * Whether the sender must hold back tp's first queued batch now (Java's
   * shouldStopDrainBatchesForPartition): no id yet; a new epoch while old-epoch batches are in
   * flight; an unresolved sequence; or a retried batch that is not the oldest in flight.
   */
  shouldStopDrain(first: ProducerBatch): boolean {
    if (this.fatalError !== null || !this.hasProducerId()) return true;
    const tp = first.tp;
    if (!first.hasSequence) {
      if (this.hasInflightBatches(tp) && this.hasStaleProducerIdAndEpoch(tp)) return true;
      if (this.hasUnresolvedSequence(tp)) return true;
    }
    const firstInFlight = this.firstInFlightSequence(tp);
    return firstInFlight !== NO_SEQUENCE && first.hasSequence && first.baseSequence !== firstInFlight;
  }

  /** Gives a drained batch its id, epoch and sequences (first send only) and tracks it as in flight. */
  assignSequence(batch: ProducerBatch): void {
    if (batch.hasSequence) return;
    const tp = batch.tp;
    this.maybeUpdateProducerIdAndEpoch(tp);
    const e = this.entry(tp);
    batch.setProducerState(this.producerId, this.producerEpoch, e.nextSequence);
    e.nextSequence = incrementSequence(e.nextSequence, batch.recordCount);
    e.inflight.push(batch);
  }

  /** Once tp has nothing in flight from an older epoch, its sequences restart at 0 in the current one. */
  maybeUpdateProducerIdAndEpoch(tp: TopicPartition): void {
    if (this.hasStaleProducerIdAndEpoch(tp) && !this.hasInflightBatches(tp)) this.startSequencesAtBeginning(tp);
  }

  /** Renumbers tp's in-flight batches from 0 under the current id and epoch. */
  private startSequencesAtBeginning(tp: TopicPartition): void {
    const e = this.entry(tp);
    let seq = 0;
    for (const b of e.inflight) {
      b.resetProducerState(this.producerId, this.producerEpoch, seq);
      seq += b.recordCount;
    }
    e.producerId = this.producerId;
    e.producerEpoch = this.producerEpoch;
    e.nextSequence = seq;
    e.lastAckedSequence = NO_LAST_ACKED;
  }

  private removeInFlightBatch(batch: ProducerBatch): void {
    const list = this.entry(batch.tp).inflight;
    const i = list.indexOf(batch);
    if (i >= 0) list.splice(i, 1);
  }

  /** Records an acknowledged batch. */
  handleCompletedBatch(batch: ProducerBatch, baseOffset: bigint): void {
    const e = this.entry(batch.tp);
    if (batch.producerId === e.producerId && batch.producerEpoch === e.producerEpoch && batch.lastSequence > e.lastAckedSequence) {
      e.lastAckedSequence = batch.lastSequence;
      if (baseOffset >= 0n) e.lastAckedOffset = baseOffset + BigInt(batch.recordCount - 1);
    }
    this.removeInFlightBatch(batch);
  }

  /**
   * Records a batch that failed for good (Java's handleFailedBatch). A fatal error stops the
   * producer. A gap in the log (OUT_OF_ORDER_SEQUENCE_NUMBER) bumps the epoch; lost producer
   * state (UNKNOWN_PRODUCER_ID) restarts tp's sequences; any other error the broker answered
   * while retries were left (adjustSequenceNumbers) bumps the epoch too, so the batches after
   * the failed one are renumbered from 0 instead of being refused for the gap.
   */
  handleFailedBatch(batch: ProducerBatch, err: KafkaProducerError, adjustSequenceNumbers: boolean): void {
    if (FATAL_ERRORS.has(err.type)) this.transitionToFatalError(err);
    this.removeInFlightBatch(batch);
    if (this.fatalError !== null || !batch.hasSequence) return;
    if (err.type === 'OUT_OF_ORDER_SEQUENCE_NUMBER') this.requestEpochBumpForPartition(batch.tp);
    else if (err.type === 'UNKNOWN_PRODUCER_ID') this.resetSequenceForPartition(batch.tp);
    else if (adjustSequenceNumbers) this.requestEpochBumpForPartition(batch.tp);
  }

  /** Java's resetSequenceForPartition: tp starts over at sequence 0 (the broker has no state for it). */
  private resetSequenceForPartition(tp: TopicPartition): void {
    this.entries.delete(tp);
    this.unresolved.delete(tp);
  }

  /**
   * A sent batch expired: until tp's in-flight batches settle nothing new drains for it; then
   * either a later batch was acknowledged (resolved) or the epoch is bumped (Java's markSequenceUnresolved).
   */
  markSequenceUnresolved(batch: ProducerBatch): void {
    const next = batch.lastSequence + 1;
    const prev = this.unresolved.get(batch.tp);
    this.unresolved.set(batch.tp, prev === undefined ? next : Math.max(prev, next));
  }

  /** Whether seq directly follows tp's unresolved batch (Java's isNextSequenceForUnresolvedPartition). */
  private isNextSequenceForUnresolvedPartition(tp: TopicPartition, seq: number): boolean {
    const next = this.unresolved.get(tp);
    return next !== undefined && seq === next;
  }

  /** Settles unresolved partitions whose in-flight batches are done: resolved, or an epoch bump. */
  maybeResolveSequences(): void {
    for (const tp of this.unresolved.keys()) {
      if (this.hasInflightBatches(tp)) continue;
      this.unresolved.delete(tp);
      // Everything assigned was acknowledged after the failure: the failed batch was written.
      if (!this.isNextSequence(tp, this.sequenceNumber(tp))) this.requestEpochBumpForPartition(tp);
    }
  }

  /** Asks for a local epoch bump (KIP-360) that renumbers tp's in-flight batches from 0. */
  requestEpochBumpForPartition(tp: TopicPartition): void {
    this.epochBumpRequired = true;
    this.partitionsToRewriteSequences.add(tp);
  }

  /** Performs a requested epoch bump; at the largest epoch it resets the id instead (new InitProducerId). */
  bumpEpochIfNeeded(): void {
    if (!this.epochBumpRequired) return;
    this.epochBumpRequired = false;
    if (this.producerEpoch >= MAX_EPOCH || !this.hasProducerId()) {
      this.resetProducerId();
      this.partitionsToRewriteSequences.clear();
      return;
    }
    this.producerEpoch += 1;
    for (const tp of this.partitionsToRewriteSequences) {
      this.startSequencesAtBeginning(tp);
      this.unresolved.delete(tp);
    }
    this.partitionsToRewriteSequences.clear();
  }

  /**
   * Whether a batch the broker refused may be retried, and whether that needs an epoch bump
   * (Java's TransactionManager.canRetry for a non-transactional producer).
   */
  canRetry(type: ErrorName, batch: ProducerBatch, logStartOffset: bigint, retriable: boolean): boolean {
    const tp = batch.tp;
    if (type === 'UNKNOWN_PRODUCER_ID') {
      if (logStartOffset === -1n) return true;
      if (batch.sequenceHasBeenReset) return true;
      // Retention removed the producer's state, or the broker lost it: retry under a new epoch.
      this.requestEpochBumpForPartition(tp);
      return true;
    }
    if (type === 'OUT_OF_ORDER_SEQUENCE_NUMBER') {
      if (!this.hasUnresolvedSequence(tp) && (batch.sequenceHasBeenReset || !this.isNextSequence(tp, batch.baseSequence))) {
        // Not the batch right after the last acknowledged one: an earlier batch is still pending.
        return true;
      }
      // A real gap: nothing unresolved, or this batch directly follows the unresolved one.
      if (!this.hasUnresolvedSequence(tp) || this.isNextSequenceForUnresolvedPartition(tp, batch.baseSequence)) this.requestEpochBumpForPartition(tp);
      return true;
    }
    return retriable;
  }

  /** Puts a retried batch in its partition's queue ordered by sequence (Java's insertInSequenceOrder). */
  static insertInSequenceOrder(queue: ProducerBatch[], batch: ProducerBatch): void {
    let i = 0;
    while (i < queue.length && queue[i].hasSequence && queue[i].baseSequence < batch.baseSequence) i++;
    queue.splice(i, 0, batch);
  }
}
