// The producer SDK when things go wrong, against Sluice and Apache Kafka 4.1.1, each behind a TCP
// proxy it advertises (so the test can stall it): typed, non-retriable errors named as Kafka names
// them for records too large for the client or the topic and for keyless records on a compacted
// topic; unknown topics without auto-creation and unreachable clusters fail after maxBlockMs;
// bufferMemory bounds what a stalled broker makes the producer hold, and sends beyond it wait and
// then fail; records a stalled broker never acknowledges fail after deliveryTimeoutMs or close's
// timeout; the idempotent producer resends what a broker appended but never acknowledged before a
// kill -9 without duplicating it, every record once and in order. Every promise settles: nothing
// is dropped silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaProducerError, Producer } from '../../src/producer/index.js';
import { BrokerProcess, freePort, printBrokerLogsOnFailure } from '../support/broker-process.js';
import { kafkajsClient, waitForPartitionLeaders } from '../support/kafkajs-admin.js';
import { byPartition, kcatConsumeTopic, type ConsumedRecord } from '../support/kcat-json.js';
import type { Metadata } from '../support/producer-records.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { testValue } from '../support/test-records.js';
import { until } from '../support/until.js';
import { untilAsync } from '../support/until-async.js';

const KINDS = ['sluice', 'kafka'] as const;

const brokers: Partial<Record<(typeof KINDS)[number], BrokerProcess>> = {};
const proxies: TcpProxy[] = [];
printBrokerLogsOnFailure(() => Object.values(brokers));

afterAll(async () => {
  await Promise.all(Object.values(brokers).map((b) => b.cleanup()));
  await Promise.all(proxies.map((p) => p.close()));
});

// A promise's outcome, without letting a rejection go unhandled while the test looks elsewhere.
type Outcome = { ok: true; meta: Metadata } | { ok: false; error: unknown };
function track(p: Promise<Metadata>, into: Outcome[], i: number): Promise<void> {
  return p.then(
    (meta) => void (into[i] = { ok: true, meta }),
    (error: unknown) => void (into[i] = { ok: false, error }),
  );
}

// Asserts a typed producer error and returns it.
function producerError(e: unknown, type: string | string[]): KafkaProducerError {
  expect(e, String(e)).toBeInstanceOf(KafkaProducerError);
  const err = e as KafkaProducerError;
  expect(Array.isArray(type) ? type : [type], err.message).toContain(err.type);
  return err;
}

// Settles `p`, failing the test if it resolves.
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`expected a rejection, got ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

it('fails with a typed error after maxBlockMs when no bootstrap server is reachable', async () => {
  const producer = new Producer({
    bootstrapServers: [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`],
    clientId: 'e2e-unreachable', maxBlockMs: 1000, reconnectBackoffMs: 20, reconnectBackoffMaxMs: 100,
  });
  try {
    const e = await rejection(producer.connect().then(() => producer.send({ topic: 'nowhere', messages: [{ value: 'lost?' }] })));
    producerError(e, ['REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);
  } finally {
    await producer.close();
  }
});

