// The workloads W1–W6, each against one running broker with fresh topics, driven by Kafka's own
// tools (ProducerPerformance, ConsumerPerformance, EndToEndLatency) or SuiteClients.java on Kafka's
// client. Every one returns its figures, the bytes it moved through the broker, and the exact
// command lines.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTopic } from './admin.js';
import { parseConsumerPerformance, parseEndToEndLatency, parseJsonLine, parseProducerPerformance } from './parse.js';
import { runTool, toolArgs } from './jvm.js';
import type { SuiteSizes } from './sizes.js';

/** What a workload needs from the runner. */
export interface WorkloadContext {
  bootstrap: string;
  sizes: SuiteSizes;
  /** Class path of the compiled SuiteClients plus Kafka's jars. */
  clientsClassPath: string;
  /** A directory for the clients' properties files. */
  scratchDir: string;
  /** Runs `fn` while counting the broker's CPU seconds; the runner divides them by `bytesMoved`. */
  measure<T>(fn: () => Promise<T>): Promise<T>;
  /** Records a command line for the report. */
  command(args: string[]): void;
}

/** A workload's outcome on one broker. */
export interface WorkloadResult {
  figures: Record<string, number>;
  /** Record bytes that went through the broker in the measured phase (in + out). */
  bytesMoved: number;
}

/** One workload of the suite. */
export interface Workload {
  id: string;
  title: string;
  /** The topics it creates (deleted after it). */
  topics: string[];
  run(ctx: WorkloadContext): Promise<WorkloadResult>;
}

const TOOL_TIMEOUT_MS = 15 * 60_000;
const PRODUCER_PERF = 'org.apache.kafka.tools.ProducerPerformance';
const CONSUMER_PERF = 'org.apache.kafka.tools.ConsumerPerformance';
const END_TO_END_LATENCY = 'org.apache.kafka.tools.EndToEndLatency';
const SUITE_CLIENTS = 'SuiteClients';

/** Producer settings of the throughput workloads: explicit batching, acks=1, no idempotence. */
const THROUGHPUT_PRODUCER = { acks: '1', 'linger.ms': '5', 'batch.size': '65536', 'enable.idempotence': 'false' };
/** The Java client's 4.1 defaults, spelled out: idempotent, acks=all, linger.ms 5, batch.size 16 KiB. */
const DEFAULT_PRODUCER = { acks: 'all', 'linger.ms': '5', 'batch.size': '16384', 'enable.idempotence': 'true' };
/** W5's producer: low linger for latency, acks=1. */
const LATENCY_PRODUCER = { acks: '1', 'linger.ms': '1', 'batch.size': '16384', 'enable.idempotence': 'false' };
/**
 * W5's EndToEndLatency probe, in its properties file (acks=1 is its argument). The tool sets
 * linger.ms=0 itself after reading the file, so the file spells out that value.
 */
const PROBE_PRODUCER = { 'linger.ms': '0', 'batch.size': '16384', 'enable.idempotence': 'false' };
/** W6's producer: Java defaults for batching, acks=1. */
const KEYED_PRODUCER = { acks: '1', 'linger.ms': '5', 'batch.size': '16384', 'enable.idempotence': 'false' };

const props = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `${k}=${v}`);

async function producerPerf(
  ctx: WorkloadContext,
  topic: string,
  records: number,
  recordSize: number,
  producer: Record<string, string>,
) {
  const args = [
    '--topic', topic,
    '--num-records', String(records),
    '--record-size', String(recordSize),
    '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${ctx.bootstrap}`, ...props(producer),
  ];
  ctx.command(['java', ...toolArgs(PRODUCER_PERF, args)]);
  const r = await runTool(PRODUCER_PERF, args, TOOL_TIMEOUT_MS);
  return parseProducerPerformance(r.out);
}

