// Consumer groups driven by kafkajs 2.2.4 members on a 6-partition topic: three members split the
// partitions; a member joining, leaving cleanly and being killed (kill -9, so only the session
// timeout removes it) each cause exactly one rebalance and lose nothing; commits after processing
// re-deliver a killed member's uncommitted record (at-least-once), commits before processing do
// not (at-most-once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics, kafkajsClient } from '../support/kafkajs-admin.js';
import {
  cleanSplit, consumedCounts, kafkajsChildMember, kafkajsMember, produceToEach, type MemberLog,
} from '../support/group-members.js';
import type { CommitMode, RunningMember } from '../support/kafkajs-group-member.js';
import type { LineProcess } from '../support/line-process.js';
import { until } from '../support/until.js';

const PARTITIONS = 6;
const PER_PARTITION = 10;

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const running: RunningMember[] = [];
const children: LineProcess[] = [];

beforeAll(async () => {
  broker = await BrokerProcess.start({
    overrides: { 'auto.create.topics.enable': false, 'group.min.session.timeout.ms': 1000 },
  });
});

afterAll(async () => {
  await Promise.all(running.map((m) => m.stop().catch(() => {})));
  await Promise.all(children.map((c) => c.kill9()));
  await broker?.cleanup();
});

// Every partition/offset 0..n-1 key of a round of produceToEach.
function allKeys(from: number, to: number): string[] {
  return Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: to - from }, (_, i) => `${p}/${from + i}`)).flat().sort();
}

// Starts an in-process member that afterAll stops if the test did not.
async function member(name: string, opts: Parameters<typeof kafkajsMember>[1]): Promise<MemberLog & { stop(): Promise<void> }> {
  const m = await kafkajsMember(name, opts);
  running.push(m.member);
  return Object.assign(m.log, { stop: () => m.member.stop() });
}

