import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { setLogSink } from '../../src/logger.js';
import { KafkaError } from '../../src/protocol/errors.js';
import { isKafkaUuid, randomKafkaUuid } from '../../src/storage/kafka-uuid.js';
import { CLEAN_SHUTDOWN_FILE, LOCK_FILE, LogManager, type LogManagerOptions } from '../../src/storage/log-manager.js';
import { batchesOf, config, decode, makeBatch, removeDir, tempDir, values } from './support/batches.js';

let root: string;
const managers: LogManager[] = [];
const messages: string[] = [];

async function openManager(overrides: Partial<LogManagerOptions> = {}): Promise<LogManager> {
  const m = await LogManager.open({
    logDirs: [path.join(root, 'data')],
    nodeId: 1,
    defaultConfig: config(),
    retentionCheckIntervalMs: 300_000,
    ...overrides,
  });
  managers.push(m);
  return m;
}

const data = () => path.join(root, 'data');
const openLogDirScript = fileURLToPath(new URL('./support/open-log-dir.ts', import.meta.url));

/** LogManager.open on `dir` in another process (fcntl locks are per process): 'opened' or its error. */
async function openInChild(dir: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', openLogDirScript, dir]);
  return stdout.trim();
}
const read = (file: string) => fs.readFileSync(path.join(data(), file), 'utf8');

beforeEach(() => {
  root = tempDir();
  messages.length = 0;
  setLogSink((level, message) => messages.push(`${level}: ${message}`));
});
afterEach(async () => {
  for (const m of managers.splice(0)) await m.shutdown();
  setLogSink(undefined);
  removeDir(root);
});

