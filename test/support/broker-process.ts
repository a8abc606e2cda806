// Starts Sluice (or, with SLUICE_E2E_BROKER=kafka, Apache Kafka itself) as a child process on a
// free loopback port, so end-to-end tests can drive it with real clients, stop it, kill -9 it
// and restart it on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomKafkaUuid } from '../../src/storage/kafka-uuid.js';
import { kafkaLib, repoRoot, sluiceBin } from './paths.js';
import { runProcess, describeResult } from './run-process.js';

// Which broker the harness starts: Sluice by default; `kafka` checks the tests themselves.
const brokerKind: 'sluice' | 'kafka' = process.env.SLUICE_E2E_BROKER === 'kafka' ? 'kafka' : 'sluice';

/** Options for BrokerProcess.start. */
export interface StartOptions {
  /** server.properties keys passed as --override (listeners and log.dirs are set by the harness). */
  overrides?: Record<string, string | number | boolean>;
  /** Which broker to start; defaults to brokerKind (tests of Sluice's own CLI force 'sluice'). */
  kind?: 'sluice' | 'kafka';
  /** A server.properties file for `sluice start --config` (Sluice only). */
  configFile?: string;
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Resolves true once a TCP connection to host:port succeeds.
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LOG_CAP = 400_000;

/** A running (or stopped) broker child process with its own data directory. */
export class BrokerProcess {
  private child: ChildProcess | null = null;
  private output = '';
  private exited: Promise<void> = Promise.resolve();
  /** Exit code of the last run (null while running or when killed by a signal). */
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;

  private constructor(
    readonly port: number,
    /** Scratch directory of this broker: data lives in `dataDir` below it. */
    readonly workDir: string,
    private readonly overrides: Record<string, string | number | boolean>,
    /** Which broker this is. */
    readonly kind: 'sluice' | 'kafka',
    private readonly configFile?: string,
  ) {}

  /** The log.dirs directory. */
  get dataDir(): string {
    return path.join(this.workDir, 'data');
  }

  /** Exit code of a graceful SIGTERM stop: 0 for Sluice; the JVM reports 128+15 for Kafka. */
  get cleanExitCode(): number {
    return this.kind === 'kafka' ? 143 : 0;
  }

  /** host:port for --bootstrap-server, kcat -b and client configs. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Everything the broker printed so far (stdout and stderr interleaved, capped). */
  logs(): string {
    return this.output;
  }

  /** Starts a broker on a fresh port and data directory and waits until it serves. */
  static async start(opts: StartOptions = {}): Promise<BrokerProcess> {
    // The port is free when picked but bound only later, so a broker started meanwhile (tests run
    // two files at a time) may take it: such a start is retried on a fresh port and directory.
    for (let attempt = 1; ; attempt++) {
      const workDir = await mkdtemp(path.join(os.tmpdir(), `sluice-e2e-`));
      const b = new BrokerProcess(await freePort(), workDir, opts.overrides ?? {}, opts.kind ?? brokerKind, opts.configFile);
      try {
        if (b.kind === 'kafka') await b.formatKafka();
        await b.launch();
        return b;
      } catch (err) {
        await rm(workDir, { recursive: true, force: true });
        if (attempt >= 3 || !/address already in use|EADDRINUSE/i.test(String(err))) throw err;
      }
    }
  }

  private args(): { cmd: string; args: string[] } {
    if (this.kind === 'kafka') {
      return {
        cmd: 'java',
        args: [
          '-Xmx1g',
          `-Dlog4j2.configurationFile=${path.join(this.workDir, 'log4j2.properties')}`,
          '-cp',
          `${kafkaLib}/*`,
          'kafka.Kafka',
          path.join(this.workDir, 'server.properties'),
        ],
      };
    }
    const args = [sluiceBin, 'start', ...(this.configFile ? ['--config', this.configFile] : [])];
    const props: Record<string, string | number | boolean> = {
      listeners: `PLAINTEXT://127.0.0.1:${this.port}`,
      'log.dirs': this.dataDir,
      ...this.overrides,
    };
    for (const [k, v] of Object.entries(props)) args.push('--override', `${k}=${v}`);
    return { cmd: process.execPath, args };
  }

