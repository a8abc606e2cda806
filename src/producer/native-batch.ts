// The producer's open batch for one partition (Kafka's ProducerBatch + MemoryRecordsBuilder):
// the addon encodes records into the batch's buffer as they are appended (the producer's pooled
// buffer, or one of its own); closing compresses them and writes the v2 header there, handing
// back bytes that go to the socket without a copy in JS.
import { Codec, native, type RecordHeaderInput } from '../native/index.js';

/** Kafka's compression.type values a producer batch can use. */
export type CompressionType = keyof typeof Codec;

/** What an open batch needs to know up front. */
export interface NativeBatchOptions {
  compression: CompressionType;
  /** batch.size: records are taken while header + uncompressed records stay within it. */
  batchSize: number;
  /** Defaults to the first record's timestamp, as Kafka's MemoryRecordsBuilder does. */
  baseTimestamp?: number;
  /**
   * Where the batch is built (Kafka's BufferPool buffer): when it is at least
   * max(batchSize, the first record's size) the batch never allocates. Without one, or when a
   * record needs more, the batch allocates its own and grows it.
   */
  buffer?: Buffer;
}

/** First buffer of a batch given none: a huge batchSize grows as records come rather than up front. */
const MAX_INITIAL_BUFFER = 64 * 1024;

/** The fixed v2 batch header: an empty batch's estimated size. */
const BATCH_HEADER_SIZE = 61;

/** An open batch for one partition; records are encoded into native memory as they come. */
export class NativeBatch {
  /** Holds the open batch (its state in the header bytes) until close. */
  #buffer: Buffer;
  /** The closed batch's bytes; null while the batch is open. */
  #bytes: Buffer | null = null;
  #recordCount = 0;
  #estimatedSize = BATCH_HEADER_SIZE;
  readonly #batchSize: number;

  constructor(opts: NativeBatchOptions) {
    const codec = Codec[opts.compression];
    if (codec === undefined) throw new TypeError(`unknown compression type '${String(opts.compression)}'`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 0) throw new RangeError(`batchSize must be a non-negative integer, got ${opts.batchSize}`);
    this.#batchSize = opts.batchSize;
    this.#buffer = opts.buffer ?? Buffer.allocUnsafeSlow(Math.max(BATCH_HEADER_SIZE, Math.min(opts.batchSize, MAX_INITIAL_BUFFER)));
    native.recordBatchOpen(this.#buffer, codec, Math.min(opts.batchSize, 0x7fffffff), opts.baseTimestamp ?? null);
  }

  /** Appends one record; returns false when it does not fit (batch has ≥1 record and would exceed batchSize). */
  tryAppend(timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaderInput[] | null): boolean {
    if (this.#bytes !== null) throw new Error('cannot append to a closed record batch');
    let size = native.recordBatchAppend(this.#buffer, timestamp, key, value, headers);
    if (size < -1) {
      // The buffer is too small for this record: move what is written to one large enough.
      const grown = Buffer.allocUnsafeSlow(Math.max(-size, Math.min(2 * this.#buffer.length, this.#batchSize)));
      this.#buffer.copy(grown, 0, 0, this.#estimatedSize);
      this.#buffer = grown;
      size = native.recordBatchAppend(grown, timestamp, key, value, headers);
    }
    if (size < 0) return false;
    this.#recordCount++;
    this.#estimatedSize = size;
    return true;
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.#recordCount;
  }

  /** Estimated encoded size so far (uncompressed), for batch.size and bufferMemory accounting. */
  get estimatedSizeInBytes(): number {
    return this.#estimatedSize;
  }

  /**
   * Closes the batch: compresses, writes the v2 header (magic 2, attributes with codec,
   * lastOffsetDelta, first/max timestamp, producerId/epoch/baseSequence, CRC-32C). Returns the
   * complete batch bytes (a view of the batch's buffer, or the addon's allocation when compressed
   * records outgrew it; never copied in JS). Closing again (a retry after an epoch bump) rewrites
   * the producer fields and CRC of those same bytes in place.
   */
  close(producerId: bigint | number, producerEpoch: number, baseSequence: number): Buffer {
    const id = toProducerId(producerId);
    if (this.#bytes === null) {
      const closed = native.recordBatchClose(this.#buffer, id, producerEpoch, baseSequence);
      this.#bytes = typeof closed === 'number' ? this.#buffer.subarray(0, closed) : closed;
    } else {
      native.rewriteProducerState(this.#bytes, id, producerEpoch, baseSequence);
    }
    return this.#bytes;
  }
}

/** Producer ids cross to the addon as numbers: exact up to 2^53, far past any id a broker hands out. */
function toProducerId(id: bigint | number): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n)) throw new RangeError(`producerId ${id} is outside the safe integer range`);
  return n;
}
