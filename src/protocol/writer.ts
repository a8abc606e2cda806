// Appends Kafka's primitive types into growing chunks; large payloads join as their own chunk.
import type { FileRegion, ResponseChunk } from './file-region.js';
import { zigzagEncode32, zigzagEncode64 } from './primitives.js';

const FIRST_CHUNK = 1024;
const MAX_CHUNK = 64 * 1024;
/** Payloads at least this large are referenced, not copied. */
const ZERO_COPY_MIN = 512;

/** Output cursor producing chunks (bytes, file regions) whose concatenation is the encoding. */
export class Writer {
  private readonly chunks: ResponseChunk[] = [];
  private regions = 0;
  private buf: Buffer;
  private pos = 0;
  private chunkStart = 0;
  private flushedBytes = 0;

  constructor(initialSize = FIRST_CHUNK) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos - this.chunkStart;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.cut();
    const size = Math.max(n, Math.min(this.buf.length * 2, MAX_CHUNK));
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
    this.chunkStart = 0;
  }

  /** Closes the current chunk (if it holds anything) so an external buffer can follow it. */
  private cut(): void {
    if (this.pos > this.chunkStart) {
      this.chunks.push(this.buf.subarray(this.chunkStart, this.pos));
      this.flushedBytes += this.pos - this.chunkStart;
      this.chunkStart = this.pos;
    }
  }

  /** Kafka int8. */
  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
  }

  /** Kafka int16. */
  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  /** Kafka uint16. */
  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  /** Kafka int32. */
  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** Kafka uint32 (record batch CRC). */
  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Kafka int64 from a bigint; offsets and times (safe integers) go as two int32s, without BigInt arithmetic. */
  int64(v: bigint): void {
    this.ensure(8);
    const n = typeof v === 'bigint' ? Number(v) : Number.NaN;
    if (Number.isSafeInteger(n)) {
      const high = Math.floor(n / 2 ** 32);
      this.buf.writeInt32BE(high, this.pos);
      this.buf.writeUInt32BE(n - high * 2 ** 32, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(v, this.pos);
    }
    this.pos += 8;
  }

  /** Kafka float64. */
  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  /** Kafka bool. */
  bool(v: boolean): void {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
  }

  /** Kafka unsigned varint of a 32-bit value. */
  unsignedVarint(v: number): void {
    this.ensure(5);
    v = v >>> 0;
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
  }

  /** Kafka signed (zigzag) varint. */
  varint(v: number): void {
    this.unsignedVarint(zigzagEncode32(v));
  }

  /** Kafka signed (zigzag) varlong. */
  varlong(v: bigint): void {
    this.ensure(10);
    let u = zigzagEncode64(v);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  /** A length or count prefix (-1: null), compact (unsigned varint n+1) or classic int16/int32. */
  lengthPrefix(n: number, flexible: boolean, classic: 'int16' | 'int32'): void {
    if (flexible) this.unsignedVarint(n + 1);
    else if (classic === 'int16') this.int16(n);
    else this.int32(n);
  }

  /** A nullable string with its length prefix, compact or classic. */
  nullableString(s: string | null, flexible: boolean): void {
    if (s === null) return this.lengthPrefix(-1, flexible, 'int16');
    const n = Buffer.byteLength(s, 'utf8');
    this.lengthPrefix(n, flexible, 'int16');
    this.utf8(s, n);
  }

  /** UTF-8 bytes of s whose byte length the caller already wrote. */
  utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
  }

  /** Raw bytes: small ones copied, large ones appended as their own chunk without copying. */
  raw(b: Buffer): void {
    if (b.length >= ZERO_COPY_MIN) return this.reference(b);
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }

  /** Bytes appended as their own chunk without copying, whatever their size (a producer's record batches). */
  reference(b: Buffer): void {
    this.cut();
    this.chunks.push(b);
    this.flushedBytes += b.length;
  }

  /** File bytes sent by reference (fetch records): their own chunk, counted in length. */
  region(r: FileRegion): void {
    this.cut();
    this.chunks.push(r);
    this.flushedBytes += r.size;
    this.regions++;
  }

  /** The chunks written so far; the writer must not be used afterwards. */
  finish(): ResponseChunk[] {
    this.cut();
    return this.chunks;
  }

  /** The chunks written so far, all bytes (a file region here is a caller's bug: throws). */
  finishBytes(): Buffer[] {
    if (this.regions > 0) throw new Error('a file region cannot be encoded into a byte buffer');
    return this.finish() as Buffer[];
  }

  /** Everything written as one Buffer (copies when there are several chunks). */
  toBuffer(): Buffer {
    const chunks = this.finishBytes();
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }
}