  // Real Kafka needs a KRaft controller listener, a properties file and a formatted log dir.
  private async formatKafka(): Promise<void> {
    const controllerPort = await freePort();
    const props: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': 1,
      listeners: `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${controllerPort}`,
      'advertised.listeners': `PLAINTEXT://127.0.0.1:${this.port}`,
      'controller.listener.names': 'CONTROLLER',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
      'log.dirs': this.dataDir,
      'offsets.topic.replication.factor': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'group.initial.rebalance.delay.ms': 0,
      'num.partitions': 1,
      'log.initial.task.delay.ms': 0, // Kafka waits 30 s before its first retention check otherwise
      ...this.overrides,
    };
    const text = Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
    await writeFile(path.join(this.workDir, 'server.properties'), text);
    await writeFile(
      path.join(this.workDir, 'log4j2.properties'),
      [
        'status = error',
        'appender.out.type = Console',
        'appender.out.name = OUT',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = warn',
        'rootLogger.appenderRef.out.ref = OUT',
        'logger.raft.name = kafka.server.KafkaRaftServer',
        'logger.raft.level = info',
      ].join('\n') + '\n',
    );
    await mkdir(this.dataDir, { recursive: true });
    const r = await runProcess(
      'java',
      ['-cp', `${kafkaLib}/*`, 'kafka.tools.StorageTool', 'format', '-t', randomKafkaUuid(),
        '-c', path.join(this.workDir, 'server.properties'), '--ignore-formatted'],
      { timeoutMs: 60_000 },
    );
    if (r.code !== 0) throw new Error(describeResult('kafka-storage format', r));
  }

  private async launch(): Promise<void> {
    const { cmd, args } = this.args();
    this.exitCode = null;
    this.exitSignal = null;
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const append = (b: Buffer) => {
      this.output += b.toString('utf8');
      if (this.output.length > LOG_CAP) this.output = this.output.slice(-LOG_CAP);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        if (this.child === child) this.child = null;
        resolve();
      });
    });
    const ready = this.kind === 'kafka' ? /Kafka Server started/ : /listening on/;
    const deadline = Date.now() + (this.kind === 'kafka' ? 90_000 : 30_000);
    while (Date.now() < deadline) {
      if (this.child !== child) {
        throw new Error(`broker exited during startup (${this.exitCode ?? this.exitSignal}):\n${this.output.slice(-6000)}`);
      }
      if (ready.test(this.output) && (await canConnect(this.port))) return;
      await sleep(100);
    }
    child.kill('SIGKILL');
    await this.exited;
    throw new Error(`broker did not start within the deadline:\n${this.output.slice(-6000)}`);
  }

  /** Whether the child is still running. */
  get running(): boolean {
    return this.child !== null;
  }

  /** Graceful stop (SIGTERM or SIGINT); resolves with the exit code. Falls back to SIGKILL after 30 s. */
  async stop(signal: 'SIGTERM' | 'SIGINT' = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child) return this.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
    return this.exitCode;
  }

  /** kill -9: no flush, no checkpoints, no clean-shutdown marker. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGKILL');
    await this.exited;
  }

  /** Starts the broker again on the same port and data directory (optionally with more overrides). */
  async restart(overrides: Record<string, string | number | boolean> = {}): Promise<void> {
    if (this.child) await this.stop();
    Object.assign(this.overrides, overrides);
    await this.launch();
  }

  /** Stops the broker if it runs and removes its scratch directory. */
  async cleanup(): Promise<void> {
    await this.kill9();
    await rm(this.workDir, { recursive: true, force: true });
  }
}

/** Runs `sluice <args>` to completion (for configuration errors and other short-lived runs). */
export function runSluice(args: string[], timeoutMs = 30_000) {
  return runProcess(process.execPath, [sluiceBin, ...args], { timeoutMs, cwd: repoRoot });
}

/** Prints the tail of the broker's log after each failed test of the calling file, to show why. */
export function printBrokerLogsOnFailure(brokers: () => (BrokerProcess | undefined)[]): void {
  afterEach((ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const b of brokers()) {
      if (b) console.error(`--- ${b.kind} broker log (${b.bootstrap}), last 8000 chars ---\n${b.logs().slice(-8000)}`);
    }
  });
}
