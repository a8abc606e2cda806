import { describe, expect, test } from 'vitest';
import { BufferPool } from '../../src/producer/buffer-pool.js';

describe('BufferPool', () => {
  test('reserves while memory is free, then refuses until some is returned', () => {
    let freed = 0;
    const pool = new BufferPool(1000, () => freed++);
    expect(pool.tryAllocate(600)).toBe(true);
    expect(pool.tryAllocate(600)).toBe(false);
    pool.deallocate(600);
    expect(freed).toBe(1);
    expect(pool.tryAllocate(600)).toBe(true);
  });

  test('more than the whole budget throws at once (Java BufferPool.allocate), nothing reserved', () => {
    const pool = new BufferPool(1000, () => {});
    expect(() => pool.tryAllocate(1001)).toThrow(expect.objectContaining({ type: 'INVALID_CONFIG', retriable: false }));
    expect(pool.usedMemory).toBe(0);
  });

  test('buffers of batchSize come back for reuse; other sizes are never kept', () => {
    const pool = new BufferPool(1000, () => {}, 300);
    expect(pool.tryAllocate(300)).toBe(true);
    const a = pool.buffer(300);
    expect(a.length).toBe(300);
    pool.deallocate(300, a);
    expect(pool.buffer(300)).toBe(a);
    expect(pool.buffer(300)).not.toBe(a); // taken: a fresh one
    expect(pool.tryAllocate(700)).toBe(true);
    const big = pool.buffer(700);
    pool.deallocate(700, big);
    expect(pool.buffer(700)).not.toBe(big);
  });

  test('pooled and reserved bytes stay within bufferMemory: what does not fit is dropped', () => {
    const pool = new BufferPool(1000, () => {}, 300);
    const kept = [pool.buffer(300), pool.buffer(300), pool.buffer(300), pool.buffer(300)];
    for (const b of kept) pool.deallocate(0, b); // 4 x 300 > 1000: the fourth is not kept
    expect(pool.buffer(300)).toBe(kept[2]);
    expect(pool.buffer(300)).toBe(kept[1]);
    expect(pool.buffer(300)).toBe(kept[0]);
    expect(pool.buffer(300)).not.toBe(kept[3]);
    // A large reservation makes pooled buffers give way.
    for (const b of kept.slice(0, 3)) pool.deallocate(0, b);
    expect(pool.tryAllocate(900)).toBe(true);
    pool.buffer(900);
    expect(pool.buffer(300)).not.toBe(kept[2]);
  });

  test('a returned buffer is in the free list before waiting appends are told memory was freed', () => {
    let taken: Buffer | null = null;
    const pool: BufferPool = new BufferPool(1000, () => (taken = pool.buffer(300)), 300);
    expect(pool.tryAllocate(300)).toBe(true);
    const a = pool.buffer(300);
    pool.deallocate(300, a);
    expect(taken).toBe(a);
  });
});
