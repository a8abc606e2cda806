// Consumer groups of the Java consumer (kafka-console-consumer --group), librdkafka (kcat -G) and
// @platformatic/kafka, each on a 6-partition topic: three members split the partitions; a member
// joining, leaving cleanly and (for the child-process clients) being killed -9 each cause exactly
// one rebalance, after which every record is consumed exactly once. Then four groups of four
// different clients read one topic, each getting every record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { untilAsync } from '../support/until-async.js';
import {
  javaGroupConsumer, kcatGroupConsumer, platformaticGroupConsumer, type GroupClient, type GroupClientOptions,
} from '../support/group-clients.js';
import { cleanSplit, committedOffsets, consumedCounts, kafkajsMember, produceToEach, type MemberLog } from '../support/group-members.js';
import { until } from '../support/until.js';

const PARTITIONS = 6;
const PER_PARTITION = 10;

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
const started: GroupClient[] = [];

beforeAll(async () => {
  broker = await BrokerProcess.start({
    overrides: { 'auto.create.topics.enable': false, 'group.min.session.timeout.ms': 1000 },
  });
});

afterAll(async () => {
  await Promise.all(started.map((c) => (c.kill9 ? c.kill9() : c.stop()).catch(() => {})));
  await broker?.cleanup();
});

type Kind = 'java' | 'kcat' | 'platformatic';
const factories: Record<Kind, (name: string, o: GroupClientOptions) => GroupClient | Promise<GroupClient>> = {
  java: javaGroupConsumer,
  kcat: kcatGroupConsumer,
  platformatic: platformaticGroupConsumer,
};

async function start(kind: Kind, name: string, o: GroupClientOptions): Promise<GroupClient> {
  const c = await factories[kind](name, o);
  started.push(c);
  return c;
}

// Records of one produceToEach round (`tag`) as `partition/offset` keys, per member.
const roundRecords = (l: MemberLog, tag: string) => l.records.filter((r) => r.value.startsWith(`${tag}-`));

// Waits for a round to be consumed, then checks each record was read exactly once, by the member
// (of `owners`, the live ones) owning its partition, with the value produced at that offset.
async function expectRoundConsumedOnce(members: MemberLog[], owners: MemberLog[], tag: string, round: number): Promise<void> {
  const total = PARTITIONS * PER_PARTITION;
  await until(() => members.flatMap((l) => roundRecords(l, tag)).length >= total, `round ${tag} consumed`, 60_000);
  const records = members.flatMap((l) => roundRecords(l, tag));
  const counts = consumedCounts(records);
  const want = Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER_PARTITION }, (_, i) => `${p}/${round * PER_PARTITION + i}`)).flat();
  expect([...counts.keys()].sort()).toEqual(want.sort());
  const who = (k: string) => members.filter((l) => roundRecords(l, tag).some((r) => `${r.partition}/${r.offset}` === k)).map((l) => `${l.name}${JSON.stringify(l.assignment)}`);
  expect([...counts].filter(([, n]) => n !== 1).map(([k, n]) => `${k} read ${n} times by ${who(k).join(' and ')}`)).toEqual([]);
  for (const r of records) expect(r.value).toBe(`${tag}-p${r.partition}-${r.offset - round * PER_PARTITION}`);
  for (const l of owners) {
    expect([...new Set(roundRecords(l, tag).map((r) => r.partition))].sort(), `${l.name} read only its partitions`).toEqual(l.assignment);
  }
}

// One rebalance since `before`: each member joined exactly one more generation (counted as
// distinct generations when the client reports them: @platformatic/kafka may emit its join event
// twice for one generation, on Kafka as on Sluice), and, with generations, one past the previous.
function rebalancesSince(l: MemberLog, joinsBefore: number): number {
  const js = l.events.filter((e) => e.ev === 'join').slice(joinsBefore);
  return js.every((e) => e.ev === 'join' && e.generation !== undefined) ? new Set(js.map((e) => e.ev === 'join' && e.generation)).size : js.length;
}

