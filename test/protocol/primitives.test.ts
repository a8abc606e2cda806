import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.js';
import {
  zigzagDecode32,
  zigzagDecode64,
  zigzagEncode32,
  zigzagEncode64,
} from '../../src/protocol/primitives.js';
import { Reader } from '../../src/protocol/reader.js';
import { Writer } from '../../src/protocol/writer.js';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const hex = (f: (w: Writer) => void) => {
  const w = new Writer();
  f(w);
  return w.toBuffer().toString('hex');
};

describe('zigzag', () => {
  it('maps small magnitudes to small numbers', () => {
    expect([0, -1, 1, -2, 2, 2 ** 31 - 1, -(2 ** 31)].map(zigzagEncode32)).toEqual([0, 1, 2, 3, 4, 2 ** 32 - 2, 2 ** 32 - 1]);
    expect(zigzagEncode64(-1n)).toBe(1n);
    expect(zigzagEncode64(-(2n ** 63n))).toBe(2n ** 64n - 1n);
  });
  it('round-trips every int32 and int64', () => {
    fc.assert(fc.property(int32, (n) => zigzagDecode32(zigzagEncode32(n)) === n));
    fc.assert(fc.property(int64, (n) => zigzagDecode64(zigzagEncode64(n)) === n));
  });
});

describe('varints (Kafka ByteUtils encodings)', () => {
  it('writes known encodings', () => {
    expect(hex((w) => w.unsignedVarint(0))).toBe('00');
    expect(hex((w) => w.unsignedVarint(127))).toBe('7f');
    expect(hex((w) => w.unsignedVarint(128))).toBe('8001');
    expect(hex((w) => w.unsignedVarint(300))).toBe('ac02');
    expect(hex((w) => w.unsignedVarint(-1))).toBe('ffffffff0f');
    expect(hex((w) => w.varint(-1))).toBe('01');
    expect(hex((w) => w.varint(-64))).toBe('7f');
    expect(hex((w) => w.varint(64))).toBe('8001');
    expect(hex((w) => w.varlong(-(2n ** 63n)))).toBe('ffffffffffffffffff01');
  });
  it('round-trips through Writer and Reader', () => {
    fc.assert(
      fc.property(int32, int64, (n, l) => {
        const w = new Writer(4);
        w.varint(n);
        w.unsignedVarint(n);
        w.varlong(l);
        const r = new Reader(w.toBuffer());
        expect(r.varint()).toBe(n);
        expect(r.unsignedVarint()).toBe(n >>> 0);
        expect(r.varlong()).toBe(l);
        expect(r.remaining).toBe(0);
      }),
    );
  });
  it('rejects overlong and truncated varints', () => {
    expect(() => new Reader(Buffer.from('ffffffff1f', 'hex')).unsignedVarint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('ffffffffff01', 'hex')).unsignedVarint()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('ffffffffffffffffff02', 'hex')).varlong()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from('8080', 'hex')).unsignedVarint()).toThrow(ProtocolError);
  });
});

describe('fixed-width primitives', () => {
  it('round-trip through the chunked writer', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -32768, max: 32767 }), int32, int64, fc.double(), fc.boolean(), fc.integer({ min: 0, max: 65535 }))),
        (rows) => {
          const w = new Writer(8);
          for (const [a, b, c, d, e, f, g] of rows) {
            w.int8(a); w.int16(b); w.int32(c); w.int64(d); w.float64(e); w.bool(f); w.uint16(g);
          }
          const r = new Reader(w.toBuffer());
          for (const [a, b, c, d, e, f, g] of rows) {
            expect([r.int8(), r.int16(), r.int32(), r.int64(), r.float64(), r.bool(), r.uint16()]).toEqual([a, b, c, d, e, f, g]);
          }
          expect(r.remaining).toBe(0);
        },
      ),
    );
  });
  it('throws ProtocolError instead of reading past the end', () => {
    expect(() => new Reader(Buffer.alloc(3)).int32()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(10), 0, 4).int64()).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.alloc(4)).checkedLength(5, 'x')).toThrow(/exceeds/);
    expect(() => new Reader(Buffer.alloc(4)).checkedLength(-2, 'x')).toThrow(/negative/);
    expect(new Reader(Buffer.alloc(4)).checkedLength(-1, 'x')).toBe(-1);
  });
});

describe('Writer chunks', () => {
  it('appends large payloads by reference and keeps the byte order', () => {
    const big = Buffer.alloc(2000, 9);
    const w = new Writer(16);
    w.int32(1);
    w.raw(big);
    w.int16(2);
    expect(w.length).toBe(2006);
    const chunks = w.finishBytes();
    expect(chunks[1]).toBe(big);
    expect(Buffer.concat(chunks).equals(Buffer.concat([Buffer.from('00000001', 'hex'), big, Buffer.from('0002', 'hex')]))).toBe(true);
  });

  it('keeps a file region as its own chunk, counted in the length but never copied', () => {
    const region = { size: 5000 };
    const w = new Writer(16);
    w.int32(1);
    w.region(region);
    w.int16(2);
    expect(w.length).toBe(5006);
    const chunks = w.finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(region);
    expect(Buffer.concat([chunks[0] as Buffer, chunks[2] as Buffer]).toString('hex')).toBe('000000010002');
  });

  it('refuses to flatten a file region into bytes', () => {
    const w = new Writer(16);
    w.region({ size: 1 });
    expect(() => w.toBuffer()).toThrow(/file region/);
  });
});
