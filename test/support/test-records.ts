// Deterministic record contents for end-to-end tests, awkward enough to catch framing mistakes.
import { createHash } from 'node:crypto';

// Pseudo-random bytes derived from `seed`, of length `n`, avoiding the bytes in `exclude`.
function seededBytes(seed: string, n: number, exclude: number[] = []): Buffer {
  const out = Buffer.alloc(n);
  let block = createHash('sha256').update(seed).digest();
  let used = 0;
  for (let i = 0; i < n; ) {
    if (used === block.length) {
      block = createHash('sha256').update(block).digest();
      used = 0;
    }
    const b = block[used++]!;
    if (!exclude.includes(b)) out[i++] = b;
  }
  return out;
}

/** Values of mixed sizes (empty to several KiB, some highly compressible) for record `i`. */
export function testValue(seed: string, i: number, exclude: number[] = []): Buffer {
  const sizes = [0, 1, 17, 100, 1000, 5000];
  const n = sizes[i % sizes.length]!;
  if (i % 3 === 0) return Buffer.from(`value-${i}-`.repeat(Math.ceil(n / 10) + 1).slice(0, n));
  return seededBytes(`${seed}/${i}`, n, exclude);
}
