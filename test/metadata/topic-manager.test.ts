// TopicManager with a real LogManager in a temp dir: persistence across reopen and the repair
// of crashes between the metadata write and the log change.
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLogSink } from '../../src/logger.js';
import { METADATA_FILE, MetadataStore, type MetadataState } from '../../src/metadata/metadata-store.js';
import { KafkaError } from '../../src/protocol/errors.js';
import type { LogManager } from '../../src/storage/log-manager.js';
import { openBrokerStorage } from '../support/broker-storage.js';

const open: LogManager[] = [];
const dirs: string[] = [];

async function start(dir: string, props: Record<string, string> = {}) {
  const storage = await openBrokerStorage(dir, { 'num.partitions': '2', ...props });
  open.push(storage.logManager);
  return storage;
}

async function stop(lm: LogManager) {
  open.splice(open.indexOf(lm), 1);
  await lm.shutdown();
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-tm-'));
  dirs.push(d);
  return d;
}

function kafkaErrorName(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.errorName;
    throw err;
  }
  return 'none';
}

afterEach(async () => {
  for (const lm of open.splice(0)) await lm.shutdown();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

setLogSink(() => {});

describe('TopicManager', () => {
  it('creates topics with logs and keeps them, with ids and overrides, across a reopen', async () => {
    const dir = tempDir();
    const a = await start(dir);
    expect(existsSync(join(dir, METADATA_FILE))).toBe(true);
    const t = a.topics.createTopic('orders', { configs: new Map([['retention.ms', '1234']]) });
    expect(t).toMatchObject({ name: 'orders', numPartitions: 2, replicationFactor: 1, internal: false });
    expect(t.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.logManager.logsOf('orders').map((l) => [l.partition, l.topicId, l.config.retentionMs])).toEqual(
      expect.arrayContaining([
        [0, t.topicId, 1234],
        [1, t.topicId, 1234],
      ]),
    );
    a.topics.createTopic('events', { numPartitions: 1 });
    a.topics.createPartitions('events', 3, false);
    await stop(a.logManager);

    const b = await start(dir);
    expect(b.topics.all().map((x) => x.name).sort()).toEqual(['events', 'orders']);
    expect(b.topics.get('orders')!.topicId).toBe(t.topicId);
    expect(b.topics.getById(t.topicId)!.name).toBe('orders');
    expect(b.topics.get('events')!.numPartitions).toBe(3);
    expect(b.logManager.getLog('orders', 1)!.config.retentionMs).toBe(1234);
    expect(b.logManager.logsOf('events')).toHaveLength(3);
  });

  it('deletes topics durably and lets the name be created again with a new id', async () => {
    const dir = tempDir();
    const a = await start(dir);
    const first = a.topics.createTopic('gone');
    a.topics.deleteTopic('gone');
    expect(a.topics.get('gone')).toBeUndefined();
    expect(a.logManager.logsOf('gone')).toHaveLength(0);
    expect(kafkaErrorName(() => a.topics.deleteTopic('gone'))).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await stop(a.logManager);
    const b = await start(dir);
    expect(b.topics.get('gone')).toBeUndefined();
    expect(b.topics.createTopic('gone').topicId).not.toBe(first.topicId);
  });

  it('enforces Kafka\'s creation rules', async () => {
    const { topics } = await start(tempDir());
    topics.createTopic('taken');
    expect(kafkaErrorName(() => topics.createTopic('taken'))).toBe('TOPIC_ALREADY_EXISTS');
    expect(kafkaErrorName(() => topics.createTopic('a b'))).toBe('INVALID_TOPIC_EXCEPTION');
    expect(kafkaErrorName(() => topics.createTopic('x', { replicationFactor: 2 }))).toBe('INVALID_REPLICATION_FACTOR');
    expect(kafkaErrorName(() => topics.createTopic('x', { replicationFactor: 0 }))).toBe('INVALID_REPLICATION_FACTOR');
    expect(kafkaErrorName(() => topics.createTopic('x', { numPartitions: -5 }))).toBe('INVALID_PARTITIONS');
    expect(kafkaErrorName(() => topics.createTopic('x', { configs: new Map([['max.message.bytes', '-1']]) }))).toBe('INVALID_CONFIG');
    expect(kafkaErrorName(() => topics.createTopic('x', { numPartitions: 1, assignments: new Map([[0, [1]]]) }))).toBe('INVALID_REQUEST');
    expect(kafkaErrorName(() => topics.createTopic('x', { assignments: new Map([[1, [1]]]) }))).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(kafkaErrorName(() => topics.createTopic('x', { assignments: new Map([[0, [1, 1]]]) }))).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(topics.get('x')).toBeUndefined();
    expect(topics.createTopic('__consumer_offsets', { numPartitions: 1 }).internal).toBe(true);
  });

  it('refuses deletion when delete.topic.enable=false', async () => {
    const { topics } = await start(tempDir(), { 'delete.topic.enable': 'false' });
    topics.createTopic('kept');
    expect(kafkaErrorName(() => topics.deleteTopic('kept'))).toBe('TOPIC_DELETION_DISABLED');
    expect(topics.get('kept')).toBeDefined();
  });

  it('repairs a crash between the metadata write and the log change, both ways', async () => {
    const dir = tempDir();
    const a = await start(dir);
    a.topics.createTopic('half-deleted', { numPartitions: 1 });
    a.topics.createTopic('half-created', { numPartitions: 1 });
    await stop(a.logManager);
    // As if the broker died after persisting the deletion of one topic and the creation of a
    // second partition of the other, before touching the logs.
    const path = join(dir, METADATA_FILE);
    const state = JSON.parse(readFileSync(path, 'utf8')) as MetadataState;
    state.topics = state.topics.filter((t) => t.name !== 'half-deleted');
    state.topics.find((t) => t.name === 'half-created')!.numPartitions = 2;
    writeFileSync(path, JSON.stringify(state));

    const b = await start(dir);
    expect(b.logManager.logsOf('half-deleted')).toHaveLength(0);
    expect(b.logManager.logsOf('half-created')).toHaveLength(2);
  });

  it('adopts logs found on disk when there is no metadata file, keeping their topic ids', async () => {
    const dir = tempDir();
    const a = await start(dir);
    const id = a.topics.createTopic('legacy', { numPartitions: 3 }).topicId;
    await stop(a.logManager);
    unlinkSync(join(dir, METADATA_FILE));

    const b = await start(dir);
    expect(b.topics.get('legacy')).toMatchObject({ topicId: id, numPartitions: 3 });
    expect(existsSync(join(dir, METADATA_FILE))).toBe(true);
  });

  it('pushes dynamic broker default changes to logs of topics without an override', async () => {
    const { topics, configs, logManager } = await start(tempDir());
    topics.createTopic('plain', { numPartitions: 1 });
    topics.createTopic('pinned', { numPartitions: 1, configs: new Map([['segment.bytes', '1048576']]) });
    configs.alterBroker('', new Map([['log.segment.bytes', '2097152']]), false);
    expect(logManager.getLog('plain', 0)!.config.segmentBytes).toBe(2097152);
    expect(logManager.getLog('pinned', 0)!.config.segmentBytes).toBe(1048576);
    topics.alterTopicConfigs('pinned', new Map(), false);
    expect(logManager.getLog('pinned', 0)!.config.segmentBytes).toBe(2097152);
    expect(topics.logConfigFor('pinned').segmentBytes).toBe(2097152);
  });

  it('undoes a creation whose log cannot be made (I/O error), leaving no topic and no logs', async () => {
    const dir = tempDir();
    const a = await start(dir);
    a.topics.createTopic('grow', { numPartitions: 1 });
    const real = a.logManager.createLog.bind(a.logManager);
    const spy = vi.spyOn(a.logManager, 'createLog').mockImplementation((topic, partition, topicId, config) => {
      if (partition === 1) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', syscall: 'open' });
      return real(topic, partition, topicId, config);
    });
    expect(() => a.topics.createTopic('broken', { numPartitions: 3 })).toThrow(/ENOSPC/);
    expect(() => a.topics.createPartitions('grow', 3, false)).toThrow(/ENOSPC/);
    spy.mockRestore();
    expect(a.topics.get('broken')).toBeUndefined();
    expect(a.logManager.logsOf('broken')).toHaveLength(0);
    expect(a.topics.get('grow')!.numPartitions).toBe(1);
    await stop(a.logManager);
    const b = await start(dir);
    expect(b.topics.get('broken')).toBeUndefined();
    expect(b.logManager.logsOf('broken')).toHaveLength(0);
    expect(b.logManager.logsOf('grow')).toHaveLength(1);
  });

  it('refuses a metadata file it cannot read instead of starting empty', () => {
    const dir = tempDir();
    writeFileSync(join(dir, METADATA_FILE), '{ not json');
    expect(() => MetadataStore.open(dir)).toThrow(/not valid JSON/);
  });
});
