// GroupStore over real logs in a temp dir: the offsets topic it creates, Kafka's partitionFor,
// appends read back after a reopen (tombstones applied, compressed batches decoded), and the
// coordinator error codes of failed appends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeGroupMetadataKey, encodeOffsetCommitKey, encodeOffsetCommitValue } from '../../src/group/coordinator-record-codec.js';
import { GROUP_METADATA_TOPIC_NAME, type GroupMetadataRecord, GroupStore, javaStringHashCode } from '../../src/group/group-store.js';
import { setLogSink } from '../../src/logger.js';
import { native } from '../../src/native/index.js';
import { KafkaError } from '../../src/protocol/errors.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/records.js';
import type { LogManager } from '../../src/storage/log-manager.js';
import { openBrokerStorage } from '../support/broker-storage.js';

const open: LogManager[] = [];
const dirs: string[] = [];

/** A broker's storage, topic registry and group store over `dir`, as Broker.start opens them. */
async function start(dir: string, props: Record<string, string> = {}) {
  const { config, logManager, topics } = await openBrokerStorage(dir, { 'offsets.topic.num.partitions': '4', ...props });
  open.push(logManager);
  return { logManager, topics, groupStore: new GroupStore({ config, topics, logManager, clock: () => 1_700_000_000_000 }) };
}

async function reopen(dir: string, logManager: LogManager, props: Record<string, string> = {}) {
  open.splice(open.indexOf(logManager), 1);
  await logManager.shutdown();
  return start(dir, props);
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-gs-'));
  dirs.push(d);
  return d;
}

function errorName(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.errorName;
    throw err;
  }
  return 'none';
}

const offset = (o: number, extra: Partial<{ leaderEpoch: number; metadata: string; commitTimestamp: number; expireTimestamp: number }> = {}) => ({
  offset: o,
  leaderEpoch: extra.leaderEpoch ?? -1,
  metadata: extra.metadata ?? '',
  commitTimestamp: extra.commitTimestamp ?? 1_700_000_000_000,
  expireTimestamp: extra.expireTimestamp ?? -1,
});

const stableGroup: GroupMetadataRecord = {
  protocolType: 'consumer',
  generation: 3,
  protocol: 'range',
  leader: 'm1',
  currentStateTimestamp: 1_700_000_000_000,
  members: [
    {
      memberId: 'm1',
      groupInstanceId: 'i1',
      clientId: 'c1',
      clientHost: '/127.0.0.1',
      rebalanceTimeout: 300000,
      sessionTimeout: 45000,
      subscription: Buffer.from([0, 1, 2]),
      assignment: Buffer.from([3, 4]),
    },
  ],
};