describe('kafkajs consumer group', () => {
  it('three members split six partitions; a join and a clean leave each cause one rebalance and nothing is lost', async () => {
    const topic = 'kjs-members';
    await createTopics(broker.bootstrap, [topic], PARTITIONS);
    const opts = { bootstrap: broker.bootstrap, groupId: 'kjs-members', topic, commitMode: 'after-processing' as const };
    const a = await member('kjs-a', opts);
    const b = await member('kjs-b', opts);
    await until(() => cleanSplit([a.assignment, b.assignment], PARTITIONS, 3), 'two members splitting the partitions', 60_000);
    const [aJoins, bJoins] = [a.joins, b.joins];

    // A third member joins: one rebalance, every partition to exactly one member, two each.
    const c = await member('kjs-c', opts);
    await until(() => cleanSplit([a.assignment, b.assignment, c.assignment], PARTITIONS, 2), 'three members splitting the partitions', 60_000);
    expect([a.joins - aJoins, b.joins - bJoins, c.joins]).toEqual([1, 1, 1]);

    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'r1');
    const logs = [a, b, c];
    await until(() => logs.flatMap((l) => l.records).length >= PARTITIONS * PER_PARTITION, 'all first-round records consumed', 60_000);
    for (const l of logs) {
      // Each member read exactly its own partitions, every offset once, in order.
      const got = l.records.map((r) => `${r.partition}/${r.offset}`);
      const want = l.assignment!.flatMap((p) => Array.from({ length: PER_PARTITION }, (_, i) => `${p}/${i}`));
      expect(got.slice().sort(), l.name).toEqual(want.sort());
      for (const r of l.records) expect(r.value).toBe(`r1-p${r.partition}-${r.offset}`);
    }

    // b leaves cleanly (LeaveGroup): one rebalance; a and c take over b's partitions at b's commits.
    const [aJoins2, cJoins2] = [a.joins, c.joins];
    await b.stop();
    await until(() => cleanSplit([a.assignment, c.assignment], PARTITIONS, 3), 'two members splitting the partitions after the leave', 60_000);
    expect([a.joins - aJoins2, c.joins - cJoins2, b.joins - bJoins]).toEqual([1, 1, 1]);

    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'r2');
    await until(() => logs.flatMap((l) => l.records).length >= 2 * PARTITIONS * PER_PARTITION, 'all second-round records consumed', 60_000);
    const counts = consumedCounts(logs.flatMap((l) => l.records));
    expect([...counts.keys()].sort()).toEqual(allKeys(0, 2 * PER_PARTITION));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    for (const l of [a, c]) {
      const second = l.records.filter((r) => r.offset >= PER_PARTITION);
      expect([...new Set(second.map((r) => r.partition))].sort(), l.name).toEqual(l.assignment);
    }
    await Promise.all([a.stop(), c.stop()]);
  });

  it.each(['after-processing', 'before-processing'] as CommitMode[])(
    'a member killed mid-record (commits %s) is expired by its session timeout, one rebalance, resumed from its last commit',
    async (commitMode) => {
      const topic = `kjs-kill-${commitMode}`;
      const groupId = topic;
      await createTopics(broker.bootstrap, [topic], PARTITIONS);
      const opts = { bootstrap: broker.bootstrap, groupId, topic, commitMode, sessionTimeoutMs: 3000, heartbeatIntervalMs: 300 };
      const a = await member('kjs-kill-a', opts);
      const b = await member('kjs-kill-b', opts);
      await until(() => cleanSplit([a.assignment, b.assignment], PARTITIONS, 3), 'two members splitting the partitions', 60_000);
      const child = kafkajsChildMember('kjs-kill-child', { ...opts, stallAtOffset: 4 });
      children.push(child.proc);
      const c = child.log;
      await until(() => cleanSplit([a.assignment, b.assignment, c.assignment], PARTITIONS, 2), 'three members splitting the partitions', 60_000);
      const [aJoins, bJoins] = [a.joins, b.joins];
      const deadPartitions = c.assignment!;

      await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'k');
      await until(() => c.stalled !== undefined, 'the child member to stall mid-record', 60_000);
      const stall = c.stalled!;
      const killed = await child.proc.kill9();
      expect(killed.signal).toBe('SIGKILL');

      // What the dead member committed is what the group holds for its partitions.
      const admin = kafkajsClient(broker.bootstrap).admin();
      await admin.connect();
      try {
        const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of deadPartitions) {
          const want = c.lastCommitted(p) ?? -1;
          expect(fetched!.partitions.find((x) => x.partition === p)?.offset, `committed offset of partition ${p}`).toBe(String(want));
        }
      } finally {
        await admin.disconnect();
      }

      // The session timeout expires the dead member: one rebalance, the survivors finish every partition.
      const survivors = [a, b];
      const lastOffsetSeen = (p: number) => Math.max(-1, ...[a, b, c].flatMap((l) => l.records.filter((r) => r.partition === p).map((r) => r.offset)));
      await until(
        () => cleanSplit([a.assignment, b.assignment], PARTITIONS, 3) &&
          Array.from({ length: PARTITIONS }, (_, p) => p).every((p) => lastOffsetSeen(p) === PER_PARTITION - 1),
        'the survivors to take over and finish every partition',
        60_000,
      );
      expect([a.joins - aJoins, b.joins - bJoins]).toEqual([1, 1]);

      // The survivors resumed each dead partition exactly at its last commit.
      for (const p of deadPartitions) {
        const from = c.lastCommitted(p) ?? 0;
        const resumed = survivors.flatMap((l) => l.records).filter((r) => r.partition === p).map((r) => r.offset).sort((x, y) => x - y);
        expect(resumed, `offsets the survivors read from dead partition ${p}`).toEqual(Array.from({ length: PER_PARTITION - from }, (_, i) => from + i));
      }
      const counts = consumedCounts([a, b, c].flatMap((l) => l.records));
      const stallKey = `${stall.partition}/${stall.offset}`;
      if (commitMode === 'after-processing') {
        // At-least-once: the record the dead member processed but never committed is read again; nothing lost.
        expect(c.lastCommitted(stall.partition)).toBe(stall.offset);
        expect([...counts.keys()].sort()).toEqual(allKeys(0, PER_PARTITION));
        expect([...counts].filter(([, n]) => n !== 1)).toEqual([[stallKey, 2]]);
      } else {
        // At-most-once: the record was committed before processing, so nobody reads it again.
        expect(c.lastCommitted(stall.partition)).toBe(stall.offset + 1);
        expect([...counts.keys()].sort()).toEqual(allKeys(0, PER_PARTITION).filter((k) => k !== stallKey));
        expect([...counts.values()].every((n) => n === 1)).toBe(true);
      }
      await Promise.all([a.stop(), b.stop()]);
    },
  );
});
