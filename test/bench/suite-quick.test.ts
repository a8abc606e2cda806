// Runs the benchmark suite in --quick mode against both Apache Kafka and Sluice, as `make bench`
// does with small sizes, and checks that every workload produced figures for both brokers, that
// ratios were computed and that the JSON and SVG were written. No figure is judged here.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';
import type { SuiteReport } from '../../bench/suite/report.js';

const workDir = await mkdtemp(path.join(os.tmpdir(), 'sluice-suite-quick-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

// Runs bench/suite/run.ts; its progress lines are echoed so a slow run shows where it is.
function runQuickSuite(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/suite/run.ts', '--quick', `--out=${out}`, `--bench-dir=${path.join(workDir, 'data')}`],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (b: Buffer) => {
      output += b.toString('utf8');
      for (const line of b.toString('utf8').split('\n')) if (/^\[\d\d:\d\d\]/.test(line)) console.log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('measures every workload on both brokers and writes the JSON report and the SVG chart', async () => {
  const out = path.join(workDir, 'results');
  const { code, output } = await runQuickSuite(out);
  expect(code, output.slice(-6000)).toBe(0);

  const files = await readdir(out);
  const json = files.find((f) => /^suite-.*\.json$/.test(f));
  expect(json, files.join(', ')).toBeDefined();
  const report = JSON.parse(await readFile(path.join(out, json!), 'utf8')) as SuiteReport;

  expect(report.mode).toBe('quick');
  expect(report.brokers.map((b) => b.kind)).toEqual(['kafka', 'sluice']);
  for (const b of report.brokers) {
    expect(b.errors).toEqual({});
    expect(b.version).not.toBe('unknown');
    expect(b.command.length).toBeGreaterThan(2);
  }
  expect(report.ceilings.loopbackMBps).toBeGreaterThan(0);
  expect(report.ceilings.pageCacheWriteMBps).toBeGreaterThan(0);
  expect(report.ceilings.sustainedWriteMBps).toBeGreaterThan(0);

  const expected: Record<string, string[]> = {
    W1: ['records/s', 'throughput', 'p50 latency', 'p99 latency'],
    W2: ['records/s', 'throughput', 'p50 latency', 'p99 latency'],
    W3: ['records/s', 'throughput', 'p50 latency', 'p99 latency'],
    W4: ['records/s', 'throughput'],
    W5: ['records/s', 'p50 latency', 'p99 latency', 'p99.9 latency'],
    W6: ['records/s', 'throughput', 'p50 latency', 'p99 latency'],
    W7: ['peak broker RSS', 'spawn → first acked produce', ...['W1', 'W2', 'W3', 'W4', 'W5', 'W6'].map((w) => `broker CPU per GiB moved in ${w}`)],
  };
  for (const [workload, figures] of Object.entries(expected)) {
    for (const figure of figures) {
      const row = report.rows.find((r) => r.workload === workload && r.figure === figure);
      expect(row, `${workload} ${figure}`).toBeDefined();
      expect(row!.kafka, `${workload} ${figure} kafka`).toBeGreaterThan(0);
      // ProducerPerformance prints whole milliseconds: a fast enough broker may show a 0 ms percentile.
      if (row!.unit === 'ms') expect(row!.sluice, `${workload} ${figure} sluice`).toBeGreaterThanOrEqual(0);
      else expect(row!.sluice, `${workload} ${figure} sluice`).toBeGreaterThan(0);
      expect(row!.ratio, `${workload} ${figure} ratio`).toBeCloseTo(row!.sluice! / row!.kafka!, 6);
    }
    if (workload !== 'W7') expect(report.workloads[workload].commands.length, workload).toBeGreaterThan(0);
  }

  // W5's EndToEndLatency probe: whole-millisecond percentiles (0 is possible), a mean, and how long
  // before the load's end it finished (about the run, so no ratio).
  for (const figure of ['EndToEndLatency probe avg', 'EndToEndLatency probe p50', 'EndToEndLatency probe p99', 'EndToEndLatency probe p99.9']) {
    const row = report.rows.find((r) => r.workload === 'W5' && r.figure === figure);
    expect(row, figure).toBeDefined();
    expect(row!.unit, figure).toBe('ms');
    for (const v of [row!.kafka, row!.sluice]) expect(v, figure).toBeGreaterThanOrEqual(figure.endsWith('avg') ? Number.MIN_VALUE : 0);
    if (row!.kafka! > 0) expect(row!.ratio, `${figure} ratio`).toBeCloseTo(row!.sluice! / row!.kafka!, 6);
    expect(row!.target, figure).toBeUndefined();
  }
  const spare = report.rows.find((r) => r.workload === 'W5' && r.figure.startsWith('EndToEndLatency probe done before'));
  expect(Number.isFinite(spare?.kafka) && Number.isFinite(spare?.sluice), 'probe spare time').toBe(true);
  expect(spare?.ratio).toBeUndefined();
  expect(report.workloads.W5.commands.some((c) => c.includes('org.apache.kafka.tools.EndToEndLatency'))).toBe(true);

  // How busy the rest of the machine was during each workload, for both brokers (not a ratio).
  for (const w of ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']) {
    const noise = report.rows.find((r) => r.workload === 'Noise' && r.figure.endsWith(` ${w}`));
    expect(noise?.kafka, w).toBeGreaterThanOrEqual(0);
    expect(noise?.sluice, w).toBeGreaterThanOrEqual(0);
    expect(noise?.ratio, w).toBeUndefined();
  }

  const svg = await readFile(path.join(out, 'suite.svg'), 'utf8');
  expect(svg).toMatch(/^<svg /);
  // One bar per row with a ratio above 0 (the log scale has no place for 0).
  expect(svg.match(/<rect x=/g)?.length).toBe(report.rows.filter((r) => r.ratio! > 0).length);
}, 300_000);
