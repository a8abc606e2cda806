// Bounds-checked reading of Kafka's primitive types from a frame; every overrun is a ProtocolError.
import { ProtocolError } from './errors.js';
import { zigzagDecode32, zigzagDecode64 } from './primitives.js';

/** A cursor over buf[pos, end) that never reads past end and never allocates from a length alone. */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    public end = buf.length,
  ) {}

  /** Bytes left before end. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws unless n more bytes are available. */
  need(n: number, what: string): void {
    if (n > this.end - this.pos) {
      throw new ProtocolError(`truncated ${what}: need ${n} bytes, ${this.end - this.pos} left at ${this.pos}`);
    }
  }

  /** Kafka int8. */
  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  /** Kafka int16. */
  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Kafka uint16. */
  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  /** Kafka int32. */
  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Kafka uint32 (record batch CRC). */
  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Kafka int64 as bigint. */
  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Kafka float64. */
  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Kafka bool: any non-zero byte is true. */
  bool(): boolean {
    this.need(1, 'bool');
    return this.buf[this.pos++] !== 0;
  }

  /** Kafka unsigned varint (at most 5 bytes, 32 bits), returned as an unsigned number. */
  unsignedVarint(): number {
    let value = 0;
    // 128 ** i, kept as a product: `2 ** (7 * i)` with a variable exponent calls Math.pow per byte.
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new ProtocolError(`truncated varint at ${this.pos}`);
      const b = this.buf[this.pos++];
      if (i === 4 && b > 0x0f) throw new ProtocolError('varint is too long');
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ProtocolError('varint is too long');
  }

  /** Kafka signed (zigzag) varint. */
  varint(): number {
    return zigzagDecode32(this.unsignedVarint() >>> 0);
  }

  /** Kafka signed (zigzag) varlong as bigint (at most 10 bytes). */
  varlong(): bigint {
    let value = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtocolError(`truncated varlong at ${this.pos}`);
      const b = this.buf[this.pos++];
      if (i === 9 && b > 0x01) throw new ProtocolError('varlong is too long');
      value |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return zigzagDecode64(value);
    }
    throw new ProtocolError('varlong is too long');
  }

  /** A view of the next n bytes (zero-copy), advancing past them. */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Decodes the next n bytes as UTF-8. */
  utf8(n: number): string {
    this.need(n, 'string');
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /**
   * A length or count prefix (-1: null), compact (unsigned varint n+1) or classic int16/int32,
   * checked against the bytes left as checkedLength does.
   */
  lengthPrefix(flexible: boolean, classic: 'int16' | 'int32', what: string): number {
    return this.checkedLength(flexible ? this.unsignedVarint() - 1 : classic === 'int16' ? this.int16() : this.int32(), what);
  }

  /** A nullable string, compact or classic. */
  nullableString(flexible: boolean, what = 'string'): string | null {
    const n = this.lengthPrefix(flexible, 'int16', what);
    return n < 0 ? null : this.utf8(n);
  }

  /** A length that must be -1 (null) or fit in what is left of the frame. */
  checkedLength(n: number, what: string): number {
    if (n < -1) throw new ProtocolError(`negative ${what} length ${n}`);
    if (n > this.end - this.pos) {
      throw new ProtocolError(`${what} length ${n} exceeds the ${this.end - this.pos} bytes left`);
    }
    return n;
  }
}
