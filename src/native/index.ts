// The only door to the Rust addon (native/): every byte-heavy operation goes through here.
// CONTRACT (written before the implementation; the native helper fills in the bodies and keeps
// these signatures — other modules code against them).
//
// Conventions: 64-bit Kafka offsets and timestamps cross the boundary as JS numbers (exact up
// to 2^53, far beyond any real offset or millisecond timestamp). Failures on bad input throw a
// NativeError whose `errorName` is a Kafka error name the broker can answer with.

/** Kafka error names the addon can raise for bad input or failed I/O. */
export type NativeErrorName =
  | 'CORRUPT_MESSAGE'
  | 'INVALID_RECORD'
  | 'MESSAGE_TOO_LARGE'
  | 'UNSUPPORTED_COMPRESSION_TYPE'
  | 'UNSUPPORTED_FOR_MESSAGE_FORMAT'
  | 'KAFKA_STORAGE_ERROR';

/** Raised by the addon on bad input or I/O failure; errorName maps to a Kafka error code. */
export class NativeError extends Error {
  constructor(readonly errorName: NativeErrorName, message: string) {
    super(message);
    this.name = 'NativeError';
  }
}

/** Compression codec ids as in the batch attributes (bits 0-2). */
export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
/** One of the codec ids. */
export type CodecId = (typeof Codec)[keyof typeof Codec];

/** Header fields of one validated v2 record batch; records themselves never reach JS. */
export interface BatchInfo {
  position: number; // byte offset of the batch inside the buffer given
  sizeInBytes: number; // whole batch, including the 12-byte offset+length prefix
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  partitionLeaderEpoch: number;
  attributes: number;
  compression: CodecId;
  timestampType: 0 | 1; // 0 CreateTime, 1 LogAppendTime
  isTransactional: boolean;
  isControl: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Settings a segment needs to maintain its sparse indexes. */
export interface SegmentConfig {
  indexIntervalBytes: number; // log.index.interval.bytes (4096)
  maxIndexSize: number; // segment.index.bytes (10 MiB): index files preallocated to this
  preallocate: boolean; // file.preallocate for the .log (false by default)
}

/** Where a read found its bytes inside a segment's .log file. */
export interface SegmentSlice {
  position: number; // file position of the first whole batch to return
  size: number; // bytes of whole batches from position (at least one batch if minOneMessage)
  firstBatchBaseOffset: number;
}

/** Result of rebuilding a segment's indexes from its .log. */
export interface RecoveryResult {
  validBytes: number; // bytes of whole, CRC-valid batches kept
  truncatedBytes: number; // torn or corrupt tail bytes removed
  nextOffset: number; // last valid batch's lastOffset + 1, or baseOffset if empty
  batches: number;
}

/** One entry of a timestamp lookup: the first record with timestamp >= target. */
export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** Kafka's LogSegment: the .log file plus its sparse .index and .timeindex, owned natively. */
export interface LogSegmentHandle {
  readonly baseOffset: number;
  /** Bytes in the .log file. */
  size(): number;
  /** lastOffset+1 of the last batch (reads from the last index entry on first call). */
  readNextOffset(): number;
  /** Largest batch maxTimestamp seen in this segment, and the offset it belongs to (-1 if none). */
  maxTimestampSoFar(): TimestampOffset;
  /** Timestamp of the first batch (its maxTimestamp, as Kafka rolls on), or -1 when empty. */
  firstBatchTimestamp(): number;
  /**
   * Appends already-validated, offset-assigned batches; walks their headers to add index
   * entries every indexIntervalBytes. Returns the file position the bytes were written at.
   */
  append(records: Buffer): number;
  /** Locates whole batches containing startOffset onward, up to maxSize bytes and maxPosition. */
  read(startOffset: number, maxSize: number, maxPosition: number, minOneMessage: boolean): SegmentSlice | null;
  /** Copies bytes out of the .log file (the copying fetch path; sendfile comes later). */
  readBytes(position: number, size: number): Buffer;
  /** First record (walking records, decompressing if needed) with timestamp >= target and offset >= startingOffset. */
  findOffsetByTimestamp(timestamp: number, startingOffset: number): TimestampOffset | null;
  /** Re-validates every batch (CRC-32C), truncates a torn tail, rebuilds both indexes. */
  recover(maxBatchSize: number): RecoveryResult;
  /** Drops every batch whose baseOffset >= offset (and index entries); returns bytes removed. */
  truncateTo(offset: number): number;
  /** fsyncs the .log and both indexes. */
  flush(): void;
  /** Trims preallocated index files to their used size (called when the segment stops being active). */
  onBecomeInactive(): void;
  /** Closes all three files. The handle is unusable afterwards. */
  close(): void;
}

/** Everything the addon exposes; loaded once from native/sluice.<platform>.node. */
export interface NativeAddon {
  crc32c(data: Buffer): number;
  compress(codec: CodecId, data: Buffer): Buffer;
  decompress(codec: CodecId, data: Buffer): Buffer;
  /**
   * Validates every batch in a produce request's records: magic 2, CRC-32C, batchLength,
   * record count and offset deltas (decompressing to check), size <= maxBatchSize.
   */
  validateRecordBatches(records: Buffer, maxBatchSize: number): BatchInfo[];
  /**
   * Patches baseOffset and partitionLeaderEpoch in place (CRC unaffected); with
   * logAppendTime >= 0 also sets maxTimestamp + timestamp-type bit and recomputes the CRC.
   * Returns the last offset assigned.
   */
  assignOffsets(records: Buffer, baseOffset: number, partitionLeaderEpoch: number, logAppendTime: number): number;
  openSegment(dir: string, baseOffset: number, config: SegmentConfig): LogSegmentHandle;
}

export declare const native: NativeAddon;
