// kafka-consumer-groups (--list, --describe, --reset-offsets, --delete-offsets, --delete) against
// an idle group and a live one, with exact offsets and lag; then kafka-verifiable-producer and two
// kafka-verifiable-consumers in one group: every record acked, consumed once, offsets committed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { consumerGroupsTool, parseTables } from '../support/consumer-groups-cli.js';
import { createTopics } from '../support/kafkajs-admin.js';
import { commitOffsetsDirect } from '../support/group-wire.js';
import { committedOffsets, kafkajsMember, produceCounts, type MemberLog } from '../support/group-members.js';
import { KafkaTool, kafkaToolArgs, kafkaToolOk } from '../support/kafka-tools.js';
import type { RunningMember } from '../support/kafkajs-group-member.js';
import { LineProcess } from '../support/line-process.js';
import { until } from '../support/until.js';

const TOPIC = 'cli-t';
const COUNTS = [10, 20, 30];
const IDLE = 'cli-idle';
const LIVE = 'cli-live';

let broker: BrokerProcess;
printBrokerLogsOnFailure(() => [broker]);
let live: { log: MemberLog; member: RunningMember } | undefined;
const procs: LineProcess[] = [];

const cg = (...args: string[]) => consumerGroupsTool(broker.bootstrap, args);
const committed = () => committedOffsets(broker.bootstrap, IDLE, TOPIC).then((m) => [0, 1, 2].map((p) => m.get(p)));

beforeAll(async () => {
  broker = await BrokerProcess.start({ overrides: { 'auto.create.topics.enable': false } });
  await createTopics(broker.bootstrap, [TOPIC], 3);
  await produceCounts(broker.bootstrap, TOPIC, COUNTS, 'cli');

  // An idle group: offsets committed as admin tools do (generation -1), no members.
  await commitOffsetsDirect(broker.port, IDLE, TOPIC, { 0: 4, 1: 20 });
  // A live group: one kafkajs member that reads up to offsets 4, 15 and the end, then pauses
  // (still heartbeating), having committed after every record.
  live = await kafkajsMember('cli-live-member', {
    bootstrap: broker.bootstrap, groupId: LIVE, topic: TOPIC, commitMode: 'after-processing', pauseAt: { 0: 4, 1: 15 },
  });
  const l = live.log;
  await until(() => l.lastCommitted(0) === 4 && l.lastCommitted(1) === 15 && l.lastCommitted(2) === 30, 'the live member to commit', 60_000);
});

afterAll(async () => {
  await live?.member.stop().catch(() => {});
  await Promise.all(procs.map((p) => p.kill9()));
  await broker?.cleanup();
});

