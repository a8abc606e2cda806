// Consumer-group members of the other clients, each reporting into a MemberLog like the kafkajs
// ones: Kafka's console consumer (the Java client) and kcat (librdkafka) as child processes the
// test can stop (LeaveGroup) or kill -9, and @platformatic/kafka in-process.
import path from 'node:path';
import { Consumer, stringDeserializers } from '@platformatic/kafka';
import { MemberLog } from './group-members.js';
import { KafkaTool, kafkaToolArgs } from './kafka-tools.js';
import { LineProcess } from './line-process.js';

/** A running member of any client. */
export interface GroupClient {
  log: MemberLog;
  /** Leaves the group cleanly and exits. */
  stop(): Promise<void>;
  /** Dies without leaving the group (child-process clients only). */
  kill9?: () => Promise<void>;
  /**
   * Whether the client now fetches only its latest assignment. @platformatic/kafka hands out what a
   * fetch sent before a rebalance returns, even for partitions it no longer owns, so a test must
   * not produce until that fetch is back.
   */
  caughtUp(): boolean;
  /** What the client said about itself (its stderr tail), for failure messages. */
  diagnostics(): string;
}

/** What every member needs. */
export interface GroupClientOptions {
  bootstrap: string;
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  /** Client-specific consumer properties (Java/librdkafka names). */
  properties?: Record<string, string | number>;
}

const groupConsumerLog4j = path.join(path.dirname(new URL(import.meta.url).pathname), 'log4j2-group-consumer.properties');

// `[t-0, t-3]` or `t [0], t [3]` → partitions of `topic`, sorted.
function partitionsOf(list: string, topic: string, re: RegExp): number[] {
  return [...list.matchAll(re)].filter((m) => m[1] === topic).map((m) => Number(m[2])).sort((a, b) => a - b);
}

/** The consumer settings every group member process gets: quick heartbeats and commits, then the test's own. */
function memberProperties(name: string, o: GroupClientOptions): Record<string, string | number> {
  return {
    'client.id': name,
    'heartbeat.interval.ms': 300,
    'session.timeout.ms': o.sessionTimeoutMs ?? 10_000,
    'auto.commit.interval.ms': 100,
    ...o.properties,
  };
}

/** kafka-console-consumer --group (Java consumer, classic protocol) printing partition and offset. */
export function javaGroupConsumer(name: string, o: GroupClientOptions): GroupClient {
  const log = new MemberLog(name);
  let generation: number | undefined;
  const props = memberProperties(name, o);
  const proc = new LineProcess(
    name,
    'java',
    kafkaToolArgs(KafkaTool.consoleConsumer, [
      '--bootstrap-server', o.bootstrap, '--topic', o.topic, '--group', o.groupId, '--from-beginning',
      '--property', 'print.partition=true', '--property', 'print.offset=true',
      ...Object.entries(props).flatMap(([k, v]) => ['--consumer-property', `${k}=${v}`]),
    ], [`-Dlog4j2.configurationFile=${groupConsumerLog4j}`]),
    {
      onLine: (line) => {
        const m = /^Partition:(\d+)\tOffset:(\d+)\t(.*)$/.exec(line);
        if (m) log.push({ ev: 'record', partition: Number(m[1]), offset: Number(m[2]), value: m[3]! });
      },
      onStderrLine: (line) => {
        const g = /Successfully joined group with generation Generation\{generationId=(\d+), memberId='([^']*)'/.exec(line);
        if (g) generation = Number(g[1]);
        const a = /Notifying assignor about the new Assignment\(partitions=\[(.*?)\]/.exec(line);
        if (a) log.push({ ev: 'join', memberId: name, generation, assignment: partitionsOf(a[1]!, o.topic, /([^\s,]+)-(\d+)/g) });
      },
    },
  );
  return {
    log,
    stop: async () => void (await proc.stop('SIGTERM')),
    kill9: async () => void (await proc.kill9()),
    caughtUp: () => true,
    diagnostics: () => `${proc.running ? 'running' : 'exited'}; stderr: ${proc.stderr.slice(-2500)}`,
  };
}

