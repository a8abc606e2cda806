// One suite run as data (written as JSON), as a terminal/Markdown table of every figure for both
// brokers with the Sluice/Kafka ratio and the issue's target, and as an SVG chart of the ratios.
import type { MachineInfo } from './machine.js';
import type { BrokerKind } from './brokers.js';

/** Which way a figure improves. */
export type Better = 'higher' | 'lower';

/** One row of the table: a figure of one workload, for both brokers. */
export interface FigureRow {
  workload: string;
  figure: string;
  unit: string;
  better: Better;
  kafka?: number;
  sluice?: number;
  /** sluice / kafka, when both ran. */
  ratio?: number;
  /** The issue's target on the ratio, e.g. ">= 1.5". */
  target?: { op: '>=' | '<='; ratio: number };
  /** Each round's measurement (kafka and sluice are their medians). */
  samples?: { kafka: number[]; sluice: number[] };
  /** About the run rather than the broker (e.g. other processes' CPU): no ratio. */
  context?: true;
}

/** How one broker ran: command line, settings, version, failures. */
export interface BrokerRun {
  kind: BrokerKind;
  version: string;
  command: string[];
  settings: Record<string, string | number>;
  /** Workload id → error message, for workloads that failed on this broker. */
  errors: Record<string, string>;
}

/** The whole run, as written to bench/results/suite-<date>.json. */
export interface SuiteReport {
  date: string;
  mode: 'full' | 'quick';
  /** Rounds of every workload on each broker; figures are medians over them. */
  rounds: number;
  machine: MachineInfo;
  /** MB/s: one loopback TCP connection; buffered writes over the first GiB and over the whole probe. */
  ceilings: { loopbackMBps: number; pageCacheWriteMBps: number; sustainedWriteMBps: number };
  brokers: BrokerRun[];
  /** Workload id → title and the exact client command lines (the first broker's, ports differ). */
  workloads: Record<string, { title: string; commands: string[][] }>;
  rows: FigureRow[];
  durationSec: number;
}

/** Fills in ratios (Sluice ÷ Kafka) for broker rows where both brokers produced the figure. */
export function withRatios(rows: FigureRow[]): FigureRow[] {
  return rows.map((r) => (!r.context && r.kafka !== undefined && r.sluice !== undefined && r.kafka > 0 ? { ...r, ratio: r.sluice / r.kafka } : r));
}

/** Whether the row meets its target (undefined when it has none or lacks a ratio). */
export function meetsTarget(r: FigureRow): boolean | undefined {
  if (!r.target || r.ratio === undefined) return undefined;
  return r.target.op === '>=' ? r.ratio >= r.target.ratio : r.ratio <= r.target.ratio;
}

const fmt = (n: number | undefined) => {
  if (n === undefined) return '—';
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
};