describe('kafka-consumer-groups', () => {
  it('--list and --describe show each group with its state, members, offsets and lag', async () => {
    const list = await cg('--list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.out.split('\n').filter((l) => l !== '').sort()).toEqual([IDLE, LIVE]);

    const states = parseTables((await cg('--list', '--state')).out, 'GROUP');
    expect(states.map((r) => [r.GROUP, r.STATE]).sort()).toEqual([[IDLE, 'Empty'], [LIVE, 'Stable']]);
    const stable = parseTables((await cg('--list', '--state', 'Stable')).out, 'GROUP');
    expect(stable.map((r) => [r.GROUP, r.STATE])).toEqual([[LIVE, 'Stable']]);

    const join = live!.log.events.find((e) => e.ev === 'join');
    const memberId = join?.ev === 'join' ? join.memberId : 'no join seen';
    const liveRows = parseTables((await cg('--describe', '--group', LIVE)).out, 'GROUP');
    expect(liveRows.sort((a, b) => Number(a.PARTITION) - Number(b.PARTITION))).toEqual([
      [0, 4, 10, 6], [1, 15, 20, 5], [2, 30, 30, 0],
    ].map(([p, cur, end, lag]) => ({
      GROUP: LIVE, TOPIC, PARTITION: String(p), 'CURRENT-OFFSET': String(cur), 'LOG-END-OFFSET': String(end), LAG: String(lag),
      'CONSUMER-ID': memberId, HOST: '/127.0.0.1', 'CLIENT-ID': 'cli-live-member',
    })));

    const members = parseTables((await cg('--describe', '--group', LIVE, '--members', '--verbose')).out, 'GROUP');
    expect(members.map((r) => [r.GROUP, r['CONSUMER-ID'], r.HOST, r['CLIENT-ID'], r['#PARTITIONS'], r['CURRENT-ASSIGNMENT']])).toEqual([
      [LIVE, memberId, '/127.0.0.1', 'cli-live-member', '3', `${TOPIC}:0,1,2`],
    ]);

    const state = parseTables((await cg('--describe', '--group', LIVE, '--state')).out, 'GROUP');
    expect(state.map((r) => [r.GROUP, r['ASSIGNMENT-STRATEGY'], r.STATE, r['#MEMBERS']])).toEqual([[LIVE, 'RoundRobinAssigner', 'Stable', '1']]);

    // The idle group lists only partitions with a committed offset, with no member columns.
    const idle = await cg('--describe', '--group', IDLE);
    expect(idle.out + idle.stderr).toContain(`Consumer group '${IDLE}' has no active members.`);
    expect(parseTables(idle.out, 'GROUP').sort((a, b) => Number(a.PARTITION) - Number(b.PARTITION))).toEqual([
      { GROUP: IDLE, TOPIC, PARTITION: '0', 'CURRENT-OFFSET': '4', 'LOG-END-OFFSET': '10', LAG: '6', 'CONSUMER-ID': '-', HOST: '-', 'CLIENT-ID': '-' },
      { GROUP: IDLE, TOPIC, PARTITION: '1', 'CURRENT-OFFSET': '20', 'LOG-END-OFFSET': '20', LAG: '0', 'CONSUMER-ID': '-', HOST: '-', 'CLIENT-ID': '-' },
    ]);

    // Kafka 4.1.1 answers DescribeGroups v6 with GROUP_ID_NOT_FOUND ("Group x not found."); up to v5
    // (the spec window Sluice serves) it is a Dead group, which the tool words as "does not exist".
    const missing = await cg('--describe', '--group', 'no-such-group');
    expect(missing.out + missing.stderr).toMatch(/Group no-such-group not found\.|Consumer group 'no-such-group' does not exist\./);
  });

  it('--reset-offsets --execute moves an idle group to the earliest, a given offset and by a shift; a live group is refused', async () => {
    const reset = async (...args: string[]) => {
      const r = await cg('--reset-offsets', '--group', IDLE, ...args, '--execute');
      expect(r.code, r.stderr).toBe(0);
      return parseTables(r.out, 'GROUP').map((row) => [row.PARTITION, row['NEW-OFFSET']]).sort();
    };
    expect(await reset('--topic', TOPIC, '--to-earliest')).toEqual([['0', '0'], ['1', '0'], ['2', '0']]);
    expect(await committed()).toEqual([0, 0, 0]);
    expect(await reset('--topic', TOPIC, '--to-offset', '7')).toEqual([['0', '7'], ['1', '7'], ['2', '7']]);
    expect(await committed()).toEqual([7, 7, 7]);
    expect(await reset('--topic', TOPIC, '--shift-by', '-3')).toEqual([['0', '4'], ['1', '4'], ['2', '4']]);
    expect(await committed()).toEqual([4, 4, 4]);
    // Past the log end is clamped to it; one partition alone leaves the others.
    expect(await reset('--topic', TOPIC, '--shift-by', '20')).toEqual([['0', '10'], ['1', '20'], ['2', '24']]);
    expect(await committed()).toEqual([10, 20, 24]);
    expect(await reset('--topic', `${TOPIC}:1`, '--to-offset', '2')).toEqual([['1', '2']]);
    expect(await committed()).toEqual([10, 2, 24]);

    const refused = await cg('--reset-offsets', '--group', LIVE, '--topic', TOPIC, '--to-earliest', '--execute');
    expect(refused.out + refused.stderr).toContain(`Assignments can only be reset if the group '${LIVE}' is inactive, but the current state is Stable.`);
    expect([...(await committedOffsets(broker.bootstrap, LIVE, TOPIC))].sort()).toEqual([[0, 4], [1, 15], [2, 30]]);
  });

  it('--delete-offsets drops one partition of an idle group and is refused while a live group subscribes to the topic', async () => {
    const r = await cg('--delete-offsets', '--group', IDLE, '--topic', `${TOPIC}:1`);
    expect(r.out).toContain(`Request succeeded for deleting offsets from group ${IDLE}.`);
    expect(parseTables(r.out, 'TOPIC')).toEqual([{ TOPIC, PARTITION: '1', STATUS: 'Successful' }]);
    expect(await committed()).toEqual([10, -1, 24]);

    const refused = await cg('--delete-offsets', '--group', LIVE, '--topic', TOPIC);
    const lines = refused.out.split('\n').filter((l) => l.startsWith(TOPIC)).sort();
    expect(lines.map((l) => l.replace(/\s+/g, ' '))).toEqual([0, 1, 2].map((p) =>
      `${TOPIC} ${p} Error: org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.`));
    expect([...(await committedOffsets(broker.bootstrap, LIVE, TOPIC))].sort()).toEqual([[0, 4], [1, 15], [2, 30]]);
  });

  it('--delete removes an idle group with its offsets and refuses a group with members', async () => {
    const refused = await cg('--delete', '--group', LIVE);
    expect(refused.out + refused.stderr).toContain(`Group '${LIVE}' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.`);

    const r = await cg('--delete', '--group', IDLE);
    expect(r.out).toContain(`Deletion of requested consumer groups ('${IDLE}') was successful.`);
    expect((await cg('--list')).out.split('\n').filter((l) => l !== '')).toEqual([LIVE]);
    expect(await committed()).toEqual([-1, -1, -1]);
    const again = await cg('--delete', '--group', IDLE);
    expect(again.out + again.stderr).toContain(`Group '${IDLE}' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.`);

    // Once its last member leaves, the live group is Empty and can go too.
    await live!.member.stop();
    expect(parseTables((await cg('--list', '--state')).out, 'GROUP').map((x) => [x.GROUP, x.STATE])).toEqual([[LIVE, 'Empty']]);
    expect((await cg('--delete', '--group', LIVE)).out).toContain(`Deletion of requested consumer groups ('${LIVE}') was successful.`);
    expect((await cg('--list')).out.trim()).toBe('');
  });
});

// The JSON event lines a verifiable tool printed.
type VEvent = Record<string, unknown> & { name: string };
const eventsOf = (lines: string[]): VEvent[] => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as VEvent);

