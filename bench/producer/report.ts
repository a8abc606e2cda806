// Turns one run's measurements into ratios against kafkajs, a Markdown table and an SVG chart
// (written by hand: a few rects and labels need no charting library).
import type { ChildResult } from './child.js';

/** One client's outcome in one scenario. */
export interface RunRow {
  client: string;
  /** The median of each figure over `runs`. */
  result?: ChildResult;
  runs?: ChildResult[];
  error?: string;
}

/** One workload: record size and acks, every client against the same broker. */
export interface Scenario {
  valueSize: number;
  acks: 1 | 'all';
  rows: RunRow[];
}

/** The whole run, as written to bench/results/. */
export interface RunReport {
  date: string;
  machine: string;
  node: string;
  broker: string;
  settings: Record<string, unknown>;
  scenarios: Scenario[];
}

/** The baseline every ratio is taken against. */
export const BASELINE = 'kafkajs';

/** Throughput (records/s) and CPU efficiency (baseline CPU per record / this one's) against the baseline. */
export function ratios(s: Scenario, row: RunRow): { throughput: number; cpu: number } | null {
  const base = s.rows.find((r) => r.client === BASELINE)?.result;
  const r = row.result;
  if (!base || !r) return null;
  return { throughput: r.recordsPerSec / base.recordsPerSec, cpu: base.cpuUsPerRecord / r.cpuUsPerRecord };
}

export function scenarioName(s: Scenario): string {
  return `${s.valueSize >= 1024 ? `${s.valueSize / 1024} KiB` : `${s.valueSize} B`}, acks=${s.acks}`;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The results as a Markdown table (also what the console shows). */
export function markdownTable(report: RunReport): string {
  const lines = [
    '| scenario | client | records/s | MB/s | p50 / p99 ack ms, loaded | p50 / p99 ack ms, 1k records/s | client CPU µs/record | records/s ×kafkajs | CPU/record ÷kafkajs |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of report.scenarios) {
    for (const row of s.rows) {
      const r = row.result;
      if (!r) {
        lines.push(`| ${scenarioName(s)} | ${row.client} | failed: ${(row.error ?? '').split('\n')[0].slice(0, 80)} | | | | | | |`);
        continue;
      }
      const x = ratios(s, row);
      lines.push(
        `| ${scenarioName(s)} | ${row.client} | ${fmt(r.recordsPerSec)} | ${fmt(r.mbPerSec, 1)} | ${fmt(r.p50Ms, 1)} / ${fmt(r.p99Ms, 1)} | ` +
          `${fmt(r.pacedP50Ms, 1)} / ${fmt(r.pacedP99Ms, 1)} | ${fmt(r.cpuUsPerRecord, 2)} | ${x ? `${fmt(x.throughput, 2)}×` : ''} | ${x ? `${fmt(x.cpu, 2)}×` : ''} |`,
      );
    }
  }
  return lines.join('\n');
}

const COLORS: Record<string, string> = {
  sluice: '#1f6feb',
  'sluice-send': '#6ea8fe',
  'sluice-256k': '#0a3069',
  'sluice-send-256k': '#3d5a80',
  kafkajs: '#8c8c8c',
  platformatic: '#e8883a',
  rdkafka: '#2da44e',
  java: '#b62324',
};

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Grouped bars per scenario: records/s and CPU efficiency of every client as a multiple of kafkajs. */
export function svgChart(report: RunReport): string {
  const clients = [...new Set(report.scenarios.flatMap((s) => s.rows.map((r) => r.client)))];
  const panels = [
    { title: 'records/s, × kafkajs (higher is better)', pick: (x: { throughput: number }) => x.throughput },
    { title: 'client CPU per record, kafkajs ÷ client (higher is better)', pick: (x: { cpu: number }) => x.cpu },
  ];
  const groupW = 40 + clients.length * 28;
  const left = 50;
  const panelH = 220;
  const width = Math.max(760, left + report.scenarios.length * groupW + 20);
  const height = 60 + panels.length * (panelH + 60) + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Producer benchmark: multiples of kafkajs, one run, one Sluice broker</text>`,
    `<text x="${left}" y="38" fill="#555">${escape(`${report.date} · ${report.machine} · Node ${report.node}`)}</text>`,
  ];
  clients.forEach((c, i) => {
    const x = left + i * 110;
    out.push(`<rect x="${x}" y="46" width="10" height="10" fill="${COLORS[c] ?? '#444'}"/><text x="${x + 14}" y="55">${escape(c)}</text>`);
  });
  panels.forEach((panel, p) => {
    const top = 80 + p * (panelH + 60);
    const values = report.scenarios.flatMap((s) => s.rows.map((r) => ratios(s, r)).filter((x) => x !== null).map((x) => panel.pick(x!)));
    const max = Math.max(1, ...values) * 1.15;
    const y = (v: number) => top + panelH - (v / max) * panelH;
    out.push(`<text x="${left}" y="${top - 8}" font-weight="bold">${escape(panel.title)}</text>`);
    out.push(`<line x1="${left}" y1="${top + panelH}" x2="${width - 10}" y2="${top + panelH}" stroke="#333"/>`);
    out.push(`<line x1="${left}" y1="${y(1)}" x2="${width - 10}" y2="${y(1)}" stroke="#999" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${left - 6}" y="${y(1) + 4}" text-anchor="end">1×</text>`);
    report.scenarios.forEach((s, g) => {
      const gx = left + g * groupW + 20;
      clients.forEach((c, i) => {
        const row = s.rows.find((r) => r.client === c);
        const x = row && ratios(s, row);
        const bx = gx + i * 28;
        if (!x) {
          out.push(`<text x="${bx + 11}" y="${top + panelH - 4}" text-anchor="middle" fill="#c00">–</text>`);
          return;
        }
        const v = panel.pick(x);
        out.push(`<rect x="${bx}" y="${y(v)}" width="22" height="${top + panelH - y(v)}" fill="${COLORS[c] ?? '#444'}"/>`);
        out.push(`<text x="${bx + 11}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${v.toFixed(1)}</text>`);
      });
      out.push(`<text x="${gx + (clients.length * 28) / 2}" y="${top + panelH + 16}" text-anchor="middle">${escape(scenarioName(s))}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
