// recordSizeUpperBound is Kafka's upper bound: a record never encodes larger, so a batch built in a
// buffer of that size (a record larger than batchSize gets one) never has to move to a larger one.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NativeBatch } from '../../src/producer/native-batch.js';
import { recordSizeUpperBound } from '../../src/producer/record-size.js';

const bytes = (max: number) => fc.option(fc.integer({ min: 0, max }).map((n) => Buffer.alloc(n, 7)), { nil: null });

describe('recordSizeUpperBound', () => {
  test('bounds what the addon encodes, so a buffer of that size is never outgrown', () => {
    fc.assert(
      fc.property(
        bytes(300),
        bytes(70_000),
        fc.option(fc.array(fc.record({ key: fc.string({ maxLength: 200 }), value: bytes(200) }), { maxLength: 5 }), { nil: null }),
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), // widest timestamp delta against the base
        (key, value, headers, delta) => {
          const bound = recordSizeUpperBound(key, value, headers);
          const buffer = Buffer.alloc(bound);
          const T0 = 2 ** 52;
          const batch = new NativeBatch({ compression: 'none', batchSize: 0, baseTimestamp: T0, buffer });
          expect(batch.tryAppend(T0 + delta, key, value, headers)).toBe(true);
          expect(batch.estimatedSizeInBytes).toBeLessThanOrEqual(bound);
          expect(batch.close(1, 0, 0).buffer).toBe(buffer.buffer);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("matches Kafka's figure for a keyless 1 KiB value: 61 + 21 + 1 (null key) + 2 + 1024 + 1 (no headers)", () => {
    expect(recordSizeUpperBound(null, Buffer.alloc(1024), null)).toBe(1110);
  });
});
