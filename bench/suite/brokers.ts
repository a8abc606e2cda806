// The two brokers under test, each started fresh from an empty data directory on the same disk
// (.cache/bench/<kind>): Apache Kafka 4.1.1 in single-node KRaft mode with stock settings and the
// JVM flags of kafka-server-start.sh, and Sluice from its built CLI with the same listener keys.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomKafkaUuid } from '../../src/storage/kafka-uuid.js';
import path from 'node:path';
import { freePort, repoRoot } from '../producer/broker.js';
import { BROKER_HEAP, KAFKA_JVM_PERFORMANCE_OPTS, kafkaLib, TOOLS_LOG4J } from './jvm.js';
import { runProcess, describeResult } from '../../test/support/run-process.js';

/** The V8 flags `make run` (and bin/sluice.js's shebang) start the broker with; see the Makefile. */
const SLUICE_NODE_FLAGS = ['--initial-old-space-size=64'];

/** Which broker a run measures. */
export type BrokerKind = 'kafka' | 'sluice';

/** Settings both brokers get: Kafka's config/server.properties values for a single node. */
const COMMON_SETTINGS: Record<string, string | number> = {
  'num.partitions': 1,
  'offsets.topic.replication.factor': 1,
  'transaction.state.log.replication.factor': 1,
  'transaction.state.log.min.isr': 1,
  'share.coordinator.state.topic.replication.factor': 1,
  'share.coordinator.state.topic.min.isr': 1,
  'group.initial.rebalance.delay.ms': 0,
};

/** The KRaft keys only Kafka needs (Sluice is a single node by construction). */
function kraftSettings(port: number, controllerPort: number): Record<string, string | number> {
  return {
    'process.roles': 'broker,controller',
    'node.id': 1,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
  };
}

/** A broker process of the suite, with what the report needs to know about how it ran. */
export class SuiteBroker {
  private output = '';
  private exited: Promise<void>;
  /** performance.now() when the process was spawned (start-up time counts from here). */
  readonly spawnedAt: number;

  private constructor(
    readonly kind: BrokerKind,
    readonly port: number,
    readonly workDir: string,
    private readonly child: ChildProcess,
    /** The command line and settings, recorded in the results. */
    readonly description: { command: string[]; settings: Record<string, string | number> },
  ) {
    this.spawnedAt = performance.now();
    const append = (b: Buffer) => {
      this.output = (this.output + b.toString('utf8')).slice(-20_000);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The broker's recent output, for error messages. */
  logs(): string {
    return this.output;
  }

  /**
   * Wipes .cache/bench/<kind>, prepares it (Kafka: properties + `kafka-storage format`), and spawns
   * the broker (Sluice: the build in `sluiceRoot`). Returns at once: readiness is the caller's first
   * acknowledged produce.
   */
  static async spawn(kind: BrokerKind, benchDir: string, sluiceRoot: string): Promise<SuiteBroker> {
    const workDir = path.join(benchDir, kind);
    await rm(workDir, { recursive: true, force: true });
    const dataDir = path.join(workDir, 'data');
    await mkdir(dataDir, { recursive: true });
    const port = await freePort();
    if (kind === 'sluice') {
      const settings = { listeners: `PLAINTEXT://127.0.0.1:${port}`, 'log.dirs': dataDir, ...COMMON_SETTINGS };
      const command = [process.execPath, ...SLUICE_NODE_FLAGS, path.join(sluiceRoot, 'bin/sluice.js'), 'start'];
      for (const [k, v] of Object.entries(settings)) command.push('--override', `${k}=${v}`);
      const child = spawn(command[0], command.slice(1), { cwd: sluiceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      return new SuiteBroker(kind, port, workDir, child, { command, settings });
    }
    const settings = { ...kraftSettings(port, await freePort()), 'log.dirs': dataDir, ...COMMON_SETTINGS };
    const propsFile = path.join(workDir, 'server.properties');
    await writeFile(propsFile, Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
    const fmt = await runProcess(
      'java',
      ['-cp', `${kafkaLib}/*`, 'kafka.tools.StorageTool', 'format', '-t', randomKafkaUuid(), '-c', propsFile],
      { timeoutMs: 120_000 },
    );
    if (fmt.code !== 0) throw new Error(describeResult('kafka-storage format', fmt));
    const command = [
      'java',
      ...BROKER_HEAP,
      ...KAFKA_JVM_PERFORMANCE_OPTS,
      // Warnings and errors only (the tools' configuration), so logging costs the broker nothing.
      `-Dlog4j2.configurationFile=${TOOLS_LOG4J}`,
      '-cp',
      `${kafkaLib}/*`,
      'kafka.Kafka',
      propsFile,
    ];
    const child = spawn(command[0], command.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    return new SuiteBroker(kind, port, workDir, child, { command, settings });
  }

  /** SIGTERM (SIGKILL after 30 s), then removes the data directory. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(timer);
    }
    await rm(this.workDir, { recursive: true, force: true });
  }
}