describe.each(KINDS)('producer faults against %s', (kind) => {
  let broker: BrokerProcess;
  let proxy: TcpProxy;
  let bootstrap: string;

  beforeAll(async () => {
    proxy = await TcpProxy.listen();
    proxies.push(proxy);
    broker = brokers[kind] = await BrokerProcess.start({
      kind,
      overrides: {
        'advertised.listeners': `PLAINTEXT://${proxy.address}`,
        'auto.create.topics.enable': false,
        // Kafka's restarted controller waits out the dead broker's session (9 s by default).
        ...(kind === 'kafka' ? { 'broker.heartbeat.interval.ms': 500, 'broker.session.timeout.ms': 2000 } : {}),
      },
    });
    proxy.targetPort = broker.port;
    bootstrap = proxy.address;
    const admin = kafkajsClient(bootstrap).admin();
    await admin.connect();
    try {
      const spec = {
        waitForLeaders: true,
        topics: [
          { topic: 'too-large', numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2048' }] },
          { topic: 'compacted', numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          { topic: 'client-limits', numPartitions: 1 },
          { topic: 'backpressure', numPartitions: 2 },
          { topic: 'idempotent-1', numPartitions: 3 },
          { topic: 'idempotent-5', numPartitions: 3 },
          { topic: 'stalled', numPartitions: 1 },
        ],
      };
      await admin.createTopics(spec);
      await waitForPartitionLeaders(admin, spec.topics.map((t) => t.topic));
    } finally {
      await admin.disconnect();
    }
  });

  it('rejects records over maxRequestSize or bufferMemory with a non-retriable MESSAGE_TOO_LARGE, delivering the others', async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-limits', maxRequestSize: 10_000, bufferMemory: 40_000, batchSize: 4096 });
    const outcomes: Outcome[] = [];
    try {
      await producer.connect();
      const values = [Buffer.from('small-1'), Buffer.alloc(20_000, 1), Buffer.from('small-2')];
      await Promise.all(values.map((value, i) => track(producer.produce('client-limits', { value }), outcomes, i)));
      const overBuffer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-limits-2', bufferMemory: 20_000, batchSize: 4096 });
      try {
        await overBuffer.connect();
        outcomes[3] = { ok: false, error: await rejection(overBuffer.produce('client-limits', { value: Buffer.alloc(30_000, 2) })) };
      } finally {
        await overBuffer.close();
      }
    } finally {
      await producer.close();
    }
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
    for (const o of [outcomes[1]!, outcomes[3]!]) {
      const err = producerError((o as { error: unknown }).error, 'MESSAGE_TOO_LARGE');
      expect(err.retriable).toBe(false);
      expect(err.code).toBe(10);
    }
    expect((await kcatConsumeTopic(broker.bootstrap, 'client-limits')).map((r) => r.value?.toString())).toEqual(['small-1', 'small-2']);
  });

  it("rejects a record over the topic's max.message.bytes with the broker's non-retriable MESSAGE_TOO_LARGE", async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-too-large' });
    try {
      await producer.connect();
      // 5000 incompressible bytes exceed the topic's 2048-byte limit: the broker refuses the batch.
      const err = producerError(await rejection(producer.send({ topic: 'too-large', messages: [{ key: 'big', value: incompressible(5000) }] })), 'MESSAGE_TOO_LARGE');
      expect(err.retriable).toBe(false);
      expect(err.code).toBe(10);
      // The partition is not stuck behind it.
      await producer.send({ topic: 'too-large', messages: [{ key: 'small', value: incompressible(1000) }] });
    } finally {
      await producer.close();
    }
    expect((await kcatConsumeTopic(broker.bootstrap, 'too-large')).map((r) => r.key?.toString())).toEqual(['small']);
  });

  it('rejects a keyless record on a compacted topic with a non-retriable INVALID_RECORD', async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-compacted' });
    try {
      await producer.connect();
      const err = producerError(await rejection(producer.send({ topic: 'compacted', messages: [{ key: null, value: 'no key' }] })), 'INVALID_RECORD');
      expect(err.retriable).toBe(false);
      const [meta] = await producer.send({ topic: 'compacted', messages: [{ key: 'k', value: 'keyed' }] });
      expect(meta!.partition).toBe(0);
    } finally {
      await producer.close();
    }
    expect((await kcatConsumeTopic(broker.bootstrap, 'compacted')).map((r) => r.value?.toString())).toEqual(['keyed']);
  });

  it('fails a send to an unknown topic after maxBlockMs when the broker does not auto-create topics', async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-unknown', maxBlockMs: 1000 });
    try {
      await producer.connect();
      const err = producerError(await rejection(producer.send({ topic: 'does-not-exist', messages: [{ value: 'x' }] })),
        ['REQUEST_TIMED_OUT', 'UNKNOWN_TOPIC_OR_PARTITION']);
      expect(err.message).toContain('does-not-exist');
      // The producer is still usable.
      await producer.send({ topic: 'client-limits', messages: [{ value: 'after-unknown' }] });
    } finally {
      await producer.close();
    }
  });

  it('holds at most bufferMemory while the broker is stalled; sends beyond it wait, then fail after maxBlockMs', async () => {
    const bufferMemory = 64 * 1024;
    const batchSize = 4096;
    const producer = new Producer({
      bootstrapServers: [bootstrap], clientId: 'e2e-backpressure', bufferMemory, batchSize, lingerMs: 0, maxBlockMs: 1500,
    });
    const outcomes: Outcome[] = [];
    const settled: Promise<void>[] = [];
    let maxBuffered = 0;
    const sample = () => (maxBuffered = Math.max(maxBuffered, producer.metrics().bufferedBytes));
    const sampler = setInterval(sample, 1);
    const count = 400; // 400 x ~520 bytes: about three times bufferMemory
    try {
      await producer.connect();
      await producer.send({ topic: 'backpressure', messages: [{ value: 'warm-up' }] });
      proxy.pause();
      for (let i = 0; i < count; i++) {
        settled.push(track(producer.produce('backpressure', { key: `k${i % 10}`, value: `${String(i).padStart(6, '0')}`.padEnd(500, '#') }), outcomes, i));
        sample();
      }
      const late = rejection(producer.send({ topic: 'backpressure', messages: [{ value: 'late' }] }));
      await until(() => producer.metrics().bufferedBytes >= bufferMemory - 2 * batchSize, 'the buffer to fill', 20_000);
      // The records beyond bufferMemory time out; none completes while the broker is stalled.
      await until(() => outcomes.filter((o) => o && !o.ok).length > 0, 'a send to give up after maxBlockMs', 20_000);
      producerError(await late, ['REQUEST_TIMED_OUT']);
      expect(outcomes.filter((o) => o?.ok), 'records acknowledged by a stalled broker').toEqual([]);
      expect(maxBuffered, 'most bytes buffered').toBeLessThanOrEqual(bufferMemory);
      proxy.resume();
      await Promise.all(settled);
      await until(() => producer.metrics().bufferedBytes === 0 && producer.metrics().bufferedRecords === 0,
        'the buffer to empty once every record settled', 5_000);
    } finally {
      clearInterval(sampler);
      proxy.resume();
      await producer.close();
    }
    expect(maxBuffered, 'most bytes buffered').toBeLessThanOrEqual(bufferMemory);
    const ok = outcomes.flatMap((o, i) => (o.ok ? [i] : []));
    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    expect(ok.length, 'records that got buffer memory').toBeGreaterThan(0);
    expect(failed.length, 'records that waited for memory past maxBlockMs').toBeGreaterThan(0);
    for (const i of failed) producerError((outcomes[i] as { error: unknown }).error, 'REQUEST_TIMED_OUT');
    // Exactly the acknowledged records are on the broker, each once, in order per key.
    const consumed = (await kcatConsumeTopic(broker.bootstrap, 'backpressure')).filter((r) => r.value?.toString() !== 'warm-up');
    expect(consumed.map((r) => Number(r.value!.toString().slice(0, 6))).sort((a, b) => a - b)).toEqual(ok);
    for (const [, records] of byPartition(consumed)) {
      const seqs = records.map((r) => Number(r.value!.toString().slice(0, 6)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('fails a record a stalled broker never acknowledges after deliveryTimeoutMs with a retriable REQUEST_TIMED_OUT, then delivers again', async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-delivery-timeout', lingerMs: 0, requestTimeoutMs: 1000, deliveryTimeoutMs: 1500 });
    try {
      await producer.connect();
      await producer.send({ topic: 'stalled', messages: [{ key: 'before', value: 'before' }] });
      proxy.pause();
      const err = producerError(await rejection(producer.send({ topic: 'stalled', messages: [{ key: 'stalled', value: 'stalled' }] })), 'REQUEST_TIMED_OUT');
      expect(err.retriable).toBe(true);
      proxy.resume();
      const [meta] = await producer.send({ topic: 'stalled', messages: [{ key: 'after', value: 'after' }] });
      expect(meta!.offset).toBeGreaterThan(0n);
    } finally {
      proxy.resume();
      await producer.close();
    }
    // The timed-out record may or may not have reached the log (Kafka's at-least-once ambiguity);
    // the others are there once each.
    const keys = (await kcatConsumeTopic(broker.bootstrap, 'stalled')).map((r) => r.key!.toString()).filter((k) => k !== 'stalled');
    expect(keys).toEqual(['before', 'after']);
  });

  it('close({ timeoutMs }) with a stalled broker settles every pending record with a typed error instead of hanging', async () => {
    const producer = new Producer({ bootstrapServers: [bootstrap], clientId: 'e2e-close-timeout', lingerMs: 0 });
    const outcomes: Outcome[] = [];
    let settled: Promise<void>[] = [];
    try {
      await producer.connect();
      await producer.send({ topic: 'stalled', messages: [{ key: 'warm-up', value: 'warm-up' }] });
      proxy.pause();
      settled = Array.from({ length: 50 }, (_, i) => track(producer.produce('stalled', { key: 'pending', value: `p${i}` }), outcomes, i));
      await producer.close({ timeoutMs: 500 });
      await Promise.all(settled);
    } finally {
      proxy.resume();
      await producer.close();
    }
    expect(outcomes.filter((o) => o.ok)).toEqual([]);
    for (const o of outcomes) producerError((o as { error: unknown }).error, ['PRODUCER_CLOSED', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);
    // A closed producer refuses new records with a typed error.
    producerError(await rejection(producer.send({ topic: 'stalled', messages: [{ value: 'too late' }] })), 'PRODUCER_CLOSED');
  });

  // Kafka 4.1.1 does not recognise a retry of the older of several batches that were appended but
  // unacknowledged when it was killed -9 (its own Java producer duplicates them too, checked with
  // VerifiableProducer): against both brokers, one request in flight; against Sluice, also five.
  it('idempotence: a batch the broker appended but never acknowledged is not duplicated across a kill -9 and restart', async () => {
    const run = await streamThroughKill(broker, proxy, bootstrap, 'idempotent-1', 1);
    expectExactlyOnceInOrder(run, await kcatConsumeTopic(broker.bootstrap, 'idempotent-1'));
  });

  if (kind === 'sluice') {
    it('idempotence: five in-flight batches appended but unacknowledged are not duplicated across a kill -9 and restart', async () => {
      const run = await streamThroughKill(broker, proxy, bootstrap, 'idempotent-5', 5);
      expectExactlyOnceInOrder(run, await kcatConsumeTopic(broker.bootstrap, 'idempotent-5'));
    });
  }
});

/** What a producer streaming through a broker's kill -9 and restart saw. */
interface KillRun {
  count: number;
  outcomes: Outcome[];
  /** Records on the broker but not acknowledged to the producer when the broker was killed. */
  storedUnacknowledged: number;
  retries: number;
}

// Streams `count` sequence-numbered records (30 keys) into topic through the proxy with the default
// idempotent producer. Once a quarter is acknowledged the proxy holds the broker's answers, so the
// broker appends requests the producer hears nothing about; then the broker is killed -9 and
// restarted on the same data, and the producer must resend those batches.
async function streamThroughKill(broker: BrokerProcess, proxy: TcpProxy, bootstrap: string, topic: string, maxInFlight: number): Promise<KillRun> {
  const count = 6000;
  const window = 800;
  const producer = new Producer({
    bootstrapServers: [bootstrap], clientId: `e2e-${topic}`, lingerMs: 2, batchSize: 2048, maxInFlightRequestsPerConnection: maxInFlight,
    retryBackoffMs: 50, reconnectBackoffMs: 50, reconnectBackoffMaxMs: 500,
  });
  const outcomes: Outcome[] = [];
  const settledAll: Promise<void>[] = [];
  let settled = 0;
  let produced = 0;
  let storedUnacknowledged = -1;
  try {
    await producer.connect();
    const killer = (async () => {
      await until(() => settled >= count / 4, 'a quarter of the records acknowledged', 60_000);
      proxy.holdResponses();
      const acknowledged = settled;
      let stored = 0;
      await untilAsync(async () => (stored = (await kcatConsumeTopic(broker.bootstrap, topic)).length) > acknowledged,
        'records appended but not acknowledged', 30_000, () => `${stored} stored, ${acknowledged} acknowledged`);
      storedUnacknowledged = stored - settled;
      await broker.kill9();
      proxy.dropConnections();
      await broker.restart();
    })();
    for (let i = 0; i < count; i++) {
      // A bounded window of unacknowledged records, so records are produced before, during and after the outage.
      if (produced - settled >= window) await until(() => produced - settled < window, 'the window to open', 120_000);
      const value = `seq-${String(i).padStart(6, '0')}-`.padEnd(100, '.');
      settledAll.push(track(producer.produce(topic, { key: `key-${i % 30}`, value }), outcomes, i).then(() => void settled++));
      produced++;
      if (i % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    await killer;
    await Promise.all(settledAll);
    return { count, outcomes, storedUnacknowledged, retries: producer.metrics().retries };
  } finally {
    await producer.close();
  }
}

// Every record acknowledged, on the broker exactly once, in produce order per partition, at the
// position its acknowledgement reported.
function expectExactlyOnceInOrder(run: KillRun, consumed: ConsumedRecord[]): void {
  expect(run.storedUnacknowledged, 'records on the broker but unacknowledged when it was killed').toBeGreaterThan(0);
  expect(run.retries, 'batches resent after the broker died').toBeGreaterThan(0);
  const failures = run.outcomes.flatMap((o, i) => (o.ok ? [] : [`${i}: ${String(o.error)}`]));
  expect(failures.slice(0, 10), `${failures.length} records failed`).toEqual([]);
  const seqOf = (v: Buffer | null) => Number(v!.toString().slice(4, 10));
  const seen = new Map<number, number>();
  for (const r of consumed) seen.set(seqOf(r.value), (seen.get(seqOf(r.value)) ?? 0) + 1);
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([s]) => s);
  const missing = Array.from({ length: run.count }, (_, i) => i).filter((i) => !seen.has(i));
  expect(duplicates.slice(0, 20), `${duplicates.length} duplicated records`).toEqual([]);
  expect(missing.slice(0, 20), `${missing.length} acknowledged records missing`).toEqual([]);
  expect(consumed).toHaveLength(run.count);
  for (const [p, records] of byPartition(consumed)) {
    const seqs = records.map((r) => seqOf(r.value));
    const outOfOrder = seqs.findIndex((s, j) => j > 0 && s < seqs[j - 1]!);
    expect(outOfOrder, `partition ${p}: sequence ${seqs[outOfOrder]} after ${seqs[outOfOrder - 1]}`).toBe(-1);
    const misplaced = records.flatMap((r) => {
      const { meta } = run.outcomes[seqOf(r.value)] as { meta: Metadata };
      return meta.partition === p && meta.offset === BigInt(r.offset) ? [] : [`seq ${seqOf(r.value)} at ${p}@${r.offset}, acknowledged as ${meta.partition}@${meta.offset}`];
    });
    expect(misplaced.slice(0, 5), `${misplaced.length} records acknowledged with another position`).toEqual([]);
  }
}

// n incompressible bytes (n <= 5000): test value 5 is 5000 pseudo-random bytes.
function incompressible(n: number): Buffer {
  return testValue('incompressible', 5).subarray(0, n);
}
