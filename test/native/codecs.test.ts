// The four Kafka codecs: round trips, frames other producers write, and corrupt input.
import { gzipSync, gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec, native, NativeError, type CodecId } from '../../src/native/index.js';

const codecs = [Codec.gzip, Codec.snappy, Codec.lz4, Codec.zstd] as const;
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

/** A raw snappy block made only of literals (valid for any input up to 60 bytes per literal). */
function rawSnappyLiterals(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let n = data.length;
  const len: number[] = [];
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  parts.push(Buffer.from(len));
  for (let i = 0; i < data.length; i += 60) {
    const chunk = data.subarray(i, i + 60);
    parts.push(Buffer.from([(chunk.length - 1) << 2]), chunk);
  }
  return Buffer.concat(parts);
}

function xerial(blocks: Buffer[]): Buffer {
  const header = Buffer.alloc(16);
  XERIAL_MAGIC.copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  return Buffer.concat([
    header,
    ...blocks.flatMap((b) => {
      const len = Buffer.alloc(4);
      len.writeInt32BE(b.length);
      return [len, b];
    }),
  ]);
}

function expectNativeError(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NativeError);
    expect((err as NativeError).errorName).toBe(name);
    return;
  }
  throw new Error(`expected ${name}`);
}

describe('native codecs', () => {
  it.each(codecs)('round-trips arbitrary bytes with codec %i', (codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), (bytes) => {
        const data = Buffer.from(bytes);
        expect(native.decompress(codec, native.compress(codec, data)).equals(data)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it.each(codecs)('round-trips multi-block, compressible input with codec %i', (codec) => {
    const data = Buffer.from('sluice '.repeat(60_000)); // 420 KB: several lz4 64 KiB / xerial 32 KiB blocks
    const compressed = native.compress(codec, data);
    expect(compressed.length).toBeLessThan(data.length / 10);
    expect(native.decompress(codec, compressed).equals(data)).toBe(true);
  });

  it('none copies the bytes through', () => {
    const data = Buffer.from('plain');
    expect(native.compress(Codec.none, data).equals(data)).toBe(true);
    expect(native.decompress(Codec.none, data).equals(data)).toBe(true);
  });

  it('writes gzip that Node zlib reads, and reads gzip that Node zlib writes', () => {
    const data = Buffer.from('hello gzip '.repeat(100));
    expect(gunzipSync(native.compress(Codec.gzip, data)).equals(data)).toBe(true);
    expect(native.decompress(Codec.gzip, gzipSync(data)).equals(data)).toBe(true);
  });

  it('writes snappy in xerial framing, as the Java producer does', () => {
    const out = native.compress(Codec.snappy, Buffer.from('abc'.repeat(50_000)));
    expect(out.subarray(0, 8).equals(XERIAL_MAGIC)).toBe(true);
    expect(out.readInt32BE(8)).toBe(1);
    expect(out.readInt32BE(12)).toBe(1);
  });

  it('reads xerial snappy with several blocks and raw snappy (librdkafka)', () => {
    const a = Buffer.from('first block of xerial snappy data');
    const b = Buffer.from('second block, a little longer than the first block was, to span literals');
    expect(native.decompress(Codec.snappy, xerial([rawSnappyLiterals(a), rawSnappyLiterals(b)])).toString()).toBe(
      a.toString() + b.toString(),
    );
    expect(native.decompress(Codec.snappy, rawSnappyLiterals(b)).equals(b)).toBe(true);
  });

  it('reads zstd frames without a content size (streaming writers), concatenated', () => {
    // magic, descriptor 0x00 (no content size, no checksum), window 128 KiB, one last raw block
    const frame = (content: Buffer): Buffer => {
      const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38, 0, 0, 0]);
      header.writeUIntLE((content.length << 3) | 1, 6, 3);
      return Buffer.concat([header, content]);
    };
    const a = Buffer.from('first zstd frame, stored raw');
    const b = Buffer.alloc(70_000, 0x61); // bigger than the decoder's first output chunk
    expect(native.decompress(Codec.zstd, Buffer.concat([frame(a), frame(b)])).equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('writes lz4 frames with independent 64 KiB blocks and zstd frames', () => {
    const lz4 = native.compress(Codec.lz4, Buffer.from('x'.repeat(1000)));
    expect(lz4.readUInt32LE(0)).toBe(0x184d2204);
    const flg = lz4[4];
    expect((flg >> 6) & 3).toBe(1); // version 01
    expect(flg & 0x20).toBe(0x20); // block independence
    expect((lz4[5] >> 4) & 7).toBe(4); // block max size 64 KiB
    expect(native.compress(Codec.zstd, Buffer.from('y')).readUInt32LE(0)).toBe(0xfd2fb528);
  });

  it.each(codecs)('rejects corrupt codec %i input with CORRUPT_MESSAGE', (codec) => {
    const good = native.compress(codec, Buffer.from('some data worth compressing '.repeat(20)));
    const bad = Buffer.from(good);
    bad.fill(0xee, 4, Math.min(bad.length, 40));
    expectNativeError(() => native.decompress(codec, bad), 'CORRUPT_MESSAGE');
    expectNativeError(() => native.decompress(codec, good.subarray(0, good.length - 5)), 'CORRUPT_MESSAGE');
  });

  it('rejects codec ids 5-7 with UNSUPPORTED_COMPRESSION_TYPE', () => {
    for (const id of [5, 6, 7]) {
      expectNativeError(() => native.compress(id as CodecId, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION_TYPE');
      expectNativeError(() => native.decompress(id as CodecId, Buffer.from('x')), 'UNSUPPORTED_COMPRESSION_TYPE');
    }
  });
});
