// Kafka's RecordAccumulator: per-partition queues of batches built natively, readiness by
// linger/batch size/flush/memory pressure, and the drain that turns them into one request per broker.
import { exponentialBackoff } from './backoff.js';
import { BufferPool } from './buffer-pool.js';
import { IdempotenceManager } from './idempotence.js';
import type { ProducerMetadata } from './metadata.js';
import type { ProducerConfig } from './producer-config.js';
import { ProducerBatch, type BatchFactory, type BatchHeader, type RecordCallback, type TopicPartition } from './producer-batch.js';

/** The queue of one partition: batches oldest first, only the last one open for appends. */
export class PartitionQueue implements TopicPartition {
  readonly batches: ProducerBatch[] = [];
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

/** Result of RecordAccumulator.append. */
export const AppendResult = {
  /** Appended to the open batch. */
  APPENDED: 0,
  /** Appended to a batch created for it. */
  NEW_BATCH: 1,
  /** Not appended: a new batch is needed and bufferMemory is used up. */
  NO_MEMORY: 2,
} as const;
/** One of AppendResult. */
export type AppendResult = (typeof AppendResult)[keyof typeof AppendResult];

/** Nodes with data to send now, and when to look again (arrays: a run makes no Set per call). */
export interface ReadyCheckResult {
  /** Distinct node ids. */
  readyNodes: number[];
  nextReadyCheckDelayMs: number;
  /** Distinct topics with a partition whose leader is unknown. */
  unknownLeaderTopics: string[];
}

/** Batches waiting to be sent or acknowledged, and the memory they hold. */
export class RecordAccumulator {
  private readonly topics = new Map<string, PartitionQueue[]>();
  /** Queues holding at least one batch not yet drained. */
  private readonly nonEmpty = new Set<PartitionQueue>();
  /** Every batch not yet completed (queued or in flight). */
  private readonly incomplete = new Set<ProducerBatch>();
  private readonly muted = new Set<TopicPartition>();
  private readonly flushWaiters: { pending: Set<ProducerBatch>; resolve(): void }[] = [];
  private flushesInProgress = 0;
  private drainIndex = 0;
  readonly pool: BufferPool;
  /** Bytes the last append added to its batch (for the sticky partitioner). */
  lastAppendedBytes = 0;
  /** The batch the last successful append went to (produce() takes its record's promise from it). */
  lastBatch: ProducerBatch | null = null;
  /** Records in incomplete batches. */
  bufferedRecords = 0;
  /** Set while appends wait for memory: every batch is then sendable (Java's "exhausted"). */
  exhausted = false;

  constructor(
    private readonly config: ProducerConfig,
    private readonly createBatch: BatchFactory,
    /** Called when a batch becomes sendable or a new one starts lingering. */
    private readonly wakeup: () => void,
    onMemoryFreed: () => void,
  ) {
    this.pool = new BufferPool(config.bufferMemory, onMemoryFreed, config.batchSize);
  }

  /** The queue of a partition (created on first use; one object per partition). */
  queue(topic: string, partition: number): PartitionQueue {
    let byPartition = this.topics.get(topic);
    if (!byPartition) this.topics.set(topic, (byPartition = []));
    return (byPartition[partition] ??= new PartitionQueue(topic, partition));
  }