function produceWorkload(id: string, title: string, recordSize: number, count: (s: SuiteSizes) => number, producer: Record<string, string>): Workload {
  const topic = `${id.toLowerCase()}-produce`;
  return {
    id,
    title,
    topics: [topic],
    async run(ctx) {
      await createTopic(ctx.bootstrap, topic, 8);
      const records = count(ctx.sizes);
      const s = await ctx.measure(() => producerPerf(ctx, topic, records, recordSize, producer));
      return {
        figures: { recordsPerSec: s.recordsPerSec, mbPerSec: s.mbPerSec, p50Ms: s.p50Ms, p99Ms: s.p99Ms },
        bytesMoved: records * recordSize,
      };
    },
  };
}

const w4: Workload = {
  id: 'W4',
  title: 'consume 1 KiB records already in page cache, 8 partitions (ConsumerPerformance)',
  topics: ['w4-consume'],
  async run(ctx) {
    const topic = 'w4-consume';
    const records = ctx.sizes.w4Records;
    await createTopic(ctx.bootstrap, topic, 8);
    await producerPerf(ctx, topic, records, 1024, THROUGHPUT_PRODUCER);
    // Written back before reading, so the consume phase measures reads from the page cache alone.
    execFileSync('sync');
    const args = ['--bootstrap-server', ctx.bootstrap, '--topic', topic, '--messages', String(records), '--timeout', '60000', '--group', `w4-${Date.now()}`];
    ctx.command(['java', ...toolArgs(CONSUMER_PERF, args)]);
    const c = await ctx.measure(async () => parseConsumerPerformance((await runTool(CONSUMER_PERF, args, TOOL_TIMEOUT_MS)).out));
    if (c.records < records) throw new Error(`ConsumerPerformance read ${c.records} of ${records} records`);
    return { figures: { mbPerSec: c.fetchMbPerSec, recordsPerSec: c.fetchRecordsPerSec }, bytesMoved: c.records * 1024 };
  },
};

// The java argument list of one mode of SuiteClients.java (producer settings as prop:key=value).
function suiteClientArgs(ctx: WorkloadContext, mode: string, args: string[], producer: Record<string, string>): string[] {
  return [mode, ctx.bootstrap, ...args, ...props(producer).map((p) => `prop:${p}`)];
}

// Runs one mode of SuiteClients.java and parses its JSON line.
async function suiteClient<T>(ctx: WorkloadContext, mode: string, args: string[], producer: Record<string, string>): Promise<T> {
  const all = suiteClientArgs(ctx, mode, args, producer);
  ctx.command(['java', ...toolArgs(SUITE_CLIENTS, all, ctx.clientsClassPath)]);
  return ctx.measure(async () => parseJsonLine<T>((await runTool(SUITE_CLIENTS, all, TOOL_TIMEOUT_MS, ctx.clientsClassPath)).out));
}