describe('kafka-verifiable-producer and kafka-verifiable-consumer', () => {
  it('every record is acked, consumed exactly once by a group of two, and its offsets committed', async () => {
    const topic = 'verifiable';
    const groupId = 'verifiable-group';
    await createTopics(broker.bootstrap, [topic], 3);
    const consumers = ['v1', 'v2'].map((name) => {
      const p = new LineProcess(name, 'java', kafkaToolArgs(KafkaTool.verifiableConsumer, [
        '--bootstrap-server', broker.bootstrap, '--topic', topic, '--group-id', groupId, '--verbose', '--session-timeout', '10000',
      ]));
      procs.push(p);
      return p;
    });
    // Both members hold a disjoint share of the three partitions before anything is produced.
    const assigned = (p: LineProcess) => {
      const evs = eventsOf(p.lines).filter((e) => e.name === 'partitions_assigned' || e.name === 'partitions_revoked');
      const last = evs[evs.length - 1];
      return last?.name === 'partitions_assigned' ? (last.partitions as { partition: number }[]).map((x) => x.partition) : null;
    };
    await until(() => {
      const a = consumers.map(assigned);
      return a.every((x) => x !== null && x.length > 0) && new Set(a.flat()).size === 3 && a.flat().length === 3;
    }, 'both verifiable consumers to be assigned', 60_000);

    const prod = await kafkaToolOk(KafkaTool.verifiableProducer, [
      '--bootstrap-server', broker.bootstrap, '--topic', topic, '--max-messages', '300', '--acks', '-1', '--repeating-keys', '30',
    ]);
    const pEvents = eventsOf(prod.out.split('\n'));
    const acks = pEvents.filter((e) => e.name === 'producer_send_success');
    expect(pEvents.filter((e) => e.name === 'producer_send_error')).toEqual([]);
    expect(pEvents.find((e) => e.name === 'tool_data')).toMatchObject({ sent: 300, acked: 300 });
    expect(acks.map((e) => Number(e.value)).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const produced = new Map(acks.map((e) => [`${String(e.partition)}/${String(e.offset)}`, String(e.value)]));
    expect(produced.size).toBe(300);

    const consumedOf = (p: LineProcess) => eventsOf(p.lines).filter((e) => e.name === 'record_data');
    await until(() => consumers.reduce((n, p) => n + consumedOf(p).length, 0) >= 300, 'all 300 records consumed', 60_000);
    const ends = new Map<number, number>();
    for (const k of produced.keys()) {
      const [p, o] = k.split('/').map(Number) as [number, number];
      ends.set(p, Math.max(ends.get(p) ?? 0, o + 1));
    }
    // Wait for each partition's last commit to reach its end, then stop both cleanly.
    const lastCommit = (partition: number) => {
      let off: number | undefined;
      for (const p of consumers) {
        for (const e of eventsOf(p.lines)) {
          if (e.name !== 'offsets_committed' || e.success !== true) continue;
          for (const x of e.offsets as { partition: number; offset: number }[]) if (x.partition === partition) off = Math.max(off ?? 0, x.offset);
        }
      }
      return off;
    };
    await until(() => [...ends].every(([p, end]) => lastCommit(p) === end), 'offsets committed to the end', 30_000);
    await Promise.all(consumers.map((p) => p.stop('SIGTERM')));
    for (const p of consumers) {
      expect(eventsOf(p.lines).map((e) => e.name), p.name).toContain('shutdown_complete');
      expect(eventsOf(p.lines).filter((e) => e.name === 'offsets_committed' && e.success !== true), p.name).toEqual([]);
    }

    const consumed = consumers.flatMap(consumedOf).map((e) => [`${String(e.partition)}/${String(e.offset)}`, String(e.value)] as const);
    expect(consumed).toHaveLength(300);
    expect(new Map(consumed)).toEqual(produced);
    expect([...(await committedOffsets(broker.bootstrap, groupId, topic))].sort()).toEqual([...ends].sort());
  });
});