function expectOneRebalance(what: string, members: MemberLog[], before: Map<MemberLog, { joins: number; generation?: number }>, prevGeneration?: number) {
  const joins = (l: MemberLog) => l.events.filter((e) => e.ev === 'join').slice(before.get(l)?.joins ?? 0);
  const rebalances = (l: MemberLog) => rebalancesSince(l, before.get(l)?.joins ?? 0);
  expect(members.map(rebalances), `rebalances per member after ${what}: ${JSON.stringify(members.map(joins))}`).toEqual(members.map(() => 1));
  if (prevGeneration !== undefined) expect(members.map((l) => l.generation), `generations after ${what}`).toEqual(members.map(() => prevGeneration + 1));
}

// Waits like until(), but a timeout names each member's assignment, generation and joins.
async function untilMembers(ms: GroupClient[], cond: () => boolean, what: string): Promise<void> {
  await until(cond, what, 60_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${ms.map((m) => `${m.log.name} ${JSON.stringify(m.log.assignment)} gen ${m.log.generation} joins ${m.log.joins}`).join('; ')}\n` +
      ms.map((m) => `--- ${m.log.name}: ${m.diagnostics()}`).join('\n'));
  });
}

const snapshot = (members: MemberLog[]) => new Map(members.map((l) => [l, { joins: l.joins, generation: l.generation }]));

describe.each(['java', 'kcat', 'platformatic'] as Kind[])('%s consumer group', (kind) => {
  it('three members split six partitions; a join, a clean leave and a kill -9 each cause one rebalance; every record read once', async () => {
    const topic = `${kind}-members`;
    const groupId = `${kind}-group`;
    await createTopics(broker.bootstrap, [topic], PARTITIONS);
    const o = { bootstrap: broker.bootstrap, groupId, topic, sessionTimeoutMs: 3000 };
    const a = await start(kind, `${kind}-a`, o);
    const b = await start(kind, `${kind}-b`, o);
    const splitOf = (ms: GroupClient[], per: number) => () =>
      cleanSplit(ms.map((m) => m.log.assignment), PARTITIONS, per) && new Set(ms.map((m) => m.log.generation)).size === 1 &&
      ms.every((m) => m.caughtUp());
    await untilMembers([a, b], splitOf([a, b], 3), 'two members splitting the partitions');

    // Join: one rebalance, two partitions each.
    let before = snapshot([a.log, b.log]);
    let gen = a.log.generation;
    const c = await start(kind, `${kind}-c`, o);
    await untilMembers([a, b, c], splitOf([a, b, c], 2), 'three members splitting the partitions');
    expectOneRebalance('c joined', [a.log, b.log], before, gen);
    expect(rebalancesSince(c.log, 0)).toBe(1);
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'r1');
    await expectRoundConsumedOnce([a.log, b.log, c.log], [a.log, b.log, c.log], 'r1', 0);

    // Clean leave: one rebalance, the two left take over at b's committed offsets.
    before = snapshot([a.log, c.log]);
    gen = a.log.generation;
    await b.stop();
    await untilMembers([a, c], splitOf([a, c], 3), 'two members splitting the partitions after the leave');
    expectOneRebalance('b left', [a.log, c.log], before, gen);
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'r2');
    await expectRoundConsumedOnce([a.log, b.log, c.log], [a.log, c.log], 'r2', 1);

    if (c.kill9) {
      // Kill -9 once everything read is committed: the session timeout expires c, one rebalance,
      // a resumes c's partitions at their commits and reads the next round exactly once.
      let last = new Map<number, number>();
      await untilAsync(async () => {
        last = await committedOffsets(broker.bootstrap, groupId, topic);
        return last.size === PARTITIONS && [...last.values()].every((off) => off === 2 * PER_PARTITION);
      }, 'every read committed', 30_000, () => JSON.stringify([...last]));
      before = snapshot([a.log]);
      gen = a.log.generation;
      await c.kill9();
      await untilMembers([a], splitOf([a], 6), 'the survivor holding every partition');
      expectOneRebalance('c was killed', [a.log], before, gen);
      await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'r3');
      await expectRoundConsumedOnce([a.log, b.log, c.log], [a.log], 'r3', 2);
    }
    await a.stop();
    if (!c.kill9) await c.stop();
  });
});

describe('a mixed group of Java and librdkafka consumers with cooperative-sticky', () => {
  it('splits the partitions, rebalances incrementally on a join and a clean leave, keeps owned partitions and reads every record once', async () => {
    const topic = 'coop';
    const groupId = 'coop-group';
    await createTopics(broker.bootstrap, [topic], PARTITIONS);
    const o = { bootstrap: broker.bootstrap, groupId, topic, sessionTimeoutMs: 3000 };
    const java = (name: string) => start('java', name, { ...o, properties: { 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.CooperativeStickyAssignor' } });
    const a = await java('coop-java-a');
    const b = await start('kcat', 'coop-kcat-b', { ...o, properties: { 'partition.assignment.strategy': 'cooperative-sticky' } });
    const split = (ms: GroupClient[], per: number) => () => cleanSplit(ms.map((m) => m.log.assignment), PARTITIONS, per) &&
      new Set(ms.map((m) => m.log.generation).filter((g) => g !== undefined)).size === 1;
    await untilMembers([a, b], split([a, b], 3), 'a Java and a kcat member splitting the partitions');
    const aBefore = a.log.assignment!;

    const c = await java('coop-java-c');
    await untilMembers([a, b, c], split([a, b, c], 2), 'three members splitting the partitions');
    // Sticky: a member only gives partitions up, it never trades the ones it keeps.
    expect(aBefore).toEqual(expect.arrayContaining(a.log.assignment!));
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'c1');
    await expectRoundConsumedOnce([a.log, b.log, c.log], [a.log, b.log, c.log], 'c1', 0);

    const [aKept, cKept] = [a.log.assignment!, c.log.assignment!];
    await b.stop();
    await untilMembers([a, c], split([a, c], 3), 'two Java members splitting the partitions after the kcat member left');
    expect(a.log.assignment).toEqual(expect.arrayContaining(aKept));
    expect(c.log.assignment).toEqual(expect.arrayContaining(cKept));
    await produceToEach(broker.bootstrap, topic, PARTITIONS, PER_PARTITION, 'c2');
    await expectRoundConsumedOnce([a.log, b.log, c.log], [a.log, c.log], 'c2', 1);
    await Promise.all([a.stop(), c.stop()]);
  });
});

describe('groups of different clients on one topic', () => {
  it('each group reads every record', async () => {
    const topic = 'shared';
    await createTopics(broker.bootstrap, [topic], 3);
    const opts = (groupId: string) => ({ bootstrap: broker.bootstrap, groupId, topic });
    await produceToEach(broker.bootstrap, topic, 3, 20, 'all');
    const kjs = await kafkajsMember('shared-kafkajs', { ...opts('g-kafkajs'), commitMode: 'after-processing' });
    const members = [
      kjs.log,
      (await start('java', 'shared-java', opts('g-java'))).log,
      (await start('kcat', 'shared-kcat', opts('g-kcat'))).log,
      (await start('platformatic', 'shared-platformatic', opts('g-platformatic'))).log,
    ];
    try {
      await until(() => members.every((l) => l.records.length >= 60), 'every group to read the topic', 60_000).catch((e: Error) => {
        throw new Error(`${e.message}: ${members.map((l) => `${l.name} read ${l.records.length}, assigned ${JSON.stringify(l.assignment)}`).join('; ')}`);
      });
      const want = Array.from({ length: 3 }, (_, p) => Array.from({ length: 20 }, (_, i) => `${p}/${i}`)).flat().sort();
      for (const l of members) {
        expect([...consumedCounts(l.records).keys()].sort(), l.name).toEqual(want);
        expect(l.records, l.name).toHaveLength(60);
        expect(l.assignment, l.name).toEqual([0, 1, 2]);
      }
    } finally {
      await kjs.member.stop();
    }
  });
});
