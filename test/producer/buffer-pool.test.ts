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
});
