// Producer benchmark: this SDK against kafkajs, @platformatic/kafka and node-rdkafka, one run, one
// Sluice broker, the same records (100 B and 1 KiB values, acks=1 and acks=all). Each client runs
// in its own child process (child.ts); ratios are against kafkajs in the same run.
// Run: make bench-producer   (or: node --import tsx bench/producer/run.ts [--clients=a,b] [--seconds=N])
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { BenchBroker, repoRoot } from './broker.js';
import { compileProducerBench, kafkaJarsInstalled, producerBenchArgs } from './java-client.js';
import { LIKE_FOR_LIKE_BATCH_BYTES } from './client-api.js';
import type { ChildConfig, ChildResult } from './child.js';
import { markdownTable, svgChart, type RunReport } from './report.js';

const CLIENTS = ['sluice', 'sluice-send', 'sluice-256k', 'sluice-send-256k', 'kafkajs', 'platformatic', 'rdkafka', 'java'];

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: CLIENTS.join(',') },
    /** Seconds each client produces for, measured, after warmup-seconds unmeasured (JIT and heap settle). */
    seconds: { type: 'string', default: '5' },
    'warmup-seconds': { type: 'string', default: '2' },
    window: { type: 'string', default: '10000' },
    partitions: { type: 'string', default: '1' },
    /** Every client runs this many times per scenario; the table shows the median of each figure. */
    rounds: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '100,1024' },
    acks: { type: 'string', default: '1,all' },
    out: { type: 'string', default: path.join(repoRoot, 'bench/results') },
  },
});

const CHILD_TIMEOUT_MS = 300_000;

/**
 * Retention that keeps the broker's page cache small and reused: 256 MiB a partition in 64 MiB
 * segments, checked every second and removed at once. A run writes up to ~3 GB; on the reference
 * VM, page-cache pages that are not recently freed ones cost 6-9x more CPU to write (the guest
 * pages out cold memory, DAMON, and the host backs it again on first touch), which halved every
 * client's rate whenever a run's writes landed there. Every client gets the same broker.
 */
const BROKER_RETENTION = {
  'log.segment.bytes': 64 * 2 ** 20,
  'log.retention.bytes': 256 * 2 ** 20,
  'log.retention.check.interval.ms': 1000,
  'log.segment.delete.delay.ms': 0,
};

/** node-rdkafka lives in bench/producer/node_modules, installed by `make bench-producer` only. */
function rdkafkaInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('node-rdkafka');
    return true;
  } catch {
    return false;
  }
}

/** Runs one client and scenario: a Node child (child.ts), or the JVM for the `java` client. */
function runChild(cfg: ChildConfig, javaClassPath: string | null): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] =
      cfg.client === 'java'
        ? ['java', producerBenchArgs(javaClassPath!, cfg)]
        : [process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/producer/child.ts'), JSON.stringify(cfg)]];
    const child = spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ChildResult);
      else reject(new Error(`${cfg.client} exited with ${code ?? signal}: ${stderr.trim() || stdout.trim()}`));
    });
  });
}

