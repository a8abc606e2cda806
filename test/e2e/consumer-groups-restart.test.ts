// Committed offsets and static members (group.instance.id) survive a graceful broker restart and
// a kill -9: offsets read back unchanged and a group's consumer carries on from them; two static
// Java consumers keep their generation and partitions across both, and a static member whose
// process is killed and restarted gets its partitions back without a rebalance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { commitOffsetsDirect } from '../support/group-wire.js';
import { javaGroupConsumer, type GroupClient } from '../support/group-clients.js';
import { cleanSplit, committedOffsets, consumedCounts, kafkajsMember, produceCounts, produceToEach, type MemberLog } from '../support/group-members.js';
import { until } from '../support/until.js';
import { eventually, untilAsync } from '../support/until-async.js';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const started: GroupClient[] = [];

// Real Kafka (the reference run) re-registers after a kill -9 only once its previous broker session
// has expired (broker.session.timeout.ms, 9 s): shorten that, so the reference run is quick too.
const kafkaOnly: Record<string, number> = process.env.SLUICE_E2E_BROKER === 'kafka' ? { 'broker.session.timeout.ms': 2000, 'broker.heartbeat.interval.ms': 500 } : {};

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'auto.create.topics.enable': false, ...kafkaOnly } });
});

afterAll(async () => {
  await Promise.all(started.map((c) => c.kill9?.()));
  await broker?.cleanup();
});

// The group's committed offsets, once the restarted broker's coordinator has loaded them.
const offsetsOf = async (groupId: string, topic: string) =>
  [...(await eventually(() => committedOffsets(broker.bootstrap, groupId, topic)))].sort((a, b) => a[0] - b[0]);

describe('committed offsets', () => {
  it('survive a graceful restart and a kill -9, and a consumer of the group carries on from them', async () => {
    const topic = 'durable';
    await createTopics(broker.bootstrap, [topic], 3);
    await produceCounts(broker.bootstrap, topic, [10, 20, 30], 'd1');
    const setOffsets = (groupId: string, offsets: number[]) => commitOffsetsDirect(broker.port, groupId, topic, { ...offsets });
    await setOffsets('durable-a', [3, 7, 11]);
    await setOffsets('durable-b', [10, 20, 30]);

    await broker.restart();
    expect(await offsetsOf('durable-a', topic)).toEqual([[0, 3], [1, 7], [2, 11]]);
    expect(await offsetsOf('durable-b', topic)).toEqual([[0, 10], [1, 20], [2, 30]]);

    // Later commits overwrite earlier ones in __consumer_offsets; the latest survives kill -9.
    await setOffsets('durable-a', [4, 8, 12]);
    await broker.kill9();
    await broker.restart();
    expect(await offsetsOf('durable-a', topic)).toEqual([[0, 4], [1, 8], [2, 12]]);
    expect(await offsetsOf('durable-b', topic)).toEqual([[0, 10], [1, 20], [2, 30]]);

    // A member of durable-a reads exactly from its commits to the end.
    const m = await kafkajsMember('durable-reader', { bootstrap: broker.bootstrap, groupId: 'durable-a', topic, commitMode: 'after-processing' });
    try {
      await until(() => m.log.records.length >= 6 + 12 + 18, 'the reader to reach the end', 60_000);
      const got = m.log.records.map((r) => `${r.partition}/${r.offset}`).sort();
      const want = [[0, 4, 10], [1, 8, 20], [2, 12, 30]].flatMap(([p, from, to]) => Array.from({ length: to! - from! }, (_, i) => `${p}/${from! + i}`)).sort();
      expect(got).toEqual(want);
    } finally {
      await m.member.stop();
    }
  });
});

