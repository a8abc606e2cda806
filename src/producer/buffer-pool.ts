// bufferMemory accounting (Kafka's BufferPool without pooled ByteBuffers: the bytes live in
// native batches): each batch reserves max(batchSize, its first record) until it completes.
import { KafkaProducerError } from './errors.js';

/** The producer's memory budget for batches not yet acknowledged. */
export class BufferPool {
  private used = 0;

  constructor(
    /** bufferMemory. */
    readonly totalMemory: number,
    /** Called after memory is returned, so waiting appends can retry. */
    private readonly onFree: () => void,
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

  /** Returns size bytes to the budget. */
  deallocate(size: number): void {
    this.used -= size;
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
