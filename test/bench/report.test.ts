// The suite's report: ratios, targets, and the README block it rewrites.
import { describe, expect, it } from 'vitest';
import { markdownTable, meetsTarget, svgChart, withRatios, withReadmeResults, type FigureRow, type SuiteReport } from '../../bench/suite/report.js';

const rows: FigureRow[] = withRatios([
  { workload: 'W1', figure: 'throughput', unit: 'MB/s', better: 'higher', kafka: 100, sluice: 160, target: { op: '>=', ratio: 1.5 } },
  { workload: 'W5', figure: 'p99 latency', unit: 'ms', better: 'lower', kafka: 10, sluice: 12, target: { op: '<=', ratio: 1 } },
  { workload: 'W6', figure: 'records/s', unit: 'rec/s', better: 'higher', kafka: 5 },
  { workload: 'Noise', figure: 'CPU of other processes', unit: 'cores', better: 'lower', kafka: 0.5, sluice: 0.1, context: true },
]);

const report: SuiteReport = {
  date: '2026-11-23T16:00:00.000Z',
  mode: 'quick',
  rounds: 1,
  machine: { cpu: 'cpu', cores: 2, ramGiB: 8, kernel: 'Linux 6', node: 'v20', java: 'openjdk 17' },
  ceilings: { loopbackMBps: 4000, pageCacheWriteMBps: 2000, sustainedWriteMBps: 500 },
  brokers: [],
  workloads: {},
  rows,
  durationSec: 60,
};

describe('suite report', () => {
  it('takes Sluice ÷ Kafka only for broker figures both brokers have', () => {
    expect(rows.map((r) => r.ratio)).toEqual([1.6, 1.2, undefined, undefined]);
  });

  it('checks each target in its direction', () => {
    expect(rows.map(meetsTarget)).toEqual([true, false, undefined, undefined]);
  });

  it('shows a missing figure as a dash and the target verdict', () => {
    const table = markdownTable(report);
    expect(table).toContain('| W1 | throughput (MB/s, higher is better) | 100 | 160 | 1.60× | >= 1.5× | yes |');
    expect(table).toContain('| W5 | p99 latency (ms, lower is better) | 10.0 | 12.0 | 1.20× | <= 1× | no |');
    expect(table).toContain('| W6 | records/s (rec/s, higher is better) | 5.00 | — | — |  |  |');
  });

  it('draws one bar per ratio', () => {
    expect(svgChart(report).match(/<rect x=/g)).toHaveLength(2);
  });

  it('replaces only the marked block of the README', () => {
    const readme = 'before\n<!-- suite-results:start -->\nold\n<!-- suite-results:end -->\nafter\n';
    const updated = withReadmeResults(readme, report);
    expect(updated.startsWith('before\n<!-- suite-results:start -->\nRun 2026-11-23T16:00:00.000Z')).toBe(true);
    expect(updated).not.toContain('old');
    expect(updated.endsWith('<!-- suite-results:end -->\nafter\n')).toBe(true);
    expect(() => withReadmeResults('no markers', report)).toThrow(/markers/);
  });
});
