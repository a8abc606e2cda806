// ReplicaManager's pure parts, with fake logs: how a fetch shares max_bytes across partitions,
// the leader-epoch check (KIP-320) and how thrown errors become partition error codes.
import { describe, expect, it } from 'vitest';
import { DelayedFetchPurgatory } from '../../src/broker/delayed-fetch.js';
import { checkLeaderEpoch, partitionErrorCode, type PartitionFetch, recordsSize, ReplicaManager } from '../../src/broker/replica-manager.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import type { LogManager } from '../../src/storage/log-manager.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';

interface ReadCall {
  partition: number;
  maxBytes: number;
  minOneMessage: boolean;
}

/** A log that holds `available` bytes from offset 0, as whole 100-byte batches. */
function fakeLog(partition: number, available: number, calls: ReadCall[], leaderEpoch = 5): PartitionLog {
  return {
    topic: 't',
    partition,
    leaderEpoch,
    readRegion(_offset: number, maxBytes: number, minOneMessage: boolean) {
      calls.push({ partition, maxBytes, minOneMessage });
      let size = Math.min(available, Math.floor(maxBytes / 100) * 100);
      if (size === 0 && minOneMessage && available > 0) size = 100;
      return { records: Buffer.alloc(size), highWatermark: 10, logStartOffset: 0, lastStableOffset: 10 };
    },
  } as unknown as PartitionLog;
}

function managerOf(logs: PartitionLog[]): ReplicaManager {
  const logManager = { getLog: (_t: string, p: number) => logs.find((l) => l.partition === p) } as unknown as LogManager;
  return new ReplicaManager(logManager, new DelayedFetchPurgatory());
}

const fetchOf = (partition: number, partitionMaxBytes: number): PartitionFetch => ({
  topic: 't',
  partition,
  fetchOffset: 0,
  partitionMaxBytes,
  currentLeaderEpoch: -1,
});

describe('ReplicaManager.readFromLog', () => {
  it('shares max_bytes across partitions and only lets the first partition with data exceed it', () => {
    const calls: ReadCall[] = [];
    const rm = managerOf([fakeLog(0, 0, calls), fakeLog(1, 1000, calls), fakeLog(2, 1000, calls), fakeLog(3, 1000, calls)]);
    const results = rm.readFromLog([fetchOf(0, 500), fetchOf(1, 50), fetchOf(2, 500), fetchOf(3, 500)], 350, 'uncommitted');
    // Partition 0 is empty; partition 1 gets one whole batch beyond its 50 bytes (min one message);
    // partition 2 gets what is left of max_bytes (250 → 200 whole); partition 3 gets nothing.
    expect(results.map((r) => recordsSize(r.records))).toEqual([0, 100, 200, 0]);
    expect(calls).toEqual([
      { partition: 0, maxBytes: 350, minOneMessage: true },
      { partition: 1, maxBytes: 50, minOneMessage: true },
      { partition: 2, maxBytes: 250, minOneMessage: false },
      { partition: 3, maxBytes: 50, minOneMessage: false },
    ]);
  });

  it('fails only the partition that is unknown or fenced', () => {
    const calls: ReadCall[] = [];
    const rm = managerOf([fakeLog(0, 100, calls)]);
    const results = rm.readFromLog([{ ...fetchOf(0, 100), currentLeaderEpoch: 4 }, fetchOf(7, 100), fetchOf(0, 100)], 1000, 'uncommitted');
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.NONE]);
    expect(results[1]).toMatchObject({ highWatermark: -1, logStartOffset: -1, lastStableOffset: -1 });
    expect(recordsSize(results[1].records)).toBe(0);
  });
});

describe('checkLeaderEpoch', () => {
  const log = fakeLog(0, 0, [], 5);
  it('skips the check for -1, accepts the leader epoch, fences older and flags newer ones', () => {
    expect(() => checkLeaderEpoch(log, -1)).not.toThrow();
    expect(() => checkLeaderEpoch(log, 5)).not.toThrow();
    expect(partitionErrorCode(catchError(() => checkLeaderEpoch(log, 4)))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(partitionErrorCode(catchError(() => checkLeaderEpoch(log, 6)))).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

describe('partitionErrorCode', () => {
  it('keeps Kafka errors, turns bare I/O errors into KAFKA_STORAGE_ERROR and anything else into UNKNOWN_SERVER_ERROR', () => {
    expect(partitionErrorCode(new KafkaError('OFFSET_OUT_OF_RANGE'))).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(partitionErrorCode({ errorName: 'CORRUPT_MESSAGE' })).toBe(ErrorCode.CORRUPT_MESSAGE);
    const io = Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO', syscall: 'write' });
    expect(partitionErrorCode(io)).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(partitionErrorCode(new TypeError('bug'))).toBe(ErrorCode.UNKNOWN_SERVER_ERROR);
  });
});

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}
