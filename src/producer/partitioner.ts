// Partitioning exactly as Kafka's Java producer: murmur2 of the key bytes, else the sticky
// partition of BuiltInPartitioner (KIP-480/794) that moves on after batchSize bytes.

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;

/** Kafka's Utils.murmur2: the 32-bit MurmurHash2 of data with Kafka's seed, as a signed int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[tail + 2] << 16;
    if (rest >= 2) h ^= data[tail + 1] << 8;
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, so MIN_VALUE maps to 0). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** BuiltInPartitioner.partitionForKey: the partition Kafka's Java producer picks for a key. */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(keyBytes)) % numPartitions;
}

/** What the sticky partitioner needs to know of a topic from metadata. */
export interface TopicPartitionsView {
  partitionCount: number;
  /** Partitions that currently have a leader (Kafka's availablePartitionsForTopic). */
  availablePartitions: readonly number[];
}

/** A non-negative 31-bit random int, as Utils.toPositive(ThreadLocalRandom.nextInt()). */
export type RandomInt = () => number;

const defaultRandom: RandomInt = () => (Math.random() * 0x80000000) >>> 0;

/** Sticky partition state of one topic for keyless records (Kafka's BuiltInPartitioner). */
export class BuiltInPartitioner {
  private current = -1;
  private producedBytes = 0;

  constructor(
    readonly topic: string,
    private readonly stickyBatchSize: number,
    private readonly random: RandomInt = defaultRandom,
  ) {
    if (stickyBatchSize < 1) throw new RangeError(`stickyBatchSize must be >= 1 but got ${stickyBatchSize}`);
  }

  /** The partition keyless records go to now, choosing one if there is none yet. */
  currentPartition(view: TopicPartitionsView): number {
    if (this.current < 0 || this.current >= view.partitionCount) this.switchPartition(view);
    return this.current;
  }

  /**
   * Counts bytes appended to the sticky partition; switches after stickyBatchSize bytes when the
   * partition's last batch is full (enableSwitch), and unconditionally after twice that (Java's rule).
   */
  updatePartitionInfo(appendedBytes: number, view: TopicPartitionsView, enableSwitch: boolean): void {
    this.producedBytes += appendedBytes;
    if ((this.producedBytes >= this.stickyBatchSize && enableSwitch) || this.producedBytes >= this.stickyBatchSize * 2) {
      this.switchPartition(view);
    }
  }

  private switchPartition(view: TopicPartitionsView): void {
    const r = this.random();
    const available = view.availablePartitions;
    this.current = available.length > 0 ? available[r % available.length] : r % view.partitionCount;
    this.producedBytes = 0;
  }
}
