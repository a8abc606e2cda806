// The log dir lock: an fcntl write lock that keeps a second process (Sluice or Kafka) off a log dir.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { native, NativeError } from '../../src/native/index.js';

const run = promisify(execFile);
const door = new URL('../../src/native/index.ts', import.meta.url).href;

/** Tries the lock from another process (fcntl locks are per process); resolves to what it saw. */
async function lockFromChild(file: string): Promise<string> {
  const script = `
    const { native } = await import(${JSON.stringify(door)});
    try { native.lockFile(process.argv[1]).release(); console.log('locked'); }
    catch (err) { console.log(err.errorName + ' ' + err.message); }`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, file]);
  return stdout.trim();
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-lock-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('native.lockFile', () => {
  it('creates the file and keeps another process out until released', async () => {
    const file = path.join(dir, '.lock');
    const lock = native.lockFile(file);
    expect(fs.existsSync(file)).toBe(true);
    expect(lock.path).toBe(file);
    const refused = await lockFromChild(file);
    expect(refused).toBe(
      `KAFKA_STORAGE_ERROR Failed to acquire lock on file .lock in ${fs.realpathSync(dir)}. ` +
        'A Kafka instance in another process or thread is using this directory.',
    );
    lock.release();
    lock.release(); // idempotent
    expect(await lockFromChild(file)).toBe('locked');
  });

  it('shares the lock within one process: it is held until every handle is released', async () => {
    const file = path.join(dir, '.lock');
    const first = native.lockFile(file);
    const second = native.lockFile(file);
    first.release();
    expect(await lockFromChild(file)).toMatch(/^KAFKA_STORAGE_ERROR Failed to acquire lock/);
    second.release();
    expect(await lockFromChild(file)).toBe('locked');
  });

  it('fails with a storage error naming the path when the file cannot be created', () => {
    const file = path.join(dir, 'missing', '.lock');
    expect(() => native.lockFile(file)).toThrow(NativeError);
    expect(() => native.lockFile(file)).toThrow(/missing/);
  });
});
