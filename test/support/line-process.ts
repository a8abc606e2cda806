// A long-running child process (a consumer that stays in its group) whose stdout the test reads
// line by line while it runs, and which the test can stop gracefully or kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { until } from './until.js';

/** A child process with its output split into lines as it arrives. */
export class LineProcess {
  /** Complete stdout lines so far. */
  readonly lines: string[] = [];
  private stderrText = '';
  private partial = '';
  private stderrPartial = '';
  private readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private done = false;

  constructor(
    /** A name for assertion messages. */
    readonly name: string,
    cmd: string,
    args: string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; onStderrLine?: (line: string) => void } = {},
  ) {
    this.child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (b: Buffer) => {
      const parts = (this.partial + b.toString('utf8')).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
      if (opts.onLine) parts.forEach(opts.onLine);
    });
    this.child.stderr!.on('data', (b: Buffer) => {
      const text = b.toString('utf8');
      if (opts.onStderrLine) {
        const parts = (this.stderrPartial + text).split('\n');
        this.stderrPartial = parts.pop()!;
        parts.forEach(opts.onStderrLine);
      }
      this.stderrText += text;
      if (this.stderrText.length > 200_000) this.stderrText = this.stderrText.slice(-200_000);
    });
    this.child.stdin!.on('error', () => {});
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('exit', (code, signal) => {
        this.done = true;
        resolve({ code, signal });
      });
    });
    this.exited.catch(() => {});
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return !this.done;
  }

  /** What the process wrote to stderr (capped), for failure messages. */
  get stderr(): string {
    return this.stderrText;
  }

  /** Waits until some line satisfies `match` (fails if the process exits first). */
  async waitForLine(match: (line: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    let found: string | undefined;
    await until(
      () => {
        found = this.lines.find(match);
        if (found === undefined && !this.running) {
          throw new Error(`${this.name} exited before ${what}:\n${this.stderrText.slice(-3000)}`);
        }
        return found !== undefined;
      },
      `${this.name}: ${what}`,
      timeoutMs,
    );
    return found!;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after 30 s if a graceful stop hangs). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill(signal);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      const r = await this.exited;
      clearTimeout(timer);
      return r;
    }
    return this.exited;
  }

  /** kill -9: the process gets no chance to leave its group or commit. */
  kill9(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.stop('SIGKILL');
  }
}
