// The one broker every client of a benchmark run writes to: Sluice from the built CLI
// (bin/sluice.js), on a free loopback port with a scratch log dir removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/producer is two levels below it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A free loopback port (also used by the bench/suite brokers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A running Sluice child process. */
export class BenchBroker {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly workDir: string,
  ) {
    const append = (b: Buffer) => {
      this.output = (this.output + b.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
  }

  /** host:port for every client's bootstrap list. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts Sluice with `overrides` as server.properties keys and waits until it accepts connections. */
  static async start(overrides: Record<string, string | number> = {}): Promise<BenchBroker> {
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-bench-'));
    const port = await freePort();
    const props = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': path.join(workDir, 'data'), ...overrides };
    const args = [path.join(repoRoot, 'bin/sluice.js'), 'start'];
    for (const [k, v] of Object.entries(props)) args.push('--override', `${k}=${v}`);
    const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const broker = new BenchBroker(child, port, workDir);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`sluice exited during startup:\n${broker.output}`);
      if (/listening on/.test(broker.output)) return broker;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`sluice did not start within 30 s:\n${broker.output}`);
  }

  /** Stops the broker (SIGTERM, SIGKILL after 20 s) and removes its data. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(this.workDir, { recursive: true, force: true });
  }
}
