// Kafka's BufferPool: bufferMemory accounting (each batch reserves max(batchSize, its first
// record) until it completes) and a free list of batchSize buffers that acknowledged batches
// return, so a busy producer builds batches without allocating (no garbage, no external-memory
// pressure on the collector).
import { KafkaProducerError } from './errors.js';

/** The producer's memory budget for batches not yet acknowledged, and its reusable buffers. */
export class BufferPool {
  private used = 0;
  /** Buffers of poolableSize bytes returned by completed batches, ready for new ones. */
  private readonly free: Buffer[] = [];

  constructor(
    /** bufferMemory. */
    readonly totalMemory: number,
    /** Called after memory is returned, so waiting appends can retry. */
    private readonly onFree: () => void,
    /** batchSize: the one buffer size kept for reuse (0: none is). */
    readonly poolableSize = 0,
  ) {}

  /**
   * Reserves size bytes if they are free now. More than the whole budget can never be free: that
   * throws at once, as Java's BufferPool.allocate.
   */
  tryAllocate(size: number): boolean {
    if (size > this.totalMemory - this.used) {
      if (size > this.totalMemory) {
        throw new KafkaProducerError('INVALID_CONFIG', `Attempt to allocate ${size} bytes, but there is a hard limit of ${this.totalMemory} on memory allocations (bufferMemory).`, { retriable: false });
      }
      return false;
    }
    this.used += size;
    return true;
  }

  /** A buffer for a batch that reserved size bytes: a pooled one when size is poolableSize. */
  buffer(size: number): Buffer {
    if (size === this.poolableSize && this.free.length > 0) return this.free.pop()!;
    // Pooled buffers give way so reserved and pooled bytes stay within bufferMemory (Java's freeUp).
    while (this.free.length > 0 && this.used + this.free.length * this.poolableSize > this.totalMemory) this.free.pop();
    return Buffer.allocUnsafeSlow(size);
  }

  /**
   * Returns size bytes to the budget, and `reusable` (a completed batch's buffer that nothing can
   * still read: its request was answered or written) to the free list before waiting appends
   * hear of it. Pooled and reserved bytes stay within bufferMemory.
   */
  deallocate(size: number, reusable: Buffer | null = null): void {
    this.used -= size;
    if (reusable !== null && reusable.length === this.poolableSize && this.poolableSize > 0 && this.used + (this.free.length + 1) * this.poolableSize <= this.totalMemory) {
      this.free.push(reusable);
    }
    this.onFree();
  }

  /** Bytes reserved by open and in-flight batches. */
  get usedMemory(): number {
    return this.used;
  }

  /** Bytes that can still be reserved. */
  get availableMemory(): number {
    return this.totalMemory - this.used;
  }
}
