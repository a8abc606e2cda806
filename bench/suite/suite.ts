// Runs the whole suite: machine ceilings, both brokers started from empty data directories (start-up
// probe), then every workload on fresh topics against each broker in turn with the broker's CPU and
// RSS sampled, then the table, the JSON and the SVG. Progress lines go to `log` as it runs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deleteTopics, firstAckedProduce } from './admin.js';
import { SuiteBroker, type BrokerKind } from './brokers.js';
import { compileSuiteClients } from './java-clients.js';
import { kafkaLib } from './jvm.js';
import { loopbackThroughput, machineInfo, pageCacheWriteThroughput } from './machine.js';
import { cpuOutsideSuite, cpuSeconds, RssSampler } from './proc-stats.js';
import { describeRun, markdownTable, svgChart, withRatios, withReadmeResults, type BrokerRun, type FigureRow, type SuiteReport } from './report.js';
import { FULL, QUICK } from './sizes.js';
import { WORKLOADS, type Workload, type WorkloadContext } from './workloads.js';

/** Options of one run (bench/suite/run.ts parses them from the command line). */
export interface SuiteOptions {
  quick: boolean;
  /** Where the JSON and SVG go. */
  out: string;
  /** Scratch space for both brokers' data, on the disk being measured. */
  benchDir: string;
  brokers: BrokerKind[];
  /** Rounds of every workload on each broker (the sizes' default when absent). */
  rounds?: number;
  /** Workload ids to run (all when absent). */
  only?: string[];
  /** The Sluice checkout to run (its bin/sluice.js and build); this repository by default. */
  sluiceRoot: string;
  /** Also rewrite the results block of this README. */
  readme?: string;
  log: (line: string) => void;
}