afterEach(async () => {
  for (const lm of open.splice(0)) await lm.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

setLogSink(() => {});

describe('partitionFor', () => {
  it("is Java's String.hashCode (int32 arithmetic over UTF-16 code units)", () => {
    // Values Java prints for "...".hashCode().
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    expect(javaStringHashCode('Aa')).toBe(2112);
    expect(javaStringHashCode('BB')).toBe(2112);
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    expect(javaStringHashCode('é€😀')).toBe(16752006); // the emoji counts as two UTF-16 units
  });

  it('is Utils.abs(hashCode) % offsets.topic.num.partitions', async () => {
    const { groupStore } = await start(tempDir(), { 'offsets.topic.num.partitions': '50' });
    expect(groupStore.partitionFor('hello')).toBe(22);
    expect(groupStore.partitionFor('my-group')).toBe(12);
    expect(groupStore.partitionFor('console-consumer-12345')).toBe(6);
    // Utils.abs(Integer.MIN_VALUE) is 0, not a negative partition.
    expect(groupStore.partitionFor('polygenelubricants')).toBe(0);
  });

  it("uses the existing topic's partition count over the config", async () => {
    const dir = tempDir();
    const first = await start(dir, { 'offsets.topic.num.partitions': '3' });
    first.groupStore.ensureOffsetsTopic();
    const { groupStore } = await reopen(dir, first.logManager, { 'offsets.topic.num.partitions': '50' });
    expect(groupStore.numPartitions).toBe(3);
    expect(groupStore.partitionFor('hello')).toBe(99162322 % 3);
  });
});

describe('ensureOffsetsTopic', () => {
  it('creates an internal compacted topic once, with the offsets.topic.* settings', async () => {
    const { groupStore, topics, logManager } = await start(tempDir(), { 'offsets.topic.segment.bytes': '1048576' });
    expect(topics.get(GROUP_METADATA_TOPIC_NAME)).toBeUndefined();
    groupStore.ensureOffsetsTopic();
    groupStore.ensureOffsetsTopic();
    const topic = topics.get(GROUP_METADATA_TOPIC_NAME)!;
    expect(topic).toMatchObject({ numPartitions: 4, internal: true });
    expect(Object.fromEntries(topic.configs)).toEqual({ 'cleanup.policy': 'compact', 'segment.bytes': '1048576', 'compression.type': 'producer' });
    expect(logManager.logsOf(GROUP_METADATA_TOPIC_NAME)).toHaveLength(4);
    expect(topics.logConfigFor(GROUP_METADATA_TOPIC_NAME)).toMatchObject({ cleanupPolicy: ['compact'], segmentBytes: 1048576 });
  });
});

describe('append and load', () => {
  it('loads nothing when the offsets topic does not exist', async () => {
    const { groupStore } = await start(tempDir());
    expect(groupStore.load()).toEqual({ groups: new Map(), offsets: new Map() });
  });

  it('reads back after a reopen the latest group record and offsets, tombstones applied', async () => {
    const dir = tempDir();
    const first = await start(dir);
    first.groupStore.ensureOffsetsTopic();
    first.groupStore.append('g1', { group: stableGroup });
    first.groupStore.append('g1', {
      offsets: [
        { topic: 't', partition: 0, value: offset(5, { leaderEpoch: 2, metadata: 'meta' }) },
        { topic: 't', partition: 1, value: offset(6) },
        { topic: 'u', partition: 0, value: offset(1, { expireTimestamp: 1_800_000_000_000 }) },
      ],
    });
    first.groupStore.append('g1', { offsets: [{ topic: 't', partition: 0, value: offset(9) }, { topic: 'u', partition: 0, value: null }] });
    first.groupStore.append('g2', { group: { ...stableGroup, generation: 1 }, offsets: [{ topic: 't', partition: 0, value: offset(1) }] });
    first.groupStore.append('g2', { group: null, offsets: [{ topic: 't', partition: 0, value: null }] });
    first.groupStore.append('simple', { offsets: [{ topic: 't', partition: 2, value: offset(3) }] });

    const { groupStore } = await reopen(dir, first.logManager);
    const loaded = groupStore.load();
    expect(loaded.groups).toEqual(new Map([['g1', stableGroup]]));
    expect(loaded.offsets).toEqual(
      new Map([
        ['g1', new Map([['t', new Map([[0, offset(9)], [1, offset(6)]])]])],
        ['simple', new Map([['t', new Map([[2, offset(3)]])]])],
      ]),
    );
  });

  it("writes each append as one uncompressed batch without producer id to the group's partition", async () => {
    const { groupStore, logManager } = await start(tempDir());
    groupStore.ensureOffsetsTopic();
    groupStore.append('g1', { group: stableGroup, offsets: [{ topic: 't', partition: 0, value: offset(5) }, { topic: 't', partition: 1, value: offset(6) }] });
    const pl = logManager.getLog(GROUP_METADATA_TOPIC_NAME, groupStore.partitionFor('g1'))!;
    const { records } = pl.read(0, 1 << 20, true, 'uncommitted');
    const batches = decodeRecordBatches(records);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ compression: 0, producerId: -1, producerEpoch: -1, baseSequence: -1, isTransactional: false });
    // Offsets first, then the group record, as Kafka orders them.
    expect(batches[0].records.map((r) => r.key)).toEqual([
      encodeOffsetCommitKey('g1', 't', 0),
      encodeOffsetCommitKey('g1', 't', 1),
      encodeGroupMetadataKey('g1'),
    ]);
    expect(batches[0].records.every((r) => r.timestamp === 1_700_000_000_000)).toBe(true);
  });

  it('decodes compressed batches and skips records it does not know', async () => {
    const dir = tempDir();
    const first = await start(dir);
    first.groupStore.ensureOffsetsTopic();
    const partition = first.groupStore.partitionFor('g1');
    const value = encodeOffsetCommitValue({ offset: 77n, leaderEpoch: 1, metadata: 'zz', commitTimestamp: 5n, expireTimestamp: -1n });
    const batch = encodeRecordBatch(
      {
        compression: 4,
        records: [
          { key: encodeOffsetCommitKey('g1', 't', 0), value },
          { key: Buffer.from('0003000167', 'hex'), value: Buffer.from('0000', 'hex') }, // a KIP-848 record
          { key: Buffer.from('0001', 'hex'), value }, // a truncated key
        ],
      },
      { compress: (codec, data) => native.compress(codec as 4, data), crc32c: native.crc32c },
    );
    first.logManager.getLog(GROUP_METADATA_TOPIC_NAME, partition)!.appendAsLeader(batch, 0);
    const lines: string[] = [];
    setLogSink((_level, message) => lines.push(message));
    const { groupStore } = await reopen(dir, first.logManager);
    const loaded = groupStore.load();
    setLogSink(() => {});
    expect(loaded.offsets.get('g1')).toEqual(new Map([['t', new Map([[0, { offset: 77, leaderEpoch: 1, metadata: 'zz', commitTimestamp: 5, expireTimestamp: -1 }]])]]));
    expect(lines.some((l) => l.includes('Skipping unreadable record'))).toBe(true);
  });

  it('reads a partition larger than one load chunk', async () => {
    const dir = tempDir();
    const first = await start(dir);
    first.groupStore.ensureOffsetsTopic();
    const metadata = 'x'.repeat(4000);
    for (let i = 0; i < 1500; i++) first.groupStore.append('big', { offsets: [{ topic: 't', partition: i, value: offset(i, { metadata }) }] });
    const { groupStore } = await reopen(dir, first.logManager);
    const partitions = groupStore.load().offsets.get('big')!.get('t')!;
    expect(partitions.size).toBe(1500);
    expect(partitions.get(1499)).toEqual(offset(1499, { metadata }));
  });
});

