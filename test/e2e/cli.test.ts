// The `sluice` command itself: configuration errors stop it with a message naming the key, unknown
// keys only warn, a server.properties file is honoured, and SIGTERM/SIGINT shut down cleanly
// (flush + checkpoints) so a restart finds every record.
import { readFile, readdir, writeFile, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BrokerProcess, freePort, printBrokerLogsOnFailure, runSluice } from '../support/broker-process.js';
import { describeResult } from '../support/run-process.js';
import { kcatConsumeAll, kcatOk } from '../support/kcat.js';
import { repoRoot } from '../support/paths.js';

const scratch: string[] = [];
const brokers: BrokerProcess[] = [];
printBrokerLogsOnFailure(() => brokers);

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.cleanup()));
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'sluice-cli-'));
  scratch.push(d);
  return d;
}

async function startSluice(opts: Parameters<typeof BrokerProcess.start>[0] = {}): Promise<BrokerProcess> {
  const b = await BrokerProcess.start({ ...opts, kind: 'sluice' });
  brokers.push(b);
  return b;
}

describe('sluice version', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const r = await runSluice(['version']);
    expect(r.code, describeResult('sluice version', r)).toBe(0);
    expect(r.out.trim()).toBe(pkg.version);
  });
});

describe('sluice start with a bad configuration', () => {
  it.each([
    ['num.partitions', 'zero'],
    ['num.partitions', '0'],
    ['default.replication.factor', '3'],
    ['log.segment.bytes', '-5'],
    ['log.message.timestamp.type', 'WallClockTime'],
    ['listeners', 'not a listener'],
    ['log.retention.ms', '12abc'],
  ])('refuses %s=%s, naming the key, and does not start', async (key, value) => {
    const dir = await tempDir();
    const port = await freePort();
    const r = await runSluice(['start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`,
      '--override', `log.dirs=${dir}/data`, '--override', `${key}=${value}`], 20_000);
    expect(r.timedOut, describeResult('sluice start', r)).toBe(false);
    expect(r.code, describeResult('sluice start', r)).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.stderr).toContain(key === 'listeners' ? 'listeners' : key);
  });

  it('exits with an error when its port is taken', async () => {
    const dir = await tempDir();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const { port } = squatter.address() as net.AddressInfo;
    try {
      const r = await runSluice(['start', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`,
        '--override', `log.dirs=${dir}/data`], 20_000);
      expect(r.timedOut, describeResult('sluice start', r)).toBe(false);
      expect(r.code, describeResult('sluice start', r)).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`EADDRINUSE|${port}`));
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('refuses a missing --config file', async () => {
    const r = await runSluice(['start', '--config', '/nonexistent/server.properties'], 20_000);
    expect(r.code, describeResult('sluice start', r)).not.toBe(0);
    expect(r.stderr).toContain('/nonexistent/server.properties');
  });
});

describe('sluice start', () => {
  it('warns about an unknown key but starts, and stops cleanly on SIGTERM', async () => {
    const b = await startSluice({ overrides: { 'surely.not.a.kafka.key': 'x' } });
    expect(b.logs()).toMatch(/WARN.*surely\.not\.a\.kafka\.key/);
    await kcatOk(['-L', '-b', b.bootstrap]);
    expect(await b.stop('SIGTERM')).toBe(0);
  });

  it('reads server.properties, with --override taking precedence', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'server.properties');
    await writeFile(file, [
      '# a Kafka-style file',
      'node.id=1',
      'num.partitions=3',
      'auto.create.topics.enable=true',
      'log.retention.hours=24',
      'log.dirs=/this/is/overridden',
      '',
    ].join('\n'));
    const b = await startSluice({ configFile: file });
    // Auto-created on first produce, with num.partitions from the file.
    await kcatOk(['-P', '-b', b.bootstrap, '-t', 'auto-made', '-p', '0'], { input: 'first\n' });
    const md = JSON.parse((await kcatOk(['-L', '-J', '-b', b.bootstrap, '-t', 'auto-made'])).out) as {
      topics: { topic: string; partitions: unknown[] }[];
    };
    expect(md.topics.find((t) => t.topic === 'auto-made')?.partitions).toHaveLength(3);
    expect((await readdir(b.dataDir)).filter((d) => d.startsWith('auto-made-')).sort()).toEqual(['auto-made-0', 'auto-made-1', 'auto-made-2']);
  });

  it.each([['node.id'], ['broker.id']])('serves as the %s given, at the advertised listener', async (idKey) => {
    const port = await freePort();
    const b = await startSluice({ overrides: { [idKey]: 7, 'advertised.listeners': `PLAINTEXT://localhost:${port}` } });
    const md = JSON.parse((await kcatOk(['-L', '-J', '-b', b.bootstrap])).out) as { brokers: { id: number; name: string }[] };
    // The advertised host:port is what clients are told, not the bind address.
    expect(md.brokers).toEqual([{ id: 7, name: `localhost:${port}` }]);
  });

  it('shuts down on SIGINT writing checkpoints, and restarts with every record', async () => {
    const b = await startSluice({ overrides: { 'num.partitions': 2 } });
    const lines = Array.from({ length: 500 }, (_, i) => `record-${i}`).join('\n') + '\n';
    await kcatOk(['-P', '-b', b.bootstrap, '-t', 'kept', '-p', '1', '-z', 'lz4'], { input: lines });
    expect(await b.stop('SIGINT')).toBe(0);
    expect(b.logs()).toMatch(/SIGINT/);

    const root = await readdir(b.dataDir);
    expect(root).toEqual(expect.arrayContaining(['meta.properties', 'recovery-point-offset-checkpoint', 'log-start-offset-checkpoint', 'kept-0', 'kept-1']));
    const meta = await readFile(path.join(b.dataDir, 'meta.properties'), 'utf8');
    expect(meta).toMatch(/^version=1$/m);
    expect(meta).toMatch(/^node\.id=1$/m);
    expect(meta).toMatch(/^cluster\.id=\S+$/m);
    expect(meta).toMatch(/^directory\.id=\S+$/m);
    const recovery = await readFile(path.join(b.dataDir, 'recovery-point-offset-checkpoint'), 'utf8');
    expect(recovery.split('\n')).toEqual(expect.arrayContaining(['0', 'kept 1 500']));
    const partitionMeta = await readFile(path.join(b.dataDir, 'kept-1', 'partition.metadata'), 'utf8');
    expect(partitionMeta).toMatch(/^version: 0\ntopic_id: [A-Za-z0-9_-]{22}\n?$/);

    await b.restart();
    const got = await kcatConsumeAll(b.bootstrap, 'kept', 1);
    expect(got.map((r) => r.value?.toString())).toEqual(Array.from({ length: 500 }, (_, i) => `record-${i}`));
    await kcatOk(['-P', '-b', b.bootstrap, '-t', 'kept', '-p', '1'], { input: 'after-restart\n' });
    const more = await kcatConsumeAll(b.bootstrap, 'kept', 1, ['-o', '500']);
    expect(more.map((r) => [r.offset, r.value?.toString()])).toEqual([[500, 'after-restart']]);
    // The same cluster identity after the restart.
    expect(await readFile(path.join(b.dataDir, 'meta.properties'), 'utf8')).toBe(meta);
  });
});