interface E2eResult {
  sent: number;
  received: number;
  errors: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

const W5_TOPIC = 'w5-e2e';
const W5_PROBE_TOPIC = 'w5-probe';

// W5 is SuiteClients e2e (the load, and every record's latency at microsecond resolution) with
// Kafka's EndToEndLatency beside it as a probe on a topic of its own: one 1 KiB record at a time,
// sent, acknowledged and read back before the next, timed in whole milliseconds. The probe is sized
// to finish while the load still runs; how long before the load's end it finished is reported.
const w5: Workload = {
  id: 'W5',
  title: 'produce + consume at once, fixed 20,000 rec/s of 1 KiB: end-to-end latency (SuiteClients e2e, EndToEndLatency probe alongside)',
  topics: [W5_TOPIC, W5_PROBE_TOPIC],
  async run(ctx) {
    await createTopic(ctx.bootstrap, W5_TOPIC, 8);
    await createTopic(ctx.bootstrap, W5_PROBE_TOPIC, 1);
    const { w5RecordsPerSec: rate, w5Seconds: secs, w5ProbeMessages: probeMessages } = ctx.sizes;
    const propsFile = path.join(ctx.scratchDir, 'w5-end-to-end-latency.properties');
    await writeFile(propsFile, props(PROBE_PRODUCER).join('\n') + '\n');
    const loadArgs = suiteClientArgs(ctx, 'e2e', [W5_TOPIC, String(rate), String(secs), '1024'], LATENCY_PRODUCER);
    const probeArgs = [ctx.bootstrap, W5_PROBE_TOPIC, String(probeMessages), '1', '1024', propsFile];
    ctx.command(['java', ...toolArgs(SUITE_CLIENTS, loadArgs, ctx.clientsClassPath)]);
    ctx.command(['java', ...toolArgs(END_TO_END_LATENCY, probeArgs)]);
    // Both run to the end even when one fails, so no client outlives the workload and its topics.
    const [loadRun, probeRun] = await ctx.measure(() =>
      Promise.allSettled([
        runTool(SUITE_CLIENTS, loadArgs, TOOL_TIMEOUT_MS, ctx.clientsClassPath).then((r) => ({ end: performance.now(), ...parseJsonLine<E2eResult>(r.out) })),
        runTool(END_TO_END_LATENCY, probeArgs, TOOL_TIMEOUT_MS).then((r) => ({ end: performance.now(), ...parseEndToEndLatency(r.out) })),
      ]),
    );
    if (loadRun.status === 'rejected') throw loadRun.reason;
    if (probeRun.status === 'rejected') throw probeRun.reason;
    const [load, probe] = [loadRun.value, probeRun.value];
    if (load.errors > 0 || load.received < load.sent) throw new Error(`W5 lost records: sent ${load.sent}, received ${load.received}, ${load.errors} send errors`);
    return {
      figures: {
        recordsPerSec: load.recordsPerSec,
        p50Ms: load.p50Ms,
        p99Ms: load.p99Ms,
        p999Ms: load.p999Ms,
        probeAvgMs: probe.avgMs,
        probeP50Ms: probe.p50Ms,
        probeP99Ms: probe.p99Ms,
        probeP999Ms: probe.p999Ms,
        // Negative when the probe outlasted the load (then lower w5ProbeMessages in sizes.ts).
        probeSpareSec: (load.end - probe.end) / 1000,
      },
      bytesMoved: 2 * (load.received + probeMessages) * 1024,
    };
  },
};

interface KeyedResult {
  records: number;
  errors: number;
  recordsPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const w6: Workload = {
  id: 'W6',
  title: 'keyed 1 KiB records over many partitions (SuiteClients keyed)',
  topics: ['w6-keyed'],
  async run(ctx) {
    const topic = 'w6-keyed';
    const { w6Partitions, w6Records, w6DistinctKeys } = ctx.sizes;
    await createTopic(ctx.bootstrap, topic, w6Partitions);
    const r = await suiteClient<KeyedResult>(ctx, 'keyed', [topic, String(w6Records), '1024', String(w6DistinctKeys)], KEYED_PRODUCER);
    if (r.errors > 0) throw new Error(`W6: ${r.errors} records failed`);
    return { figures: { recordsPerSec: r.recordsPerSec, mbPerSec: r.mbPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms }, bytesMoved: r.records * 1024 };
  },
};

/** Every workload, in run order. */
export const WORKLOADS: Workload[] = [
  produceWorkload('W1', 'produce 1 KiB records, 8 partitions, acks=1, unthrottled (ProducerPerformance)', 1024, (s) => s.w1Records, THROUGHPUT_PRODUCER),
  produceWorkload('W2', 'produce 100 B records, 8 partitions, acks=1, unthrottled (ProducerPerformance)', 100, (s) => s.w2Records, THROUGHPUT_PRODUCER),
  produceWorkload('W3', 'produce 1 KiB records, 8 partitions, Java client defaults: idempotent, acks=all (ProducerPerformance)', 1024, (s) => s.w3Records, DEFAULT_PRODUCER),
  w4,
  w5,
  w6,
];
