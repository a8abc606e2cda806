// Runs kcat (librdkafka's command-line client) and parses what it consumes.
import { runProcess, describeResult, type ProcessResult, type RunOptions } from './run-process.js';

/** Runs kcat with the given arguments; resolves with exit code and output (never rejects on failure). */
export function kcat(args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  return runProcess('kcat', args, { timeoutMs: 60_000, ...opts });
}

/** Like kcat, but throws with kcat's output unless it exits 0. */
export async function kcatOk(args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
  const r = await kcat(args, opts);
  if (r.code !== 0) throw new Error(describeResult(`kcat ${args.join(' ')}`, r));
  return r;
}

/** One record as kcat consumed it. */
export interface KcatRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Header pairs as kcat prints them (`k=v`, comma separated); use text-safe headers. */
  headers: [string, string][];
}

/**
 * kcat -f format that frames each record by explicit lengths so keys and values may hold any byte:
 * a text line `partition offset timestamp keyLen valueLen`, the raw key and value bytes, then a
 * line with the headers.
 */
export const kcatRecordFormat = '%p %o %T %K %S\n%k%s\n%h\n';

/** Parses kcat -C output produced with kcatRecordFormat. */
export function parseKcatRecords(out: Buffer): KcatRecord[] {
  const records: KcatRecord[] = [];
  let pos = 0;
  const line = (): string => {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new Error(`truncated kcat output at byte ${pos}`);
    const s = out.subarray(pos, nl).toString('utf8');
    pos = nl + 1;
    return s;
  };
  while (pos < out.length) {
    const head = line();
    const [p, o, t, k, v] = head.split(' ').map(Number);
    if ([p, o, t, k, v].some((n) => n === undefined || Number.isNaN(n))) throw new Error(`bad kcat header line: ${JSON.stringify(head)}`);
    const take = (n: number): Buffer | null => {
      if (n < 0) return null;
      const b = Buffer.from(out.subarray(pos, pos + n));
      pos += n;
      return b;
    };
    const key = take(k!);
    const value = take(v!);
    if (out[pos] !== 0x0a) throw new Error(`kcat record framing lost at byte ${pos}`);
    pos += 1;
    const h = line();
    const headers: [string, string][] = h === '' ? [] : h.split(',').map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq), kv.slice(eq + 1)];
    });
    records.push({ partition: p!, offset: o!, timestamp: t!, key, value, headers });
  }
  return records;
}

/** Consumes a whole partition from the beginning to its end with kcat (no consumer group). */
export async function kcatConsumeAll(bootstrap: string, topic: string, partition: number, extra: string[] = []): Promise<KcatRecord[]> {
  const r = await kcatOk([
    '-C', '-b', bootstrap, '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-f', kcatRecordFormat, ...extra,
  ]);
  return parseKcatRecords(r.stdout);
}
