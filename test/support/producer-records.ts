// What the producer end-to-end tests send and how they compare it with what a consumer (kcat)
// reads back: the bytes a message should carry, and an in-order, byte-exact per-partition match.
import { expect } from 'vitest';
import type { ConsumedRecord } from './kcat-json.js';

/** A header as the Producer accepts it in array form. */
export interface HeaderInput {
  key: string;
  value: Buffer | string | null;
}

/** A message as the Producer's send()/produce() accept it. */
export interface MessageInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string> | HeaderInput[];
  partition?: number;
  timestamp?: number;
}

/** What send()/produce() resolve with for one record. */
export interface Metadata {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
}

/** The bytes a record must carry on the broker, derived from the message given to the producer. */
export interface ExpectedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: [string, Buffer | null][];
}

const bytes = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

/** The key, value and headers `m` must come back with (strings as UTF-8, header order kept). */
export function expectedRecord(m: MessageInput): ExpectedRecord {
  const h = m.headers === undefined ? [] : Array.isArray(m.headers) ? m.headers.map((x) => [x.key, x.value] as const) : Object.entries(m.headers);
  return { key: bytes(m.key), value: bytes(m.value), headers: h.map(([k, v]) => [k, bytes(v)]) };
}

// Printable form of optional bytes for assertion messages.
const show = (b: Buffer | null) => (b === null ? 'null' : `${b.length}B:${b.subarray(0, 24).toString('hex')}`);

/**
 * Asserts that `consumed` holds exactly the `sent` records: per partition the same records in
 * the order they were handed to the producer, byte-identical keys, values and headers, the
 * producer-reported offsets (unless acks=0) and timestamps. `sent[i].meta` is what the producer
 * resolved for message i; a timestamp the message did not set must fall in [from, to].
 */
export function expectSameRecords(
  sent: { message: MessageInput; meta: Metadata }[],
  consumed: ConsumedRecord[],
  opts: { acks0?: boolean; from: number; to: number },
): void {
  expect(consumed.length, 'records consumed').toBe(sent.length);
  const sentBy = new Map<number, { message: MessageInput; meta: Metadata; i: number }[]>();
  sent.forEach((s, i) => {
    const l = sentBy.get(s.meta.partition) ?? [];
    l.push({ ...s, i });
    sentBy.set(s.meta.partition, l);
  });
  const gotBy = new Map<number, ConsumedRecord[]>();
  for (const c of consumed) gotBy.set(c.partition, [...(gotBy.get(c.partition) ?? []), c]);
  expect([...gotBy.keys()].sort(), 'partitions holding records').toEqual([...sentBy.keys()].sort());
  for (const [p, list] of sentBy) {
    const got = gotBy.get(p)!.sort((a, b) => a.offset - b.offset);
    expect(got.length, `records in partition ${p}`).toBe(list.length);
    list.forEach((s, j) => {
      const c = got[j]!;
      const want = expectedRecord(s.message);
      const where = `message ${s.i} (partition ${p}, ${j}th; consumed offset ${c.offset})`;
      expect(show(c.key), `key of ${where}`).toBe(show(want.key));
      expect(show(c.value), `value of ${where}`).toBe(show(want.value));
      expect(c.key?.equals(want.key!) ?? want.key === null, `key bytes of ${where}`).toBe(true);
      expect(c.value?.equals(want.value!) ?? want.value === null, `value bytes of ${where}`).toBe(true);
      expect(c.headers.map(([k, v]) => [k, show(v)]), `headers of ${where}`).toEqual(want.headers.map(([k, v]) => [k, show(v)]));
      c.headers.forEach(([, v], h) => expect(v?.equals(want.headers[h]![1]!) ?? want.headers[h]![1] === null).toBe(true));
      expect(c.timestampType, `timestamp type of ${where}`).toBe('create');
      if (s.message.timestamp !== undefined) expect(c.timestamp, `timestamp of ${where}`).toBe(s.message.timestamp);
      else {
        expect(c.timestamp, `timestamp of ${where}`).toBeGreaterThanOrEqual(opts.from);
        expect(c.timestamp, `timestamp of ${where}`).toBeLessThanOrEqual(opts.to);
      }
      expect(s.meta.timestamp, `reported timestamp of ${where}`).toBe(c.timestamp);
      expect(s.meta.offset, `reported offset of ${where}`).toBe(opts.acks0 ? -1n : BigInt(c.offset));
    });
  }
}