/** The median of each figure over a client's rounds (robust to one round disturbed by the machine). */
function medianResult(runs: ChildResult[]): ChildResult {
  const median = (pick: (r: ChildResult) => number) => {
    const v = runs.map(pick).sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  };
  const keys = Object.keys(runs[0]) as (keyof ChildResult)[];
  return Object.fromEntries(keys.map((k) => [k, median((r) => r[k])])) as unknown as ChildResult;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}`;
}

async function main(): Promise<void> {
  let clients = args.clients.split(',').filter(Boolean);
  for (const c of clients) if (!CLIENTS.includes(c)) throw new Error(`unknown client ${c} (known: ${CLIENTS.join(', ')})`);
  if (clients.includes('rdkafka') && !rdkafkaInstalled()) {
    console.warn('node-rdkafka is not installed (make bench-producer installs it): skipping it');
    clients = clients.filter((c) => c !== 'rdkafka');
  }
  if (clients.includes('java') && !kafkaJarsInstalled()) {
    console.warn("Kafka's jars are not installed (make bench-producer runs scripts/setup-kafka.sh): skipping java");
    clients = clients.filter((c) => c !== 'java');
  }
  const javaClassPath = clients.includes('java') ? await compileProducerBench() : null;
  const seconds = Number(args.seconds);
  const warmupSeconds = Number(args['warmup-seconds']);
  const window = Number(args.window);
  const rounds = Number(args.rounds);
  const partitions = Number(args.partitions);
  const sizes = args.sizes.split(',').map(Number);
  const acksList = args.acks.split(',').map((a) => (a === 'all' ? 'all' : 1) as 1 | 'all');

  const broker = await BenchBroker.start(BROKER_RETENTION);
  const kafka = new Kafka({ clientId: 'bench-admin', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const report: RunReport = {
    date: new Date().toISOString(),
    machine: machine(),
    node: process.versions.node,
    broker: `Sluice (built CLI, defaults but retention ${JSON.stringify(BROKER_RETENTION)}, ${partitions} partition${partitions > 1 ? 's' : ''} a topic)`,
    settings: { rounds, seconds, warmupSeconds, window, chunkBytes: LIKE_FOR_LIKE_BATCH_BYTES, pacedRecords: 2000, pacedRatePerSec: 1000, partitions, compression: 'none', keys: 'none' },
    scenarios: [],
  };
  try {
    for (const valueSize of sizes) {
      for (const acks of acksList) {
        const results = new Map<string, ChildResult[]>(clients.map((c) => [c, []]));
        const errors = new Map<string, string>();
        for (let round = 0; round < rounds; round++) {
          // Rotate the order every round so no client always runs first (or right after another).
          for (const client of clients.map((_, i) => clients[(i + round) % clients.length])) {
            // A fresh topic per run, deleted after it: a full run writes far more than the disk holds.
            const topic = `bench-${client}-${valueSize}-${acks}-${round}`;
            await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true });
            const cfg: ChildConfig = {
              client,
              bootstrap: broker.bootstrap,
              topic,
              acks,
              valueSize,
              seconds,
              warmupSeconds,
              window,
              pacedRecords: 2000,
              pacedRate: 1000,
              chunk: Math.max(1, Math.floor(LIKE_FOR_LIKE_BATCH_BYTES / valueSize)),
            };
            process.stdout.write(`${valueSize} B acks=${acks} round ${round + 1}/${rounds} ${client}: `);
            try {
              const result = await runChild(cfg, javaClassPath);
              results.get(client)!.push(result);
              console.log(
                `${Math.round(result.recordsPerSec).toLocaleString('en-US')} records/s, p99 ${result.p99Ms.toFixed(1)} ms (paced ${result.pacedP99Ms.toFixed(1)} ms), ${result.cpuUsPerRecord.toFixed(2)} µs CPU/record`,
              );
            } catch (err) {
              errors.set(client, (err as Error).message);
              console.log(`FAILED: ${(err as Error).message.split('\n')[0]}`);
            }
            await admin.deleteTopics({ topics: [topic] });
          }
        }
        report.scenarios.push({
          valueSize,
          acks,
          rows: clients.map((client) => (errors.has(client) ? { client, error: errors.get(client) } : { client, result: medianResult(results.get(client)!), runs: results.get(client)! })),
        });
      }
    }
  } finally {
    await admin.disconnect();
    await broker.stop();
  }

  const table = markdownTable(report);
  console.log(`\n${report.date} · ${report.machine} · Node ${report.node}\n\n${table}\n`);
  await mkdir(args.out, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  // The JSON of every run stays local (git-ignored); the chart of the latest run is what README shows.
  const files = { [`producer-${stamp}.json`]: JSON.stringify(report, null, 2) + '\n', 'producer.svg': svgChart(report) };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(args.out, name), text);
  console.log(`wrote ${Object.keys(files).map((f) => path.join(path.relative(repoRoot, args.out), f)).join(', ')}`);
  if (report.scenarios.some((s) => s.rows.some((r) => r.error))) process.exitCode = 1;
}

await main();
