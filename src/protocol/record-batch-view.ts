// Fixed-position reads of a v2 record batch header, without decoding any record.

/** Byte positions of the record batch v2 header fields (Kafka's DefaultRecordBatch). */
export const BatchHeader = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  /** Header size; records start here. */
  size: 61,
  /** baseOffset + batchLength: the part not counted by batchLength. */
  logOverhead: 12,
} as const;

/** Reads header fields of the batch starting at `position` in `buf` (int64s as numbers). */
export class RecordBatchView {
  constructor(
    readonly buf: Buffer,
    readonly position = 0,
  ) {}

  get baseOffset(): number {
    return Number(this.buf.readBigInt64BE(this.position + BatchHeader.baseOffset));
  }
  get batchLength(): number {
    return this.buf.readInt32BE(this.position + BatchHeader.batchLength);
  }
  /** Whole batch size including the 12-byte offset and length prefix. */
  get sizeInBytes(): number {
    return this.batchLength + BatchHeader.logOverhead;
  }
  get partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.position + BatchHeader.partitionLeaderEpoch);
  }
  get magic(): number {
    return this.buf.readInt8(this.position + BatchHeader.magic);
  }
  get crc(): number {
    return this.buf.readUInt32BE(this.position + BatchHeader.crc);
  }
  get attributes(): number {
    return this.buf.readInt16BE(this.position + BatchHeader.attributes);
  }
  /** Codec id from attribute bits 0-2 (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
  get compression(): number {
    return this.attributes & 0x07;
  }
  get lastOffsetDelta(): number {
    return this.buf.readInt32BE(this.position + BatchHeader.lastOffsetDelta);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  get baseTimestamp(): number {
    return Number(this.buf.readBigInt64BE(this.position + BatchHeader.baseTimestamp));
  }
  get maxTimestamp(): number {
    return Number(this.buf.readBigInt64BE(this.position + BatchHeader.maxTimestamp));
  }
  get producerId(): number {
    return Number(this.buf.readBigInt64BE(this.position + BatchHeader.producerId));
  }
  get producerEpoch(): number {
    return this.buf.readInt16BE(this.position + BatchHeader.producerEpoch);
  }
  get baseSequence(): number {
    return this.buf.readInt32BE(this.position + BatchHeader.baseSequence);
  }
  get recordCount(): number {
    return this.buf.readInt32BE(this.position + BatchHeader.recordCount);
  }
}