describe('static members', () => {
  it('keep their generation and partitions across a graceful restart and a kill -9, and a restarted static consumer rejoins without a rebalance', async () => {
    const topic = 'static';
    const groupId = 'static-group';
    const PARTITIONS = 4;
    const PER = 5;
    await createTopics(broker.bootstrap, [topic], PARTITIONS);
    // metadata.recovery.strategy=none: a Kafka 4 client that finds every known broker down (the
    // only one, while it restarts) rebootstraps (KIP-899), and the leader, seeing its topic vanish
    // from that empty metadata, rejoins with "cached metadata has changed": a rebalance caused by
    // the client's view, whichever broker it talks to. This test is about what the broker keeps.
    const consumer = (instance: string) => {
      const c = javaGroupConsumer(`static-${instance}`, {
        bootstrap: broker.bootstrap, groupId, topic, sessionTimeoutMs: 60_000,
        properties: { 'group.instance.id': instance, 'metadata.recovery.strategy': 'none' },
      });
      started.push(c);
      return c;
    };
    const s1 = consumer('s1');
    await until(() => s1.log.assignment?.length === PARTITIONS, 's1 to own every partition', 60_000);
    const s2 = consumer('s2');
    await until(() => cleanSplit([s1.log.assignment, s2.log.assignment], PARTITIONS, 2) && s1.log.generation === s2.log.generation,
      'two static members splitting the partitions', 60_000);
    const generation = s1.log.generation!;
    const owners = { s1: s1.log.assignment!, s2: s2.log.assignment! };

    // Round r of PER records per partition is read exactly once, each by the member owning it.
    const expectRound = async (logs: MemberLog[], tag: string, round: number) => {
      const total = PARTITIONS * PER;
      const ofRound = (l: MemberLog) => l.records.filter((r) => r.value.startsWith(`${tag}-`));
      await until(() => logs.flatMap(ofRound).length >= total, `round ${tag} read`, 60_000);
      const counts = consumedCounts(logs.flatMap(ofRound));
      expect([...counts].filter(([, n]) => n !== 1)).toEqual([]);
      expect([...counts.keys()].sort()).toEqual(
        Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER }, (_, i) => `${p}/${round * PER + i}`)).flat().sort());
      return ofRound;
    };
    const expectUnchanged = (what: string) => {
      expect([s1.log.generation, s2.log.generation], `generations after ${what}`).toEqual([generation, generation]);
      expect({ s1: s1.log.assignment, s2: s2.log.assignment }, `assignments after ${what}`).toEqual(owners);
    };

    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER, 'before');
    await expectRound([s1.log, s2.log], 'before', 0);

    await broker.restart();
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER, 'graceful');
    const ofGraceful = await expectRound([s1.log, s2.log], 'graceful', 1);
    expectUnchanged('a graceful restart');
    expect([...new Set(ofGraceful(s1.log).map((r) => r.partition))].sort()).toEqual(owners.s1);

    await broker.kill9();
    await broker.restart();
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER, 'killed');
    const ofKilled = await expectRound([s1.log, s2.log], 'killed', 2);
    expectUnchanged('a kill -9');
    expect([...new Set(ofKilled(s2.log).map((r) => r.partition))].sort()).toEqual(owners.s2);

    // s2's process dies (no LeaveGroup); a new process with the same instance id takes its place
    // at once, in the same generation, with the same partitions, resuming from s2's commits.
    let committed: number[][] = [];
    const allRead = JSON.stringify(Array.from({ length: PARTITIONS }, (_, p) => [p, 3 * PER]));
    await untilAsync(async () => JSON.stringify((committed = await offsetsOf(groupId, topic))) === allRead,
      'everything read to be committed', 30_000, () => JSON.stringify(committed));
    await s2.kill9!();
    const s2b = consumer('s2');
    await until(() => s2b.log.assignment !== null, 'the restarted s2 to join', 60_000);
    expect(s2b.log.generation).toBe(generation);
    expect(s2b.log.assignment).toEqual(owners.s2);
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER, 'after');
    await expectRound([s1.log, s2.log, s2b.log], 'after', 3);
    expect([s1.log.generation, s1.log.assignment]).toEqual([generation, owners.s1]);
    expect(s2b.log.records.every((r) => r.offset >= 3 * PER)).toBe(true);
  });
});
