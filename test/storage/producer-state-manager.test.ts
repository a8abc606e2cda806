import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import type { BatchInfo } from '../../src/native/index.js';
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotEntry,
} from '../../src/storage/producer-snapshot.js';
import { decrementSequence, incrementSequence, ProducerStateManager } from '../../src/storage/producer-state-manager.js';
import { thrownErrorName as errorName } from '../support/error-name.js';
import { removeDir, tempDir } from './support/batches.js';

const INT32_MAX = 2147483647;

function batch(producerId: number, epoch: number, baseSequence: number, records: number): BatchInfo {
  return {
    position: 0,
    sizeInBytes: 100,
    baseOffset: 0,
    lastOffsetDelta: records - 1,
    recordCount: records,
    partitionLeaderEpoch: 0,
    attributes: 0,
    compression: 0,
    timestampType: 0,
    isTransactional: false,
    isControl: false,
    baseTimestamp: 1000,
    maxTimestamp: 1000 + records,
    minRecordTimestamp: 1000,
    maxRecordTimestamp: 1000 + records,
    hasNullKey: false,
    producerId,
    producerEpoch: epoch,
    baseSequence,
  };
}

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

describe('sequence arithmetic', () => {
  test('wraps at Int32.MAX like Kafka', () => {
    expect(incrementSequence(5, 3)).toBe(8);
    expect(incrementSequence(INT32_MAX, 1)).toBe(0);
    expect(incrementSequence(INT32_MAX - 1, 3)).toBe(1);
    expect(decrementSequence(1, 3)).toBe(INT32_MAX - 1);
    expect(decrementSequence(8, 3)).toBe(5);
  });
});

