// CRC-32C must match the Castagnoli reference vectors and an independent implementation.
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native/index.js';

describe('native.crc32c', () => {
  it('matches the standard check value and RFC 3720 test vectors', () => {
    expect(native.crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(native.crc32c(Buffer.alloc(0))).toBe(0);
    expect(native.crc32c(Buffer.alloc(32, 0x00))).toBe(0x8a9136aa);
    expect(native.crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(native.crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(native.crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)))).toBe(0x113fdb5c);
  });

  it('agrees with @node-rs/crc32 on arbitrary data, including views into larger buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(16), (bytes, skip) => {
        const backing = Buffer.concat([Buffer.alloc(skip, 0xaa), Buffer.from(bytes)]);
        const view = backing.subarray(skip);
        expect(native.crc32c(view)).toBe(nodeRsCrc32c(view));
      }),
    );
  });
});
