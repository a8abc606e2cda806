// Bookkeeping for consumer-group tests: what each member reported (joins with their assignment,
// records, commits), whether a set of members holds a clean partition split, and kafkajs members
// run in-process or as a child process that can be kill -9ed.
import path from 'node:path';
import { LineProcess } from './line-process.js';
import { repoRoot } from './paths.js';
import { kafkajsClient } from './kafkajs-admin.js';
import { runKafkajsMember, type MemberEvent, type MemberOptions, type RunningMember } from './kafkajs-group-member.js';

/** One consumed record as a member reported it. */
export interface Consumed {
  partition: number;
  offset: number;
  value: string;
}

/** Everything one member reported, in order. */
export class MemberLog {
  readonly events: MemberEvent[] = [];
  constructor(readonly name: string) {}

  push(e: MemberEvent): void {
    this.events.push(e);
  }

  /** How many times the member completed a join (one per rebalance it took part in). */
  get joins(): number {
    return this.events.filter((e) => e.ev === 'join').length;
  }

  /** Partitions of the latest assignment (after any later revocation), or null before the first join. */
  get assignment(): number[] | null {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.ev === 'join' || e.ev === 'revoked') return e.assignment;
    }
    return null;
  }

  /** The generation of the latest join, when the client reports it. */
  get generation(): number | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.ev === 'join') return e.generation;
    }
    return undefined;
  }

  /** Records processed so far, in order. */
  get records(): Consumed[] {
    return this.events.flatMap((e) => (e.ev === 'record' ? [{ partition: e.partition, offset: e.offset, value: e.value }] : []));
  }

  /** The last offset this member committed for `partition` (the next offset to read), if any. */
  lastCommitted(partition: number): number | undefined {
    let last: number | undefined;
    for (const e of this.events) if (e.ev === 'committed' && e.partition === partition) last = e.offset;
    return last;
  }

  /** The stall event, when the member hung mid-record. */
  get stalled(): { partition: number; offset: number } | undefined {
    const e = this.events.find((x) => x.ev === 'stalled');
    return e && e.ev === 'stalled' ? { partition: e.partition, offset: e.offset } : undefined;
  }
}

/**
 * True when every member has joined and their latest assignments split 0..partitions-1 without
 * overlap (a stale assignment from an earlier generation would overlap or leave a gap), each
 * holding `perMember` partitions when given.
 */
export function cleanSplit(assignments: (number[] | null)[], partitions: number, perMember?: number): boolean {
  if (assignments.some((a) => a === null)) return false;
  const all = assignments.flatMap((a) => a!);
  if (all.length !== partitions || new Set(all).size !== partitions) return false;
  if (!all.every((p) => p >= 0 && p < partitions)) return false;
  return perMember === undefined || assignments.every((a) => a!.length === perMember);
}

/** Records of all members keyed `partition/offset`, with how many times each was processed. */
export function consumedCounts(records: Consumed[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) m.set(`${r.partition}/${r.offset}`, (m.get(`${r.partition}/${r.offset}`) ?? 0) + 1);
  return m;
}

/** An in-process kafkajs member with its log. */
export async function kafkajsMember(name: string, opts: Omit<MemberOptions, 'clientId'>): Promise<{ log: MemberLog; member: RunningMember }> {
  const log = new MemberLog(name);
  const member = await runKafkajsMember({ ...opts, clientId: name }, (e) => log.push(e));
  return { log, member };
}

/** A kafkajs member in a child process (so kill -9 kills it without a LeaveGroup), with its log. */
export function kafkajsChildMember(name: string, opts: Omit<MemberOptions, 'clientId'>): { log: MemberLog; proc: LineProcess } {
  const log = new MemberLog(name);
  const proc = new LineProcess(
    name,
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/support/kafkajs-group-child.ts'), JSON.stringify({ ...opts, clientId: name })],
    {
      cwd: repoRoot,
      onLine: (line) => {
        if (line.startsWith('{')) log.push(JSON.parse(line) as MemberEvent);
      },
    },
  );
  return { log, proc };
}

/** Produces `perPartition` records to each partition of `topic`; values are `${tag}-p${partition}-${i}`. */
export async function produceToEach(bootstrap: string, topic: string, partitions: number, perPartition: number, tag: string): Promise<void> {
  const producer = kafkajsClient(bootstrap, `producer-${tag}`).producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{
        topic,
        messages: Array.from({ length: partitions * perPartition }, (_, n) => {
          const partition = n % partitions;
          return { partition, value: `${tag}-p${partition}-${Math.floor(n / partitions)}` };
        }),
      }],
    });
  } finally {
    await producer.disconnect();
  }
}

/** The group's committed offsets for `topic` (partition → offset, -1 when none), via kafkajs's OffsetFetch. */
export async function committedOffsets(bootstrap: string, groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map(t!.partitions.map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** Produces counts[p] records to partition p of `topic`; values are `${tag}-p${partition}-${i}`. */
export async function produceCounts(bootstrap: string, topic: string, counts: number[], tag: string): Promise<void> {
  const producer = kafkajsClient(bootstrap, `producer-${tag}`).producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.sendBatch({
      acks: -1,
      topicMessages: [{
        topic,
        messages: counts.flatMap((n, partition) => Array.from({ length: n }, (_, i) => ({ partition, value: `${tag}-p${partition}-${i}` }))),
      }],
    });
  } finally {
    await producer.disconnect();
  }
}
