// One client, one scenario, in its own process: warm up, produce for a fixed time keeping at most
// `window` records unacknowledged (throughput, CPU, latency under load), then a light paced load
// (latency alone), and print one `RESULT {json}` line with what was measured.
// Run by run.ts: node --import tsx bench/producer/child.ts '<ChildConfig json>'
import { randomFillSync } from 'node:crypto';
import type { Ack, BenchClient, ClientSpec, OpenClient } from './client-api.js';

/** What run.ts asks a child to do. */
export interface ChildConfig extends ClientSpec {
  client: string;
  valueSize: number;
  /** Seconds of unmeasured produce first, so every client's JIT and heap have settled. */
  warmupSeconds: number;
  /** Seconds of measured produce (then the records still unacknowledged are awaited). */
  seconds: number;
  window: number;
  /** Then produce this many records one by one at pacedRate records/s, for the ack latency of a light load. */
  pacedRecords: number;
  pacedRate: number;
}

/** What a child reports. */
export interface ChildResult {
  /** Records produced and acknowledged in the measured phase. */
  records: number;
  elapsedMs: number;
  recordsPerSec: number;
  mbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRecord: number;
  rssMb: number;
  /** Ack latency producing one record at a time at pacedRate records/s. */
  pacedP50Ms: number;
  pacedP99Ms: number;
}

/** Distinct values cycled through, so no client sees the same bytes twice in a row. */
function valuePool(size: number): Buffer[] {
  return Array.from({ length: 256 }, () => randomFillSync(Buffer.allocUnsafe(size)));
}

/**
 * A per-record client's records whose ack latency is measured: one in this many. Reading the clock
 * twice and keeping a closure for every record cost Sluice's produce() 0.5–0.9 µs of CPU a record
 * (up to a sixth of its CPU at 1 KiB), where an array client pays that once per call. Sampled, the
 * benchmark's own work costs every client next to nothing, and a run still times tens of thousands
 * of records.
 */
const LATENCY_SAMPLE_EVERY = 16;

/** Ack latencies in ms, as measured. */
class Latencies {
  values = new Float64Array(1 << 16);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = ms;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/**
 * Produces records for `seconds`, keeping at most `window` outstanding; the ack latency of every
 * LATENCY_SAMPLE_EVERY-th record (of every call, for batch clients: the whole chunk's) goes to
 * `latencies`. Resolves with the records produced once every one is acknowledged; rejects on the
 * first failed record.
 */
function drive(client: BenchClient, cfg: ChildConfig, values: Buffer[], seconds: number, latencies: Latencies): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + seconds * 1000;
    let next = 0;
    let outstanding = 0;
    let stopped = false;
    let failed = false;
    const fail = (err: unknown) => {
      if (!failed) reject(err instanceof Error ? err : new Error(String(err)));
      failed = true;
    };
    const settled = (count: number, now: number) => {
      outstanding -= count;
      if (!stopped && now >= deadline) stopped = true;
      if (!stopped) pump();
      else if (outstanding === 0) resolve(next);
    };
    /** A record acknowledged without being timed: the clock is read on timed acks only. */
    const untimed: Ack = { ok: () => settled(1, 0), fail };
    const timed = (count: number, started: number): Ack => ({
      ok: () => {
        const now = performance.now();
        latencies.push(now - started);
        settled(count, now);
      },
      fail,
    });
    const pump = () => {
      while (!failed && outstanding < cfg.window) {
        const first = next;
        if (client.style === 'record') {
          next++;
          outstanding++;
          client.produce(values[first & 255], first % LATENCY_SAMPLE_EVERY === 0 ? timed(1, performance.now()) : untimed);
        } else {
          const count = cfg.chunk;
          const chunk = new Array<Buffer>(count);
          for (let i = 0; i < count; i++) chunk[i] = values[(first + i) & 255];
          next += count;
          outstanding += count;
          client.send(chunk, timed(count, performance.now()));
        }
      }
    };
    pump();
  });
}

/** Produces `count` records one call each, at `rate` records/s; returns their ack latencies. */
function paced(client: BenchClient, values: Buffer[], count: number, rate: number): Promise<Float64Array> {
  const latencies = new Float64Array(count);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    const t0 = performance.now();
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const i = sent;
        const started = performance.now();
        const ack: Ack = {
          ok: () => {
            latencies[i] = performance.now() - started;
            if (++acked === count) resolve(latencies);
          },
          fail: (err) => {
            clearInterval(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        };
        if (client.style === 'record') client.produce(values[i & 255], ack);
        else client.send([values[i & 255]], ack);
      }
      if (sent === count) clearInterval(timer);
    }, 1);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]) as ChildConfig;
  const { open } = (await import(`./clients/${cfg.client}.js`)) as { open: OpenClient };
  const client = await open(cfg);
  const values = valuePool(cfg.valueSize);
  await drive(client, cfg, values, cfg.warmupSeconds, new Latencies());

  const latencies = new Latencies();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const records = await drive(client, cfg, values, cfg.seconds, latencies);
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const light = (await paced(client, values, cfg.pacedRecords, cfg.pacedRate)).sort();
  await client.close();

  const sorted = latencies.sorted();
  const result: ChildResult = {
    records,
    elapsedMs,
    recordsPerSec: (records * 1000) / elapsedMs,
    mbPerSec: (records * cfg.valueSize) / elapsedMs / 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuUsPerRecord: (cpu.user + cpu.system) / records,
    rssMb,
    pacedP50Ms: percentile(light, 50),
    pacedP99Ms: percentile(light, 99),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(0); // some clients keep timers or threads alive after close
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