describe('leader append checks', () => {
  /** Appends as the log would: check, then record at the next offsets. */
  function append(psm: ProducerStateManager, b: BatchInfo, nextOffset: { value: number }) {
    const dup = psm.checkLeaderAppend(b);
    if (dup) return { duplicate: true, firstOffset: dup.lastOffset - dup.offsetDelta, lastOffset: dup.lastOffset };
    const first = nextOffset.value;
    const last = first + b.lastOffsetDelta;
    psm.update(b, last, b.maxTimestamp);
    nextOffset.value = last + 1;
    return { duplicate: false, firstOffset: first, lastOffset: last };
  }

  test('retries of any of the last five batches are duplicates with their original offsets', () => {
    const psm = new ProducerStateManager(dir);
    const next = { value: 0 };
    for (let i = 0; i < 6; i++) append(psm, batch(7, 0, i * 2, 2), next);
    // batches: seq 0-1 @0, 2-3 @2, ..., 10-11 @10; only the last five are remembered
    expect(append(psm, batch(7, 0, 4, 2), next)).toEqual({ duplicate: true, firstOffset: 4, lastOffset: 5 });
    expect(append(psm, batch(7, 0, 10, 2), next)).toEqual({ duplicate: true, firstOffset: 10, lastOffset: 11 });
    expect(errorName(() => psm.checkLeaderAppend(batch(7, 0, 0, 2)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(next.value).toBe(12);
  });

  test('a gap is OUT_OF_ORDER_SEQUENCE_NUMBER; the next in-order batch is accepted', () => {
    const psm = new ProducerStateManager(dir);
    const next = { value: 0 };
    append(psm, batch(1, 0, 0, 3), next);
    expect(errorName(() => psm.checkLeaderAppend(batch(1, 0, 4, 1)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(append(psm, batch(1, 0, 3, 1), next).duplicate).toBe(false);
  });

  test('a stale epoch is INVALID_PRODUCER_EPOCH; a bumped epoch must restart at sequence 0', () => {
    const psm = new ProducerStateManager(dir);
    const next = { value: 0 };
    append(psm, batch(1, 3, 0, 2), next);
    expect(errorName(() => psm.checkLeaderAppend(batch(1, 2, 2, 1)))).toBe('INVALID_PRODUCER_EPOCH');
    expect(errorName(() => psm.checkLeaderAppend(batch(1, 4, 5, 1)))).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(append(psm, batch(1, 4, 0, 1), next).duplicate).toBe(false);
    expect(psm.lastEntry(1)?.producerEpoch).toBe(4);
    // the old epoch's batches are forgotten: its retry is now a stale epoch
    expect(errorName(() => psm.checkLeaderAppend(batch(1, 3, 0, 2)))).toBe('INVALID_PRODUCER_EPOCH');
  });

  test('sequences continue across the Int32.MAX wrap', () => {
    const psm = new ProducerStateManager(dir);
    const next = { value: 0 };
    append(psm, batch(1, 0, INT32_MAX - 1, 2), next);
    expect(append(psm, batch(1, 0, 0, 1), next).duplicate).toBe(false);
    expect(append(psm, batch(1, 0, INT32_MAX - 1, 2), next)).toEqual({ duplicate: true, firstOffset: 0, lastOffset: 1 });
  });

  test('an unknown producer may start at any sequence (Kafka accepts it after its state expired)', () => {
    const psm = new ProducerStateManager(dir);
    expect(psm.checkLeaderAppend(batch(9, 0, 57, 1))).toBeUndefined();
  });

  test('non-idempotent batches are never checked', () => {
    const psm = new ProducerStateManager(dir);
    expect(psm.checkLeaderAppend(batch(-1, -1, -1, 5))).toBeUndefined();
    psm.update(batch(-1, -1, -1, 5), 4, 0);
    expect(psm.producerCount).toBe(0);
  });
});

describe('producer snapshot files', () => {
  const entry: ProducerSnapshotEntry = {
    producerId: 4001,
    epoch: 2,
    lastSequence: 99,
    lastOffset: 123456789,
    offsetDelta: 4,
    timestamp: 1_700_000_000_123,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: -1,
  };

  test('use Kafka layout: version i16, CRC-32C of the rest, count, 46-byte entries', () => {
    const buf = encodeProducerSnapshot([entry]);
    expect(buf.length).toBe(2 + 4 + 4 + 46);
    expect(buf.readInt16BE(0)).toBe(1);
    expect(buf.readUInt32BE(2)).toBe(crc32c(buf.subarray(6)));
    expect(buf.readInt32BE(6)).toBe(1);
    expect(buf.readBigInt64BE(10)).toBe(4001n);
    expect(buf.readInt16BE(18)).toBe(2);
    expect(buf.readInt32BE(20)).toBe(99);
    expect(buf.readBigInt64BE(24)).toBe(123456789n);
    expect(buf.readInt32BE(32)).toBe(4);
    expect(buf.readBigInt64BE(36)).toBe(1_700_000_000_123n);
    expect(buf.readInt32BE(44)).toBe(-1);
    expect(buf.readBigInt64BE(48)).toBe(-1n);
    expect(decodeProducerSnapshot(buf)).toEqual([entry]);
  });

  test('any entries round-trip through the snapshot encoding', () => {
    const int64 = fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER });
    const arbEntry = fc.record({
      producerId: int64,
      epoch: fc.integer({ min: -1, max: 32767 }),
      lastSequence: fc.integer({ min: -1, max: INT32_MAX }),
      lastOffset: int64,
      offsetDelta: fc.integer({ min: 0, max: INT32_MAX }),
      timestamp: int64,
      coordinatorEpoch: fc.integer({ min: -1, max: INT32_MAX }),
      currentTxnFirstOffset: int64,
    });
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 20 }), (entries) => {
        expect(decodeProducerSnapshot(encodeProducerSnapshot(entries))).toEqual(entries);
      }),
    );
  });

  test('a flipped byte or a truncated file is CorruptSnapshotError', () => {
    const buf = encodeProducerSnapshot([entry, { ...entry, producerId: 5 }]);
    const flipped = Buffer.from(buf);
    flipped[30] ^= 1;
    expect(() => decodeProducerSnapshot(flipped)).toThrow(CorruptSnapshotError);
    expect(() => decodeProducerSnapshot(buf.subarray(0, buf.length - 3))).toThrow(CorruptSnapshotError);
  });

  test('takeSnapshot writes <20-digit offset>.snapshot; loading restores epoch and last batch', () => {
    const psm = new ProducerStateManager(dir);
    psm.update(batch(11, 1, 0, 3), 2, 1003);
    psm.update(batch(11, 1, 3, 2), 4, 1002);
    psm.updateMapEndOffset(5);
    psm.takeSnapshot();
    expect(fs.readdirSync(dir)).toEqual(['00000000000000000005.snapshot']);
    const loaded = new ProducerStateManager(dir);
    loaded.loadFromSnapshots(0, 5);
    expect(loaded.mapEndOffset).toBe(5);
    const e = loaded.lastEntry(11)!;
    expect(e.producerEpoch).toBe(1);
    expect(e.batches).toEqual([{ lastSeq: 4, lastOffset: 4, offsetDelta: 1, timestamp: 1002 }]);
    expect(loaded.checkLeaderAppend(batch(11, 1, 3, 2))).toEqual(e.batches[0]);
  });

  test('loading skips a corrupt newest snapshot (deleting it) and falls back to the previous one', () => {
    const psm = new ProducerStateManager(dir);
    psm.update(batch(1, 0, 0, 1), 0, 1);
    psm.updateMapEndOffset(1);
    psm.takeSnapshot();
    psm.update(batch(1, 0, 1, 1), 1, 2);
    psm.updateMapEndOffset(2);
    psm.takeSnapshot();
    fs.writeFileSync(path.join(dir, '00000000000000000002.snapshot'), Buffer.from([0, 1, 2]));
    const loaded = new ProducerStateManager(dir);
    loaded.loadFromSnapshots(0, 10);
    expect(loaded.mapEndOffset).toBe(1);
    expect(loaded.lastEntry(1)?.lastSeq).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['00000000000000000001.snapshot']);
  });

  test('snapshots beyond the log end are dropped at load', () => {
    const psm = new ProducerStateManager(dir);
    psm.update(batch(1, 0, 0, 1), 7, 1);
    psm.updateMapEndOffset(8);
    psm.takeSnapshot();
    const loaded = new ProducerStateManager(dir);
    loaded.loadFromSnapshots(0, 5);
    expect(loaded.mapEndOffset).toBe(0);
    expect(loaded.producerCount).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