  /**
   * Appends one record to the partition's open batch, or to a new batch when memory allows.
   * sizeUpperBound: the record's largest possible encoded size plus a batch header.
   */
  append(
    q: PartitionQueue,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: BatchHeader[] | null,
    sizeUpperBound: number,
    callback: RecordCallback | null,
    now: number,
  ): AppendResult {
    const last = q.batches.length > 0 ? q.batches[q.batches.length - 1] : undefined;
    if (last !== undefined && !last.closedForAppends) {
      const before = last.estimatedSizeInBytes;
      if (last.tryAppend(timestamp, key, value, headers, callback)) {
        this.lastAppendedBytes = last.estimatedSizeInBytes - before;
        this.lastBatch = last;
        this.bufferedRecords++;
        if (last.isFull(this.config.batchSize)) this.wakeup();
        return AppendResult.APPENDED;
      }
      this.wakeup(); // the full batch can go now
    }
    const size = Math.max(this.config.batchSize, sizeUpperBound);
    if (!this.pool.tryAllocate(size)) return AppendResult.NO_MEMORY;
    let batch: ProducerBatch;
    try {
      const buffer = this.pool.buffer(size);
      const builder = this.createBatch({ compression: this.config.compression, batchSize: this.config.batchSize, baseTimestamp: timestamp, buffer });
      batch = new ProducerBatch(q, builder, now, size, buffer);
      if (!batch.tryAppend(timestamp, key, value, headers, callback)) throw new Error('a new batch refused its first record');
    } catch (err) {
      this.pool.deallocate(size);
      throw err;
    }
    this.lastAppendedBytes = batch.estimatedSizeInBytes;
    this.lastBatch = batch;
    this.bufferedRecords++;
    q.batches.push(batch);
    this.incomplete.add(batch);
    if (!this.nonEmpty.has(q)) {
      this.nonEmpty.add(q);
      this.wakeup(); // start the linger clock
    } else if (batch.isFull(this.config.batchSize)) this.wakeup();
    return AppendResult.NEW_BATCH;
  }

  /** Java's allBatchesFull: the partition's last batch takes no more (the sticky partitioner may move on). */
  allBatchesFull(q: PartitionQueue): boolean {
    const last = q.batches[q.batches.length - 1];
    return last === undefined || last.isFull(this.config.batchSize);
  }

  private retryBackoff(batch: ProducerBatch): number {
    return exponentialBackoff(this.config.retryBackoffMs, this.config.retryBackoffMaxMs, batch.attempts - 1);
  }

  /** Java's ready(): leaders of partitions whose first batch is full, lingered long enough, or flushed. */
  ready(metadata: ProducerMetadata, now: number): ReadyCheckResult {
    const readyNodes: number[] = [];
    const unknownLeaderTopics: string[] = [];
    let nextReadyCheckDelayMs = Number.POSITIVE_INFINITY;
    const flushing = this.flushesInProgress > 0 || this.exhausted;
    for (const q of this.nonEmpty) {
      if (this.muted.has(q)) continue;
      const first = q.batches[0];
      const leader = metadata.leaderFor(q.topic, q.partition);
      if (leader < 0) {
        if (!unknownLeaderTopics.includes(q.topic)) unknownLeaderTopics.push(q.topic);
        continue;
      }
      if (readyNodes.includes(leader)) continue;
      const waited = now - first.lastAttemptMs;
      const backoff = first.retryBackoffMs ?? 0;
      const backingOff = first.attempts > 0 && waited < backoff;
      const timeToWait = backingOff ? backoff : this.config.lingerMs;
      const full = q.batches.length > 1 || first.isFull(this.config.batchSize);
      const sendable = full || waited >= timeToWait || flushing;
      if (sendable && !backingOff) readyNodes.push(leader);
      else nextReadyCheckDelayMs = Math.min(nextReadyCheckDelayMs, Math.max(0, timeToWait - waited));
    }
    return { readyNodes, nextReadyCheckDelayMs, unknownLeaderTopics };
  }

  /**
   * Java's drain(): for each ready node, the first batch of each of its partitions, up to
   * maxRequestSize bytes (at least one batch), rotating the starting partition for fairness.
   * Entry i holds the batches for nodes[i] (empty when none).
   */
  drain(metadata: ProducerMetadata, nodes: readonly number[], idempotence: IdempotenceManager | null, now: number): ProducerBatch[][] {
    const out: ProducerBatch[][] = [];
    const sizes: number[] = [];
    for (let k = 0; k < nodes.length; k++) {
      out.push([]);
      sizes.push(0);
    }
    const queues = [...this.nonEmpty];
    const n = queues.length;
    if (n === 0) return out;
    const start = this.drainIndex++ % n;
    for (let i = 0; i < n; i++) {
      const q = queues[(start + i) % n];
      if (this.muted.has(q)) continue;
      const node = nodes.indexOf(metadata.leaderFor(q.topic, q.partition));
      if (node < 0) continue;
      const first = q.batches[0];
      if (first.attempts > 0 && now - first.lastAttemptMs < (first.retryBackoffMs ?? 0)) continue;
      const size = sizes[node];
      if (size > 0 && size + first.estimatedSizeInBytes > this.config.maxRequestSize) continue;
      if (idempotence !== null && idempotence.shouldStopDrain(first)) continue;
      q.batches.shift();
      if (q.batches.length === 0) this.nonEmpty.delete(q);
      if (idempotence !== null) idempotence.assignSequence(first);
      first.drainedMs = now;
      sizes[node] = size + first.records().length;
      out[node].push(first);
    }
    return out;
  }