describe('append failures', () => {
  it('answers COORDINATOR_NOT_AVAILABLE while the offsets topic does not exist', async () => {
    const { groupStore } = await start(tempDir());
    expect(errorName(() => groupStore.append('g', { offsets: [{ topic: 't', partition: 0, value: offset(1) }] }))).toBe('COORDINATOR_NOT_AVAILABLE');
  });

  it('maps a batch too large for the topic to INVALID_COMMIT_OFFSET_SIZE for offsets, UNKNOWN_SERVER_ERROR for group records', async () => {
    const { groupStore } = await start(tempDir(), { 'message.max.bytes': '2000' });
    groupStore.ensureOffsetsTopic();
    const big = 'm'.repeat(3000);
    expect(errorName(() => groupStore.append('g', { offsets: [{ topic: 't', partition: 0, value: offset(1, { metadata: big }) }] }))).toBe(
      'INVALID_COMMIT_OFFSET_SIZE',
    );
    const members = Array.from({ length: 30 }, (_, i) => ({ ...stableGroup.members[0], memberId: `member-${i}`, subscription: Buffer.alloc(100) }));
    expect(errorName(() => groupStore.append('g', { group: { ...stableGroup, members } }))).toBe('UNKNOWN_SERVER_ERROR');
  });

  it('maps an offline partition to NOT_COORDINATOR', async () => {
    const { groupStore, logManager } = await start(tempDir());
    groupStore.ensureOffsetsTopic();
    const pl = logManager.getLog(GROUP_METADATA_TOPIC_NAME, groupStore.partitionFor('g'))!;
    pl.close(); // appending to closed files fails with an I/O error: the partition goes offline
    expect(errorName(() => groupStore.append('g', { offsets: [{ topic: 't', partition: 0, value: offset(1) }] }))).toBe('NOT_COORDINATOR');
  });
});
