// Resource figures of a broker process tree read from /proc: CPU seconds (utime+stime) and
// resident memory, sampled while workloads run (Linux only, as the suite is).
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ on every Linux the suite targets

function readStat(pid: number): { ppid: number; cpuTicks: number; reapedTicks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces).
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), reapedTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and all its descendants (a broker may fork workers). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st) children.set(st.ppid, [...(children.get(st.ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

/** CPU seconds (user + system) used so far by the process tree. */
export function cpuSeconds(root: number): number {
  return processTree(root).reduce((sum, p) => sum + (readStat(p)?.cpuTicks ?? 0), 0) / TICKS_PER_SEC;
}

/**
 * CPU seconds used by the whole machine (all cores, /proc/stat) and by this process with everything
 * it started, including children that have exited: the difference over a workload is the CPU other
 * processes took meanwhile — how undisturbed the measurement was.
 */
export function cpuOutsideSuite(): { machine: number; suite: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  const own = processTree(process.pid).reduce((sum, p) => sum + (readStat(p)?.cpuTicks ?? 0), 0) + (readStat(process.pid)?.reapedTicks ?? 0);
  return { machine: busy / TICKS_PER_SEC, suite: own / TICKS_PER_SEC };
}

/** Polls the tree's RSS; `peakBytes` is the highest sum seen or the root's own VmHWM, whichever is larger. */
export class RssSampler {
  private peakKiB = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly root: number, intervalMs = 200) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const tree = processTree(this.root);
    const sum = tree.reduce((s, p) => s + statusKiB(p, 'VmRSS'), 0);
    this.peakKiB = Math.max(this.peakKiB, sum, statusKiB(this.root, 'VmHWM'));
  }

  /** Peak resident set so far, in bytes (samples once more first). */
  get peakBytes(): number {
    this.sample();
    return this.peakKiB * 1024;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
