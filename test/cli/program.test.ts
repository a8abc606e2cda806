// `sluice start` run from the sources: failures the operator must fix end it with exit code 1 and
// one line on stderr, never a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { native } from '../../src/native/index.js';
import { repoRoot } from '../support/paths.js';
import { describeResult, runProcess } from '../support/run-process.js';

describe('sluice start failing at startup', () => {
  let dir: string;
  let blocker: Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-cli-start-'));
  });
  afterEach(() => {
    blocker?.close();
    blocker = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `sluice start` from the sources on dir with the overrides; asserts exit 1 with exactly one stderr line. */
  async function failedStart(overrides: Record<string, string>): Promise<string> {
    const args = ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'start'];
    for (const [k, v] of Object.entries({ 'node.id': '1', listeners: 'PLAINTEXT://127.0.0.1:0', 'log.dirs': dir, ...overrides })) {
      args.push('--override', `${k}=${v}`);
    }
    const r = await runProcess(process.execPath, args, { cwd: repoRoot, timeoutMs: 30_000 });
    expect(r.code, describeResult('sluice start', r)).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines, describeResult('sluice start', r)).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    return lines[0];
  }

  it('reports a listener port in use in one line', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as AddressInfo).port;
    expect(await failedStart({ listeners: `PLAINTEXT://127.0.0.1:${port}` })).toBe(
      `sluice: cannot start: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
    );
  });

  it('reports a log dir formatted for another node id in one line', async () => {
    writeFileSync(join(dir, 'meta.properties'), 'version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAQ\nnode.id=5\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAg\n');
    expect(await failedStart({})).toMatch(/^sluice: cannot start: Stored node id 5 in .*meta\.properties doesn't match the configured node\.id 1$/);
  });

  it('reports a log dir locked by another process in one line', async () => {
    const lock = native.lockFile(join(dir, '.lock'));
    try {
      expect(await failedStart({})).toMatch(/^sluice: cannot start: Failed to acquire lock on file \.lock in /);
    } finally {
      lock.release();
    }
  });
});