/** Every figure as a Markdown table (also what the terminal shows). */
export function markdownTable(report: SuiteReport): string {
  const lines = [
    '| workload | figure | Kafka | Sluice | Sluice ÷ Kafka | target | met |',
    '|---|---|---:|---:|---:|---:|:---:|',
  ];
  for (const r of report.rows) {
    const met = meetsTarget(r);
    lines.push(
      `| ${r.workload} | ${r.figure} (${r.unit}, ${r.better} is better) | ${fmt(r.kafka)} | ${fmt(r.sluice)} | ` +
        `${r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.target ? `${r.target.op} ${r.target.ratio}×` : ''} | ${met === undefined ? '' : met ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

/** The header lines above the table: date, machine, ceilings, versions. */
export function describeRun(report: SuiteReport): string {
  const m = report.machine;
  return [
    `Run ${report.date} (${report.mode}, ${report.rounds} round${report.rounds > 1 ? 's, medians' : ''}, ${Math.round(report.durationSec)} s): ${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.kernel}, Node ${m.node}, ${m.java}.`,
    `Machine ceilings: loopback TCP ${fmt(report.ceilings.loopbackMBps)} MB/s (one connection), buffered file writes ${fmt(report.ceilings.pageCacheWriteMBps)} MB/s over the first GiB (page cache), ` +
      `${fmt(report.ceilings.sustainedWriteMBps)} MB/s over the whole probe (dirty-page throttling included).`,
    `Brokers: ${report.brokers.map((b) => `${b.kind} ${b.version}`).join(', ')}.`,
  ].join('\n');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One horizontal bar per figure: how much better (>1) or worse (<1) Sluice is than Kafka, on a log
 * scale centred on 1× (lower-is-better figures are inverted so right is always better).
 */
export function svgChart(report: SuiteReport): string {
  const rows = report.rows.filter((r) => r.ratio !== undefined && r.ratio > 0);
  const rowH = 18;
  const labelW = 300;
  const plotW = 420;
  const top = 70;
  const width = labelW + plotW + 90;
  const height = top + rows.length * rowH + 40;
  // The axis spans the largest advantage either way (at least 2×), with a little room.
  const span = 10 ** (1.1 * Math.max(Math.log10(2), ...rows.map((r) => Math.abs(Math.log10(advantage(r))))));
  const x = (v: number) => labelW + plotW / 2 + (Math.log10(v) / Math.log10(span)) * (plotW / 2);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Sluice vs Apache Kafka: Sluice's advantage per figure (right of 1× = Sluice better)</text>`,
    `<text x="10" y="38" fill="#555">${escape(`${report.date} · ${report.mode} · ${report.machine.cpu} · ${report.machine.cores} cores · log scale`)}</text>`,
    `<line x1="${x(1)}" y1="${top - 12}" x2="${x(1)}" y2="${top + rows.length * rowH}" stroke="#333"/>`,
    `<text x="${x(1)}" y="${top - 16}" text-anchor="middle">1×</text>`,
    `<text x="${x(1 / span)}" y="${top - 16}">${fmtRatio(1 / span)}</text>`,
    `<text x="${x(span)}" y="${top - 16}" text-anchor="end">${fmtRatio(span)}</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const a = advantage(r);
    const met = meetsTarget(r);
    const color = met === undefined ? '#8c8c8c' : met ? '#2da44e' : '#cf222e';
    const [x0, x1] = [Math.min(x(1), x(a)), Math.max(x(1), x(a))];
    out.push(`<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${escape(`${r.workload} ${r.figure}`)}</text>`);
    out.push(`<rect x="${x0}" y="${y + 3}" width="${Math.max(1, x1 - x0)}" height="${rowH - 6}" fill="${color}"/>`);
    out.push(`<text x="${a >= 1 ? x1 + 4 : x0 - 4}" y="${y + 12}" text-anchor="${a >= 1 ? 'start' : 'end'}">${fmtRatio(a)}</text>`);
  });
  out.push(`<text x="10" y="${height - 12}" fill="#555">green: meets the issue's target · red: misses it · grey: no target</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

// Sluice's advantage: the ratio for higher-is-better figures, its inverse otherwise.
function advantage(r: FigureRow): number {
  return r.better === 'higher' ? r.ratio! : 1 / r.ratio!;
}

function fmtRatio(v: number): string {
  return `${v >= 10 || v < 0.1 ? v.toPrecision(2) : v.toFixed(2)}×`;
}

const README_START = '<!-- suite-results:start -->';
const README_END = '<!-- suite-results:end -->';

/** Replaces the results block of bench/README.md with this run's description and table. */
export function withReadmeResults(readme: string, report: SuiteReport): string {
  const block = `${README_START}\n${describeRun(report)}\n\n${markdownTable(report)}\n${README_END}`;
  const i = readme.indexOf(README_START);
  const j = readme.indexOf(README_END);
  if (i < 0 || j < i) throw new Error(`bench/README.md lacks the ${README_START} … ${README_END} markers`);
  return readme.slice(0, i) + block + readme.slice(j + README_END.length);
}