  /** Puts a batch back at the front of its queue for a retry (in sequence order when idempotent). */
  reenqueue(batch: ProducerBatch, now: number): void {
    batch.attempts++;
    batch.lastAttemptMs = now;
    batch.retryBackoffMs = this.retryBackoff(batch);
    const q = batch.tp as PartitionQueue;
    if (batch.hasSequence) IdempotenceManager.insertInSequenceOrder(q.batches, batch);
    else q.batches.unshift(batch);
    this.nonEmpty.add(q);
  }

  /** Removes and returns queued batches that reached deliveryTimeoutMs (from each queue's head). */
  expiredBatches(now: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    for (const q of this.nonEmpty) {
      while (q.batches.length > 0 && now - q.batches[0].createdMs >= this.config.deliveryTimeoutMs) {
        const b = q.batches.shift()!;
        b.closedForAppends = true;
        expired.push(b);
      }
      if (q.batches.length === 0) this.nonEmpty.delete(q);
    }
    return expired;
  }

  /** Milliseconds until the oldest queued batch expires. */
  nextExpiryDelay(now: number): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const q of this.nonEmpty) oldest = Math.min(oldest, q.batches[0].createdMs);
    return oldest === Number.POSITIVE_INFINITY ? oldest : Math.max(0, oldest + this.config.deliveryTimeoutMs - now);
  }

  /**
   * Releases a completed batch's memory and tells flush() waiters. `recycle`: its request was
   * answered (or written, acks=0), so nothing reads its buffer any more and the pool may reuse it;
   * a batch failed or expired while its request may still be queued on the socket must not.
   */
  deallocate(batch: ProducerBatch, recycle = false): void {
    if (!this.incomplete.delete(batch)) return;
    this.bufferedRecords -= batch.recordCount;
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const w = this.flushWaiters[i];
      if (w.pending.delete(batch) && w.pending.size === 0) {
        this.flushWaiters.splice(i, 1);
        this.flushesInProgress--;
        w.resolve();
      }
    }
    this.pool.deallocate(batch.reservedBytes, recycle ? batch.buffer : null);
  }

  /** Makes every batch sendable now and resolves once all batches existing now are complete. */
  flush(): Promise<void> {
    if (this.incomplete.size === 0) return Promise.resolve();
    for (const q of this.nonEmpty) for (const b of q.batches) b.closedForAppends = true;
    this.flushesInProgress++;
    return new Promise((resolve) => {
      this.flushWaiters.push({ pending: new Set(this.incomplete), resolve });
      this.wakeup();
    });
  }

  /** Whether some batch is queued and not yet drained. */
  hasUndrained(): boolean {
    return this.nonEmpty.size > 0;
  }

  /** Whether some batch is not complete. */
  hasIncomplete(): boolean {
    return this.incomplete.size > 0;
  }

  /** Queued (undrained) batches. */
  get queuedBatches(): number {
    let n = 0;
    for (const q of this.nonEmpty) n += q.batches.length;
    return n;
  }

  /** Stops draining a partition while its batch is in flight (max one in flight: ordering). */
  mute(tp: TopicPartition): void {
    this.muted.add(tp);
  }

  unmute(tp: TopicPartition): void {
    this.muted.delete(tp);
  }

  /** Every incomplete batch, for a forced close. */
  incompleteBatches(): ProducerBatch[] {
    for (const q of this.nonEmpty) q.batches.length = 0;
    this.nonEmpty.clear();
    return [...this.incomplete];
  }
}
