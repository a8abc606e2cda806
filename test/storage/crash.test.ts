import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { setLogSink } from '../../src/logger.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { config, decode, removeDir, tempDir } from './support/batches.js';

const writer = fileURLToPath(new URL('./support/crash-writer.ts', import.meta.url));
let root: string;

beforeEach(() => {
  root = tempDir();
  setLogSink(() => {}); // recovery reports are expected here
});
afterEach(() => {
  setLogSink(undefined);
  removeDir(root);
});

/** Runs the writer until it has acknowledged `acks` appends, then kill -9s it; returns what it acked. */
function runAndKill(logDir: string, acks: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, logDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const [offset, value] = line.split(' ');
        acked.set(Number(offset), value);
      }
      if (acked.size >= acks && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

test('kill -9 during appends with flush.messages=1: the log reopens with every acknowledged record', async () => {
  const logDir = path.join(root, 'data');
  const acked = await runAndKill(logDir, 1500);
  expect(acked.size).toBeGreaterThanOrEqual(1500);
  const manager = await LogManager.open({ logDirs: [logDir], nodeId: 1, defaultConfig: config(), retentionCheckIntervalMs: 60_000 });
  try {
    const log = manager.getLog('crash', 0)!;
    expect(log.segmentCount).toBeGreaterThan(1);
    expect(log.logEndOffset).toBeGreaterThanOrEqual(acked.size);
    const found = new Map<number, string>();
    let offset = 0;
    while (offset < log.logEndOffset) {
      const records = decode(log.read(offset, 1 << 20, true, 'uncommitted').records);
      for (const r of records) found.set(r.offset, r.value.replace(/#+$/, ''));
      offset = records[records.length - 1].offset + 1;
    }
    for (const [o, value] of acked) expect(found.get(o)).toBe(value);
    expect([...found.keys()]).toEqual(Array.from({ length: log.logEndOffset }, (_, i) => i));
  } finally {
    await manager.shutdown();
  }
}, 60_000);
