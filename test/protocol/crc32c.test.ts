import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/protocol/crc32c.js';

describe('crc32c', () => {
  it('matches the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  });
  it('agrees with @node-rs/crc32 on random input, also when continued', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const b = Buffer.from(bytes);
        const at = bytes.length ? cut % bytes.length : 0;
        expect(crc32c(b)).toBe(nodeRsCrc32c(b));
        expect(crc32c(b, at, b.length, crc32c(b, 0, at))).toBe(crc32c(b));
      }),
    );
  });
});
