// Runs a child process to completion with a deadline, capturing its output (for CLI tools).
import { spawn } from 'node:child_process';

/** What a finished child process left behind. */
export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  /** stdout decoded as UTF-8. */
  out: string;
}

/** Options for runProcess. */
export interface RunOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns `cmd args`, feeds `input` on stdin, and resolves when it exits or is killed at the deadline. */
export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out);
      resolve({ code, signal, stdout, stderr: Buffer.concat(err).toString('utf8'), timedOut, out: stdout.toString('utf8') });
    });
    child.stdin.on('error', () => {
      /* the child may exit before reading all input; its exit code tells the story */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A readable one-paragraph account of a result, for assertion messages. */
export function describeResult(what: string, r: ProcessResult): string {
  return (
    `${what} exited ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}\n` +
    `--- stdout ---\n${r.out.slice(-4000)}\n--- stderr ---\n${r.stderr.slice(-4000)}`
  );
}
