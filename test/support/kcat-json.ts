// Consumes a whole topic with kcat's JSON output (-J) and recovers every key, value and header
// byte-exactly, so a producer's records can be compared with what a third-party consumer reads.
import { kcatOk } from './kcat.js';

/** One record as kcat -J consumed it, with byte-exact key, value and header values. */
export interface ConsumedRecord {
  partition: number;
  offset: number;
  timestamp: number;
  /** 'create' (CreateTime) or 'logappend' (LogAppendTime). */
  timestampType: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Header pairs in record order; a null value is a header without a value. */
  headers: [string, Buffer | null][];
}

// kcat -J writes keys, payloads and header values as JSON strings whose characters are the raw
// bytes (only control characters, quotes and backslashes are escaped): decoding its
// output as latin1 before JSON.parse maps every character back to exactly one byte.
const bytes = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'latin1'));

interface KcatJsonLine {
  partition: number;
  offset: number;
  tstype: string;
  ts: number;
  key: string | null;
  payload: string | null;
  headers?: (string | null)[];
}

/** Parses kcat -J output (one JSON object a line). */
export function parseKcatJson(out: Buffer): ConsumedRecord[] {
  return out
    .toString('latin1')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as KcatJsonLine;
      const h = j.headers ?? [];
      const headers: [string, Buffer | null][] = [];
      for (let i = 0; i < h.length; i += 2) headers.push([bytes(h[i]!)!.toString('utf8'), bytes(h[i + 1] ?? null)]);
      return {
        partition: j.partition,
        offset: j.offset,
        timestamp: j.ts,
        timestampType: j.tstype,
        key: bytes(j.key),
        value: bytes(j.payload),
        headers,
      };
    });
}

/** Consumes every partition of `topic` from the beginning to its current end (no consumer group). */
export async function kcatConsumeTopic(bootstrap: string, topic: string, extra: string[] = []): Promise<ConsumedRecord[]> {
  const r = await kcatOk(['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-q', '-J', ...extra]);
  return parseKcatJson(r.stdout);
}

/** Groups records by partition, each list in offset order. */
export function byPartition<T extends { partition: number; offset: number }>(records: T[]): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of records) {
    let l = out.get(r.partition);
    if (!l) out.set(r.partition, (l = []));
    l.push(r);
  }
  for (const l of out.values()) l.sort((a, b) => a.offset - b.offset);
  return out;
}
