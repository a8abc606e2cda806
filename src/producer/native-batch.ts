// The producer's open batch for one partition (Kafka's ProducerBatch + MemoryRecordsBuilder):
// records are encoded into native memory as they are appended; closing compresses them and
// writes the v2 header, handing back bytes that go to the socket without a copy in JS.
import { Codec, native, type RecordBatchBuilderHandle, type RecordHeaderInput } from '../native/index.js';

/** Kafka's compression.type values a producer batch can use. */
export type CompressionType = keyof typeof Codec;

/** What an open batch needs to know up front. */
export interface NativeBatchOptions {
  compression: CompressionType;
  /** batch.size: records are taken while header + uncompressed records stay within it. */
  batchSize: number;
  /** Defaults to the first record's timestamp, as Kafka's MemoryRecordsBuilder does. */
  baseTimestamp?: number;
}

/** The fixed v2 batch header: an empty batch's estimated size. */
const BATCH_HEADER_SIZE = 61;

/** An open batch for one partition; records are encoded into native memory as they come. */
export class NativeBatch {
  #builder: RecordBatchBuilderHandle | null;
  #bytes: Buffer | null = null;
  #recordCount = 0;
  #estimatedSize = BATCH_HEADER_SIZE;

  constructor(opts: NativeBatchOptions) {
    const codec = Codec[opts.compression];
    if (codec === undefined) throw new TypeError(`unknown compression type '${String(opts.compression)}'`);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 0) throw new RangeError(`batchSize must be a non-negative integer, got ${opts.batchSize}`);
    this.#builder = native.newRecordBatchBuilder(codec, Math.min(opts.batchSize, 0x7fffffff), opts.baseTimestamp ?? null);
  }

  /** Appends one record; returns false when it does not fit (batch has ≥1 record and would exceed batchSize). */
  tryAppend(timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeaderInput[] | null): boolean {
    const builder = this.#builder;
    if (builder === null) throw new Error('cannot append to a closed record batch');
    const size = builder.append(timestamp, key, value, headers);
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
   * complete batch bytes (a Buffer over native memory, never copied in JS). Closing again (a
   * retry after an epoch bump) rewrites the producer fields and CRC of that same Buffer in place.
   */
  close(producerId: bigint | number, producerEpoch: number, baseSequence: number): Buffer {
    const id = toProducerId(producerId);
    if (this.#bytes === null) {
      if (this.#builder === null) throw new Error('record batch is closed');
      this.#bytes = this.#builder.close(id, producerEpoch, baseSequence);
      this.#builder = null; // its records now live in #bytes
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
