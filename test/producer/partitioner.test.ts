import { describe, expect, test } from 'vitest';
import { BuiltInPartitioner, murmur2, partitionForKey, toPositive } from '../../src/producer/partitioner.js';

describe('murmur2', () => {
  // Vectors from Kafka's UtilsTest.testMurmur2 (clients module).
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %i as in the Java client', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  test('toPositive clears the sign bit (Integer.MIN_VALUE maps to 0, unlike abs)', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(5)).toBe(5);
  });

  test('partitionForKey is toPositive(murmur2(key)) % numPartitions', () => {
    // -973932308 & 0x7fffffff = 1173551340; % 10 = 0, % 7 = 1173551340 % 7
    expect(partitionForKey(Buffer.from('21'), 10)).toBe(1173551340 % 10);
    expect(partitionForKey(Buffer.from('foobar'), 7)).toBe((-790332482 & 0x7fffffff) % 7);
    expect(partitionForKey(Buffer.alloc(0), 3)).toBe(toPositive(murmur2(Buffer.alloc(0))) % 3);
  });
});

describe('BuiltInPartitioner (sticky, keyless records)', () => {
  const view = { partitionCount: 4, availablePartitions: [0, 1, 2, 3] };
  const sequence = (values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length];
  };

  test('stays on one partition until batchSize bytes went to it and its batch is full', () => {
    const p = new BuiltInPartitioner('t', 100, sequence([1, 2]));
    expect(p.currentPartition(view)).toBe(1);
    p.updatePartitionInfo(60, view, true);
    expect(p.currentPartition(view)).toBe(1);
    p.updatePartitionInfo(40, view, true);
    expect(p.currentPartition(view)).toBe(2);
  });

  test('an unfilled batch delays the switch until twice batchSize (Java rule)', () => {
    const p = new BuiltInPartitioner('t', 100, sequence([0, 3]));
    expect(p.currentPartition(view)).toBe(0);
    p.updatePartitionInfo(150, view, false);
    expect(p.currentPartition(view)).toBe(0);
    p.updatePartitionInfo(50, view, false);
    expect(p.currentPartition(view)).toBe(3);
  });

  test('picks among partitions with a leader only', () => {
    const p = new BuiltInPartitioner('t', 1, sequence([0, 1, 2, 3, 4, 5]));
    const seen = new Set<number>();
    const partial = { partitionCount: 4, availablePartitions: [1, 3] };
    for (let i = 0; i < 6; i++) {
      seen.add(p.currentPartition(partial));
      p.updatePartitionInfo(1, partial, true);
    }
    expect([...seen].sort()).toEqual([1, 3]);
  });

  test('with no partition available, falls back to any partition', () => {
    const p = new BuiltInPartitioner('t', 10, () => 6);
    expect(p.currentPartition({ partitionCount: 4, availablePartitions: [] })).toBe(2);
  });
});