/** kcat -G (librdkafka's balanced consumer) printing `partition offset value` lines. */
export function kcatGroupConsumer(name: string, o: GroupClientOptions): GroupClient {
  const log = new MemberLog(name);
  const owned = new Set<number>();
  const props = memberProperties(name, o);
  const proc = new LineProcess(
    name,
    'kcat',
    ['-b', o.bootstrap, '-G', o.groupId, '-o', 'beginning', '-u', '-f', '%p %o %s\\n',
      ...Object.entries(props).flatMap(([k, v]) => ['-X', `${k}=${v}`]), o.topic],
    {
      onLine: (line) => {
        const m = /^(\d+) (\d+) (.*)$/.exec(line);
        if (m) log.push({ ev: 'record', partition: Number(m[1]), offset: Number(m[2]), value: m[3]! });
      },
      // kcat prints each rebalance's revoked and assigned partitions; with cooperative-sticky
      // these are increments, so the member's assignment is what was assigned and not revoked.
      onStderrLine: (line) => {
        // eager: `rebalanced (memberid M): assigned: t [0], ...`; cooperative:
        // `rebalanced: incremental assignment of N partition(s) (memberid M, COOPERATIVE rebalance protocol): t [0], ...`
        const eager = /rebalanced \(memberid ([^)]*)\): (assigned|revoked): (.*)$/.exec(line);
        const coop = /rebalanced: incremental (assignment|revoke) of \d+ partition\(s\) \(memberid ([^,]*),[^)]*\): ?(.*)$/.exec(line);
        if (!eager && !coop) return;
        const [memberId, assigned, list] = eager ? [eager[1]!, eager[2] === 'assigned', eager[3]!] : [coop![2]!, coop![1] === 'assignment', coop![3]!];
        const parts = partitionsOf(list, o.topic, /(\S+) \[(\d+)\]/g);
        if (assigned) parts.forEach((p) => owned.add(p));
        else parts.forEach((p) => owned.delete(p));
        const assignment = [...owned].sort((x, y) => x - y);
        log.push(assigned ? { ev: 'join', memberId, assignment } : { ev: 'revoked', assignment });
      },
    },
  );
  return {
    log,
    stop: async () => void (await proc.stop('SIGTERM')),
    kill9: async () => void (await proc.kill9()),
    caughtUp: () => true,
    diagnostics: () => `${proc.running ? 'running' : 'exited'}; stderr: ${proc.stderr.slice(-2500)}`,
  };
}

/** An @platformatic/kafka 1.35.0 Consumer (classic protocol, autocommit) in this process. */
export async function platformaticGroupConsumer(name: string, o: GroupClientOptions): Promise<GroupClient> {
  const log = new MemberLog(name);
  const sessionTimeout = o.sessionTimeoutMs ?? 10_000;
  const consumer = new Consumer({
    clientId: name,
    groupId: o.groupId,
    bootstrapBrokers: [o.bootstrap],
    deserializers: stringDeserializers,
    sessionTimeout,
    heartbeatInterval: 300,
    maxWaitTime: 200,
  });
  let fetchesSinceJoin = 0;
  // The consumer emits 'error' when a background rejoin fails for good, e.g. when its connections
  // close under it while it leaves: kept for the diagnostics (as a child client's stderr is)
  // instead of crashing the test run as an unhandled 'error' event.
  const errors: string[] = [];
  consumer.on('error', (err: Error) => errors.push(err.message));
  consumer.on('consumer:group:join', (p: { memberId: string; generationId?: number; assignments?: { topic: string; partitions: number[] }[] }) => {
    fetchesSinceJoin = 0;
    const assignment = (p.assignments ?? []).filter((x) => x.topic === o.topic).flatMap((x) => x.partitions).sort((a, b) => a - b);
    log.push({ ev: 'join', memberId: p.memberId, generation: p.generationId, assignment });
  });
  const stream = await consumer.consume({
    topics: [o.topic],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: 100,
    sessionTimeout,
    heartbeatInterval: 300,
  });
  stream.on('data', (m) => log.push({ ev: 'record', partition: m.partition, offset: Number(m.offset), value: m.value ?? '' }));
  stream.on('error', () => {});
  stream.on('fetch', () => fetchesSinceJoin++);
  return {
    log,
    stop: async () => {
      await stream.close();
      await consumer.close();
    },
    // The first fetch to complete after a join may have been sent before it; the second was not.
    caughtUp: () => fetchesSinceJoin >= 2,
    diagnostics: () => `fetches since join: ${fetchesSinceJoin}; errors: ${errors.join('; ') || 'none'}`,
  };
}