describe('LogManager', () => {
  test('formats meta.properties once and keeps the cluster id', async () => {
    const first = await openManager();
    expect(isKafkaUuid(first.clusterId)).toBe(true);
    expect(read('meta.properties')).toMatch(new RegExp(`^#\\n#.+\\nversion=1\\ncluster.id=${first.clusterId}\\nnode.id=1\\ndirectory.id=[A-Za-z0-9_-]{22}\\n$`));
    await first.shutdown();
    const second = await openManager();
    expect(second.clusterId).toBe(first.clusterId);
    await second.shutdown();
    await expect(openManager({ nodeId: 2 })).rejects.toThrow(/node id/);
  });

  test('createLog makes `<topic>-<partition>` with partition.metadata; it is idempotent', async () => {
    const m = await openManager();
    const id = randomKafkaUuid();
    const log = m.createLog('events', 2, id, config());
    expect(log.dir).toBe(path.join(data(), 'events-2'));
    expect(fs.readFileSync(path.join(log.dir, 'partition.metadata'), 'utf8')).toBe(`version: 0\ntopic_id: ${id}`);
    const changed = config({ retentionMs: 5 });
    expect(m.createLog('events', 2, id, changed)).toBe(log);
    expect(log.config.retentionMs).toBe(5);
    m.createLog('events', 0, id, config());
    m.createLog('other', 0, randomKafkaUuid(), config());
    expect(m.getLog('events', 2)).toBe(log);
    expect(m.getLog('events', 1)).toBeUndefined();
    expect(m.logsOf('events').map((l) => l.partition)).toEqual([0, 2]);
    expect(m.allLogs()).toHaveLength(3);
    expect(() => m.createLog('events', 2, randomKafkaUuid(), config())).toThrow(KafkaError);
  });

  test('clean shutdown writes the checkpoints byte-exactly and the marker; reopening trusts them', async () => {
    const m = await openManager();
    const a = m.createLog('a', 0, randomKafkaUuid(), config());
    const b = m.createLog('b', 1, randomKafkaUuid(), config());
    a.appendAsLeader(makeBatch({ values: values('a', 3) }), 0);
    b.appendAsLeader(makeBatch({ values: values('b', 5) }), 0);
    b.deleteRecordsBefore(2);
    await m.shutdown();
    expect(read('recovery-point-offset-checkpoint')).toBe('0\n2\na 0 3\nb 1 5\n');
    expect(read('replication-offset-checkpoint')).toBe('0\n2\na 0 3\nb 1 5\n');
    expect(read('log-start-offset-checkpoint')).toBe('0\n1\nb 1 2\n');
    expect(read(CLEAN_SHUTDOWN_FILE)).toBe('{"version":0,"brokerEpoch":-1}');

    const again = await openManager();
    expect(fs.existsSync(path.join(data(), CLEAN_SHUTDOWN_FILE))).toBe(false); // a crash from now on is unclean
    const b2 = again.getLog('b', 1)!;
    expect([b2.logStartOffset, b2.logEndOffset, b2.loadSummary.recoveredSegments]).toEqual([2, 5, 0]);
    expect(b2.topicId).toBe(b.topicId);
    expect(decode(again.getLog('a', 0)!.read(0, 1 << 20, true, 'uncommitted').records).map((r) => r.value)).toEqual(values('a', 3));
  });

  test('DeleteRecords is checkpointed at once, so a crash cannot bring the records back', async () => {
    const m = await openManager();
    const log = m.createLog('a', 0, randomKafkaUuid(), config());
    log.appendAsLeader(makeBatch({ values: values('x', 4) }), 0);
    log.deleteRecordsBefore(3);
    expect(read('log-start-offset-checkpoint')).toBe('0\n1\na 0 3\n');
    managers.splice(managers.indexOf(m), 1); // crash: no shutdown
    log.closeForDelete();
    const again = await openManager();
    expect(again.getLog('a', 0)!.logStartOffset).toBe(3);
  });

  test('without the marker every log is recovered from its checkpointed recovery point', async () => {
    const m = await openManager();
    const log = m.createLog('a', 0, randomKafkaUuid(), config());
    log.appendAsLeader(makeBatch({ values: values('x', 2) }), 0);
    m.checkpointAll();
    log.appendAsLeader(makeBatch({ values: values('y', 2) }), 0);
    const segment = path.join(log.dir, '00000000000000000000.log');
    // simulate kill -9 mid-write: a torn copy of a batch at the end, no shutdown, no marker
    fs.appendFileSync(segment, makeBatch({ values: ['torn'] }).subarray(0, 30));
    managers.splice(managers.indexOf(m), 1);
    const again = await openManager();
    const recovered = again.getLog('a', 0)!;
    expect(recovered.loadSummary.recoveredSegments).toBe(1);
    expect(recovered.logEndOffset).toBe(4);
    expect(recovered.recoveryPoint).toBe(0);
    expect(messages.some((line) => line.includes('truncated 30 byte(s)'))).toBe(true);
    log.closeForDelete();
  });

  test('a malformed recovery checkpoint is ignored with a warning and the logs are scanned from 0', async () => {
    const m = await openManager();
    m.createLog('a', 0, randomKafkaUuid(), config()).appendAsLeader(makeBatch({ values: values('x', 2) }), 0);
    m.checkpointAll();
    managers.splice(managers.indexOf(m), 1);
    m.getLog('a', 0)!.closeForDelete();
    fs.writeFileSync(path.join(data(), 'recovery-point-offset-checkpoint'), '0\n7\nbroken\n');
    const again = await openManager();
    expect(messages.some((line) => line.startsWith('warn: Malformed checkpoint file'))).toBe(true);
    expect(again.getLog('a', 0)!.loadSummary.recoveredSegments).toBe(1);
    expect(again.getLog('a', 0)!.logEndOffset).toBe(2);
  });

  test('deleteLog renames the directory to `-delete` and removes it; leftovers are removed at open', async () => {
    const m = await openManager();
    m.createLog('gone', 0, randomKafkaUuid(), config()).appendAsLeader(makeBatch({ values: ['x'] }), 0);
    m.deleteLog('gone', 0);
    expect(m.getLog('gone', 0)).toBeUndefined();
    expect(fs.existsSync(path.join(data(), 'gone-0'))).toBe(false);
    await m.shutdown();
    expect(fs.readdirSync(data()).filter((n) => n.includes('gone'))).toEqual([]);
    fs.mkdirSync(path.join(data(), 'stale-0.0123456789abcdef0123456789abcdef-delete'));
    // shutdown() waits for the background removals that open() started.
    await (await openManager()).shutdown();
    expect(fs.readdirSync(data()).filter((n) => n.endsWith('-delete'))).toEqual([]);
    expect(read('recovery-point-offset-checkpoint')).toBe('0\n0\n');
  });

  test('a storage failure on one partition leaves the others working, and that dir gets no clean marker', async () => {
    const m = await openManager();
    const broken = m.createLog('a', 0, randomKafkaUuid(), config({ segmentBytes: 400 }));
    const healthy = m.createLog('a', 1, randomKafkaUuid(), config());
    broken.appendAsLeader(makeBatch({ values: values('a', 2, 100) }), 0);
    fs.rmSync(broken.dir, { recursive: true });
    expect(() => broken.appendAsLeader(makeBatch({ values: values('a', 2, 100) }), 0)).toThrow(/KAFKA_STORAGE_ERROR|offline/);
    expect(m.offlineLogs()).toEqual([broken]);
    expect(healthy.appendAsLeader(makeBatch({ values: ['ok'] }), 0).baseOffset).toBe(0);
    await m.shutdown();
    expect(fs.existsSync(path.join(data(), CLEAN_SHUTDOWN_FILE))).toBe(false);
    // the offline log keeps its last fsynced point, so the next start re-scans what it had unflushed
    expect(read('recovery-point-offset-checkpoint')).toBe('0\n2\na 0 0\na 1 1\n');
    expect(read('replication-offset-checkpoint')).toBe('0\n1\na 1 1\n');
  });

  test('an unreadable partition directory is loaded offline instead of failing the broker', async () => {
    const m = await openManager();
    m.createLog('a', 0, randomKafkaUuid(), config()).appendAsLeader(makeBatch({ values: ['x'] }), 0);
    const b = m.createLog('b', 0, randomKafkaUuid(), config());
    b.appendAsLeader(makeBatch({ values: values('y', 3) }), 0);
    b.deleteRecordsBefore(2);
    await m.shutdown();
    fs.writeFileSync(path.join(data(), 'b-0', 'partition.metadata'), 'not metadata');
    const again = await openManager();
    expect(again.getLog('b', 0)?.isOffline).toBe(true);
    expect(() => again.getLog('b', 0)!.read(0, 10, true, 'uncommitted')).toThrow(/offline/);
    expect(again.getLog('a', 0)!.logEndOffset).toBe(1);
    // its checkpointed offsets survive while it is offline
    again.checkpointAll();
    expect(read('log-start-offset-checkpoint')).toBe('0\n1\nb 0 2\n');
    expect(read('recovery-point-offset-checkpoint')).toBe('0\n2\na 0 1\nb 0 3\n');
  });

  test('cleanupLogs applies each log its own retention', async () => {
    const m = await openManager();
    const short = m.createLog('short', 0, randomKafkaUuid(), config({ retentionMs: 1000 }));
    const long = m.createLog('long', 0, randomKafkaUuid(), config());
    short.appendAsLeader(makeBatch({ values: ['old'], timestamp: 1_000 }), 0);
    long.appendAsLeader(makeBatch({ values: ['old'], timestamp: 1_000 }), 0);
    expect(m.cleanupLogs(10_000)).toBe(1);
    expect(short.logStartOffset).toBe(1);
    expect(long.logStartOffset).toBe(0);
  });

  test('background tasks run retention on their interval', async () => {
    const m = await openManager({ retentionCheckIntervalMs: 20 });
    const log = m.createLog('short', 0, randomKafkaUuid(), config({ retentionMs: 1000 }));
    log.appendAsLeader(makeBatch({ values: ['old'], timestamp: 1_000 }), 0);
    m.startBackgroundTasks();
    await expect.poll(() => log.logStartOffset, { timeout: 10_000, interval: 10 }).toBe(1);
  });

  test('spreads new logs over several log dirs', async () => {
    const dirs = [path.join(root, 'd1'), path.join(root, 'd2')];
    const m = await openManager({ logDirs: dirs });
    const l0 = m.createLog('t', 0, randomKafkaUuid(), config());
    const l1 = m.createLog('t', 1, randomKafkaUuid(), config());
    expect(new Set([path.dirname(l0.dir), path.dirname(l1.dir)])).toEqual(new Set(dirs));
    expect(m.directoryIds.size).toBe(2);
  });

  test('a log dir is locked while open: another process cannot open it until shutdown', async () => {
    const m = await openManager();
    m.createLog('a', 0, randomKafkaUuid(), config()).appendAsLeader(makeBatch({ values: ['kept'] }), 0);
    expect(fs.existsSync(path.join(data(), LOCK_FILE))).toBe(true);
    expect(await openInChild(data())).toBe(
      `Failed to acquire lock on file .lock in ${fs.realpathSync(data())}. ` +
        'A Kafka instance in another process or thread is using this directory.',
    );
    // The refused process touched nothing: the first still has its data and writes on.
    expect(fs.existsSync(path.join(data(), CLEAN_SHUTDOWN_FILE))).toBe(false);
    m.getLog('a', 0)!.appendAsLeader(makeBatch({ values: ['more'] }), 0);
    await m.shutdown();
    expect(await openInChild(data())).toBe('opened');
    const again = await openManager();
    expect(decode(again.getLog('a', 0)!.read(0, 1 << 20, true, 'uncommitted').records).map((r) => r.value)).toEqual(['kept', 'more']);
  });

  test('every log dir is locked, and a failed open releases the locks it took', async () => {
    const dirs = [path.join(root, 'd1'), path.join(root, 'd2')];
    await openManager({ logDirs: dirs });
    expect(await openInChild(dirs[1])).toMatch(/^Failed to acquire lock on file \.lock in .*d2\./);
    await managers.splice(0)[0].shutdown();
    const other = path.join(root, 'other');
    await openManager({ logDirs: [other], nodeId: 1 });
    await managers.splice(0)[0].shutdown();
    await expect(openManager({ logDirs: [other], nodeId: 2 })).rejects.toThrow(/node id/);
    expect(await openInChild(other)).toBe('opened');
  });

  test('each restart bumps every loaded log to a new leader epoch starting at its log end offset', async () => {
    const m = await openManager();
    const log = m.createLog('a', 0, randomKafkaUuid(), config());
    const empty = m.createLog('b', 0, randomKafkaUuid(), config());
    expect(log.leaderEpoch).toBe(0); // a brand-new log starts at 0
    log.appendAsLeader(makeBatch({ values: values('x', 3) }), log.leaderEpoch);
    await m.shutdown();

    const second = await openManager();
    const reopened = second.getLog('a', 0)!;
    expect(reopened.leaderEpoch).toBe(1);
    expect(second.getLog('b', 0)!.leaderEpoch).toBe(1);
    expect(fs.readFileSync(path.join(reopened.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n0 0\n1 3\n');
    expect(fs.readFileSync(path.join(empty.dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n1\n1 0\n');
    reopened.appendAsLeader(makeBatch({ values: values('y', 2) }), reopened.leaderEpoch);
    await second.shutdown();

    const third = await openManager();
    const log3 = third.getLog('a', 0)!;
    expect(log3.leaderEpoch).toBe(2);
    expect(log3.endOffsetForEpoch(0)).toEqual({ leaderEpoch: 0, endOffset: 3 });
    expect(log3.endOffsetForEpoch(1)).toEqual({ leaderEpoch: 1, endOffset: 5 });
    expect(log3.endOffsetForEpoch(2)).toEqual({ leaderEpoch: 2, endOffset: 5 });
    log3.appendAsLeader(makeBatch({ values: ['z'] }), log3.leaderEpoch);
    const epochs = batchesOf(log3.read(0, 1 << 20, true, 'uncommitted').records).map((b) => [b.baseOffset, b.partitionLeaderEpoch]);
    expect(epochs).toEqual([
      [0, 0],
      [3, 1],
      [5, 2],
    ]);
  });
});