/** A running broker with its record in the report and its RSS sampler. */
interface Session {
  kind: BrokerKind;
  broker: SuiteBroker;
  run: BrokerRun;
  rss: RssSampler;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** How each figure a workload reports is shown, and the issue's target on its ratio. */
const FIGURES: Record<string, Omit<FigureRow, 'workload' | 'figure' | 'kafka' | 'sluice' | 'ratio'> & { label: string }> = {
  recordsPerSec: { label: 'records/s', unit: 'rec/s', better: 'higher' },
  mbPerSec: { label: 'throughput', unit: 'MB/s', better: 'higher' },
  p50Ms: { label: 'p50 latency', unit: 'ms', better: 'lower' },
  p99Ms: { label: 'p99 latency', unit: 'ms', better: 'lower' },
  p999Ms: { label: 'p99.9 latency', unit: 'ms', better: 'lower' },
  probeAvgMs: { label: 'EndToEndLatency probe avg', unit: 'ms', better: 'lower' },
  probeP50Ms: { label: 'EndToEndLatency probe p50', unit: 'ms', better: 'lower' },
  probeP99Ms: { label: 'EndToEndLatency probe p99', unit: 'ms', better: 'lower' },
  probeP999Ms: { label: 'EndToEndLatency probe p99.9', unit: 'ms', better: 'lower' },
  probeSpareSec: { label: 'EndToEndLatency probe done before the load ended by', unit: 's', better: 'higher', context: true },
  cpuSecPerGiB: { label: 'broker CPU per GiB moved', unit: 'CPU s/GiB', better: 'lower' },
  clientCpuSecPerGiB: { label: "clients' CPU per GiB moved (Kafka's tools, same for both brokers)", unit: 'CPU s/GiB', better: 'lower', context: true },
  peakRssMiB: { label: 'peak broker RSS', unit: 'MiB', better: 'lower' },
  startupMs: { label: 'spawn → first acked produce', unit: 'ms', better: 'lower' },
  otherCores: { label: "other processes' CPU", unit: 'cores', better: 'lower', context: true },
};

/** The issue's targets, by workload and figure. */
const TARGETS: Record<string, FigureRow['target']> = {
  'W1.mbPerSec': { op: '>=', ratio: 1.5 },
  'W2.mbPerSec': { op: '>=', ratio: 1.5 },
  'W3.mbPerSec': { op: '>=', ratio: 1.5 },
  'W4.mbPerSec': { op: '>=', ratio: 1.5 },
  'W6.mbPerSec': { op: '>=', ratio: 1.5 },
  'W5.p99Ms': { op: '<=', ratio: 1 },
  'W7.peakRssMiB': { op: '<=', ratio: 0.25 },
  'W7.startupMs': { op: '<=', ratio: 0.1 },
};

// The version each broker reports in the results: Kafka's from its jar, Sluice's from package.json
// and git, with the time of its build (dist/ may be newer or older than the sources).
function brokerVersion(kind: BrokerKind, sluiceRoot: string): string {
  if (kind === 'kafka') {
    const jar = readdirSync(kafkaLib).find((f) => /^kafka_2\.13-.*\.jar$/.test(f));
    return jar?.replace(/^kafka_2\.13-(.*)\.jar$/, '$1') ?? 'unknown';
  }
  const pkg = JSON.parse(readFileSync(path.join(sluiceRoot, 'package.json'), 'utf8')) as { version: string };
  const git = (args: string[]) => execFileSync('git', args, { cwd: sluiceRoot, encoding: 'utf8' }).trim();
  const dirty = git(['status', '--porcelain', '--', 'src', 'native/src']) ? ' + uncommitted changes' : '';
  const built = [path.join(sluiceRoot, 'dist/cli/main.js'), ...readdirSync(path.join(sluiceRoot, 'native')).filter((f) => f.endsWith('.node')).map((f) => path.join(sluiceRoot, 'native', f))]
    .map((f) => statSync(f).mtime.getTime());
  return `${pkg.version} (git ${git(['rev-parse', '--short', 'HEAD'])}${dirty}, built ${new Date(Math.max(...built)).toISOString()})`;
}

/** Runs the suite and writes its outputs; resolves with the report. */
export async function runSuite(opts: SuiteOptions): Promise<SuiteReport> {
  const t0 = performance.now();
  const elapsed = () => {
    const s = Math.round((performance.now() - t0) / 1000);
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const log = (line: string) => opts.log(`[${elapsed()}] ${line}`);
  const sizes = opts.quick ? QUICK : FULL;
  const rounds = opts.rounds ?? sizes.rounds;
  const workloads = WORKLOADS.filter((w) => !opts.only || opts.only.includes(w.id));
  await mkdir(opts.benchDir, { recursive: true });
  await mkdir(opts.out, { recursive: true });

  const machine = machineInfo();
  log(`machine: ${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, ${machine.kernel}, node ${machine.node}, ${machine.java}`);
  const loopbackMBps = (await loopbackThroughput(sizes.loopbackSeconds)) / MiB;
  execFileSync('sync'); // no earlier dirty pages count against the probe's dirty-page budget
  const pageCache = pageCacheWriteThroughput(opts.benchDir, sizes.pageCacheBytes);
  const ceilings = { loopbackMBps, pageCacheWriteMBps: pageCache.firstGiB / MiB, sustainedWriteMBps: pageCache.all / MiB };
  log(
    `ceilings: loopback TCP ${loopbackMBps.toFixed(0)} MB/s, page-cache writes ${ceilings.pageCacheWriteMBps.toFixed(0)} MB/s ` +
      `(first GiB), ${ceilings.sustainedWriteMBps.toFixed(0)} MB/s over ${sizes.pageCacheBytes / GiB} GiB`,
  );
  const clientsClassPath = await compileSuiteClients(opts.benchDir);

  // Every measurement of every figure (one per round); the table shows their medians.
  const values: Record<BrokerKind, Record<string, number[]>> = { kafka: {}, sluice: {} };
  const record = (kind: BrokerKind, key: string, v: number) => (values[kind][key] ??= []).push(v);
  const commands: SuiteReport['workloads'] = {};
  const brokers: BrokerRun[] = [];
  const sessions: Session[] = [];

  // Starts one broker and measures spawn → first acknowledged produce; null (error recorded) if it
  // fails. The free port is bound only later, so a start that lost its port to another process
  // (tests run two files at a time) is retried on a fresh one.
  const startSession = async (kind: BrokerKind, attempt = 1): Promise<Session | null> => {
    log(`${kind}: starting from an empty data directory`);
    const run: BrokerRun = { kind, version: brokerVersion(kind, opts.sluiceRoot), command: [], settings: {}, errors: {} };
    let broker: SuiteBroker | undefined;
    try {
      broker = await SuiteBroker.spawn(kind, opts.benchDir, opts.sluiceRoot);
      Object.assign(run, broker.description);
      const b = broker;
      const ackedAt = await firstAckedProduce(b.bootstrap, () => b.running, 120_000).catch((err: unknown) => {
        throw new Error(`${kind} did not acknowledge a produce: ${String(err)}\n${b.logs().slice(-4000)}`);
      });
      record(kind, 'W7.startupMs', ackedAt - b.spawnedAt);
      log(`${kind}: first produce acknowledged ${(ackedAt - b.spawnedAt).toFixed(0)} ms after spawn`);
      brokers.push(run);
      return { kind, broker: b, run, rss: new RssSampler(b.pid) };
    } catch (err) {
      await broker?.stop();
      const message = String(err instanceof Error ? err.message : err);
      if (attempt < 3 && /address already in use|EADDRINUSE/i.test(message)) return startSession(kind, attempt + 1);
      run.errors.broker = message.slice(0, 4000);
      brokers.push(run);
      log(`${kind}: FAILED ${run.errors.broker.split('\n')[0]}`);
      return null;
    }
  };

  // Runs one workload on one broker, recording its figures (or its error) under the broker's kind.
  const runWorkload = async ({ kind, broker, run }: Session, w: Workload, round: number): Promise<void> => {
    if (!broker.running) {
      run.errors[w.id] = `${kind} is not running`;
      return;
    }
    const name = `${kind} ${w.id}${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ''}`;
    // Every workload starts with no dirty pages left by the previous one (or by a deleted topic
    // Kafka removes only a minute later), so none pays for another's write-back.
    execFileSync('sync');
    const started = performance.now();
    log(`${name}: ${w.title}`);
    const heartbeat = setInterval(() => log(`${name}: running for ${Math.round((performance.now() - started) / 1000)} s`), 15_000);
    let cpu = 0;
    let suiteCpu = 0; // this process tree: the clients, both brokers and the suite itself
    let others = 0;
    let measuredSecs = 0;
    const cmds: string[][] = [];
    const ctx: WorkloadContext = {
      bootstrap: broker.bootstrap,
      sizes,
      clientsClassPath,
      scratchDir: opts.benchDir,
      async measure(fn) {
        const c0 = cpuSeconds(broker.pid);
        const o0 = cpuOutsideSuite();
        const t = performance.now();
        try {
          return await fn();
        } finally {
          cpu += cpuSeconds(broker.pid) - c0;
          const o1 = cpuOutsideSuite();
          suiteCpu += o1.suite - o0.suite;
          others += o1.machine - o0.machine - (o1.suite - o0.suite);
          measuredSecs += (performance.now() - t) / 1000;
        }
      },
      command: (args) => cmds.push(args),
    };
    try {
      const r = await w.run(ctx);
      for (const [k, v] of Object.entries(r.figures)) record(kind, `${w.id}.${k}`, v);
      record(kind, `W7.cpuSecPerGiB.${w.id}`, cpu / (r.bytesMoved / GiB));
      // What the load generators cost: on a 2-core machine they share the cores with the broker,
      // so this bounds what any broker could reach (see bench/README.md).
      record(kind, `W7.clientCpuSecPerGiB.${w.id}`, Math.max(0, suiteCpu - cpu) / (r.bytesMoved / GiB));
      record(kind, `Noise.otherCores.${w.id}`, Math.max(0, others / measuredSecs));
      log(
        `${name}: ${Object.entries(r.figures).map(([k, v]) => `${k}=${v.toFixed(2)}`).join(' ')} broker CPU ${cpu.toFixed(1)} s, ` +
          `other processes ${(others / measuredSecs).toFixed(2)} cores`,
      );
    } catch (err) {
      run.errors[w.id] = String(err instanceof Error ? err.message : err).slice(0, 4000);
      if (!broker.running) run.errors[w.id] += `\n${kind} exited:\n${broker.logs().slice(-4000)}`;
      log(`${name}: FAILED ${run.errors[w.id].split('\n')[0]}`);
    } finally {
      clearInterval(heartbeat);
      commands[w.id] ??= { title: w.title, commands: cmds };
      if (broker.running) await deleteTopics(broker.bootstrap, w.topics).catch((err: unknown) => log(`${kind} ${w.id}: could not delete topics: ${String(err)}`));
    }
  };

  // Both brokers stay up for the whole run and take turns workload by workload, the order flipping
  // each time, so a disturbance from outside (other jobs on the machine) lands on both alike; the
  // idle one costs the other next to nothing.
  try {
    for (const kind of opts.brokers) {
      const session = await startSession(kind);
      if (session) sessions.push(session);
    }
    for (let round = 0; round < rounds; round++) {
      for (const [i, w] of workloads.entries()) {
        for (const session of (i + round) % 2 === 0 ? sessions : [...sessions].reverse()) await runWorkload(session, w, round);
      }
    }
    for (const { kind, rss } of sessions) record(kind, 'W7.peakRssMiB', rss.peakBytes / MiB);
  } finally {
    for (const { kind, broker, rss } of sessions) {
      rss.stop();
      await broker.stop();
      log(`${kind}: stopped, data removed`);
    }
  }

  const report: SuiteReport = {
    date: new Date().toISOString(),
    mode: opts.quick ? 'quick' : 'full',
    rounds,
    machine,
    ceilings,
    brokers,
    workloads: commands,
    rows: withRatios(figureRows(values)),
    durationSec: (performance.now() - t0) / 1000,
  };
  const stamp = report.date.replace(/[:.]/g, '-');
  await writeFile(path.join(opts.out, `suite-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  await writeFile(path.join(opts.out, 'suite.svg'), svgChart(report));
  if (opts.readme) await writeFile(opts.readme, withReadmeResults(await readFile(opts.readme, 'utf8'), report));
  opts.log('\n' + describeRun(report) + '\n\n' + markdownTable(report) + '\n');
  log(`results: ${path.join(opts.out, `suite-${stamp}.json`)}, ${path.join(opts.out, 'suite.svg')}`);
  return report;
}

// Every key either broker reported, as rows in workload order ("W7.cpuSecPerGiB.W1" → W7, CPU per GiB
// in W1); the Noise rows come last.
function figureRows(values: Record<BrokerKind, Record<string, number[]>>): FigureRow[] {
  const keys = [...new Set([...Object.keys(values.kafka), ...Object.keys(values.sluice)])];
  const order = (k: string) => {
    const [w, f, sub] = k.split('.');
    return `${w === 'Noise' ? 'X' : w}.${sub ?? ''}.${String(Object.keys(FIGURES).indexOf(f)).padStart(2, '0')}`;
  };
  keys.sort((a, b) => order(a).localeCompare(order(b)));
  return keys.map((k) => {
    const [workload, figure, sub] = k.split('.');
    const spec = FIGURES[figure];
    return {
      workload,
      figure: sub ? `${spec.label} in ${sub}` : spec.label,
      unit: spec.unit,
      better: spec.better,
      ...(spec.context ? { context: true } : {}),
      kafka: median(values.kafka[k]),
      sluice: median(values.sluice[k]),
      samples: { kafka: values.kafka[k] ?? [], sluice: values.sluice[k] ?? [] },
      target: TARGETS[`${workload}.${figure}`],
    };
  });
}

// The middle value (mean of the two middle ones for an even count); undefined for none.
function median(xs: number[] | undefined): number | undefined {
  if (!xs?.length) return undefined;
  const sorted = [...xs].sort((a, b) => a - b);
  const m = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}
