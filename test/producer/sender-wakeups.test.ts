// The sender never stalls: whatever a broker does while the producer starts up (slow or failed
// InitProducerId, a new topic without a leader yet, slow or dropped ApiVersions, unanswered
// requests), a record is delivered after the broker recovers, well before deliveryTimeoutMs
// (every produce() here would reject with REQUEST_TIMED_OUT "Expiring …" otherwise).
import { describe, expect, test } from 'vitest';
import type { NetworkClientEvents } from '../../src/producer/network-client.js';
import { fakeClusterFixture, sleep, type Answer } from './fake-broker.js';

const API_VERSIONS = 18;
const METADATA = 3;
const INIT_PRODUCER_ID = 22;
const LEADER_NOT_AVAILABLE = 5;
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const NOT_ENOUGH_REPLICAS = 19;

// Short request timeout (a silent broker is given up on quickly), delivery timeout far beyond
// what any recovery below needs: an expiry can only mean a stalled sender.
const { setup } = fakeClusterFixture({ requestTimeoutMs: 500, deliveryTimeoutMs: 8000, socketConnectionSetupTimeoutMs: 500, socketConnectionSetupTimeoutMaxMs: 1000 });

/** A script that answers the first `n` requests of apiKey with `a` (the rest normally). */
const first = (apiKey: number, n: number, a: Answer) => (k: number, i: number) => (k === apiKey && i <= n ? a : undefined);

describe('sender wake-ups: a record is delivered once the broker recovers', () => {
  test('InitProducerId answered COORDINATOR_LOAD_IN_PROGRESS (producer-id block not allocated yet), then an id', async () => {
    const { b, p } = await setup();
    b.answerScript = first(INIT_PRODUCER_ID, 3, { errorCode: COORDINATOR_LOAD_IN_PROGRESS });
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(INIT_PRODUCER_ID)).toBe(4);
  });

  test('InitProducerId answered NOT_ENOUGH_REPLICAS, then an id', async () => {
    const { b, p } = await setup();
    b.answerScript = first(INIT_PRODUCER_ID, 2, { errorCode: NOT_ENOUGH_REPLICAS });
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(INIT_PRODUCER_ID)).toBe(3);
  });

  test('InitProducerId never answered: the request times out, is asked again and answered', async () => {
    const { b, p } = await setup();
    b.answerScript = first(INIT_PRODUCER_ID, 1, 'silent');
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(INIT_PRODUCER_ID)).toBe(2);
  });

  test('the connection drops on InitProducerId: asked again on a new connection', async () => {
    const { b, p } = await setup();
    b.answerScript = first(INIT_PRODUCER_ID, 2, 'disconnect');
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(INIT_PRODUCER_ID)).toBe(3);
  });

  test('InitProducerId answered slowly (longer than a reconnect backoff, shorter than the request timeout)', async () => {
    // A request timeout well clear of the 300 ms answer, so a loaded machine cannot turn it into a retry.
    const { b, p } = await setup({ requestTimeoutMs: 3000 });
    b.answerScript = first(INIT_PRODUCER_ID, 1, { delayMs: 300 });
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(INIT_PRODUCER_ID)).toBe(1);
  });

  test('a new topic answered LEADER_NOT_AVAILABLE by the first Metadata requests (Kafka right after creating it)', async () => {
    const { b, p } = await setup();
    await p.connect();
    const before = b.count(METADATA);
    b.answerScript = (k, i) => (k === METADATA && i <= before + 4 ? { errorCode: LEADER_NOT_AVAILABLE } : undefined);
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(METADATA)).toBeGreaterThan(before + 4);
  });

  test('partitions without a leader for a while: the refresh keeps backing off and retrying until one is elected', async () => {
    const { b, p } = await setup();
    b.leaderId = -1;
    const elected = setTimeout(() => (b.leaderId = 1), 1500);
    try {
      expect((await p.produce('t', { value: 'v', partition: 0 })).offset).toBe(0n);
    } finally {
      clearTimeout(elected);
    }
  });

  test('a leader metadata lists no broker for: refreshes at the retry backoff (no busy loop), delivered once the leader is known', async () => {
    const { b, p } = await setup();
    await p.connect();
    b.leaderId = 2; // named as leader, absent from brokers: no address to connect to
    const before = b.count(METADATA);
    const fixed = setTimeout(() => (b.leaderId = 1), 1000);
    try {
      expect((await p.produce('t', { value: 'v', partition: 0 })).offset).toBe(0n);
    } finally {
      clearTimeout(fixed);
    }
    const refreshes = b.count(METADATA) - before;
    // Only a refresh could learn the fixed leader; with retryBackoffMaxMs 20 about one per 20 ms,
    // not one per turn of the event loop.
    expect(refreshes).toBeGreaterThan(1);
    expect(refreshes).toBeLessThan(200);
  });

  test('Metadata never answered once: the request times out and the refresh is retried', async () => {
    const { b, p } = await setup();
    await p.connect();
    const before = b.count(METADATA);
    b.answerScript = first(METADATA, before + 1, 'silent');
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
  });

  test('ApiVersions answered slowly on every connection', async () => {
    const { b, p } = await setup();
    b.answerScript = (k) => (k === API_VERSIONS ? { delayMs: 200 } : undefined);
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
  });

  test('connections dropped during ApiVersions (bootstrap and broker connection), then accepted', async () => {
    const { b, p } = await setup();
    // ApiVersions 1: bootstrap; 2 (node 1) dropped; a later one dropped too when a reconnect needs it.
    b.answerScript = (k, i) => (k === API_VERSIONS && (i === 2 || i === 4) ? 'disconnect' : undefined);
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.count(API_VERSIONS)).toBeGreaterThanOrEqual(3);
  });

  test('ApiVersions never answered: the connection setup times out and the producer reconnects', async () => {
    const { b, p } = await setup();
    b.answerScript = (k, i) => (k === API_VERSIONS && (i === 2 || i === 3) ? 'silent' : undefined);
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
  });

  test('everything at once, records for several partitions sent while the producer id and the topic are pending', async () => {
    const { b, p } = await setup({ lingerMs: 5 }, { t: 3 });
    b.answerScript = (k, i) => {
      if (k === API_VERSIONS && i === 2) return 'disconnect';
      if (k === METADATA && i >= 2 && i <= 4) return { errorCode: LEADER_NOT_AVAILABLE, delayMs: 50 };
      if (k === INIT_PRODUCER_ID && i <= 2) return { errorCode: COORDINATOR_LOAD_IN_PROGRESS, delayMs: 100 };
      return undefined;
    };
    const mds = await Promise.all(Array.from({ length: 30 }, (_, i) => p.produce('t', { value: `v${i}`, partition: i % 3 })));
    expect(mds.map((m) => m.partition)).toEqual(Array.from({ length: 30 }, (_, i) => i % 3));
    expect([0, 1, 2].map((i) => b.logEnd('t', i))).toEqual([10n, 10n, 10n]);
  });

  // Java's NetworkClient.poll never blocks longer than its bounded timeout. Here every wake-up from
  // the network client (a connection becoming ready) is lost: the topic's Metadata request waits for
  // node 1's new connection, and the sender's bounded poll still finds it ready and goes on, where
  // it used to wait for an event that never came (the record parked until maxBlockMs).
  test('a lost wake-up (connection ready, event swallowed) costs one bounded poll, not the delivery timeout', async () => {
    const { b, p } = await setup();
    await p.connect();
    while (p.metrics().producerId < 0n) await sleep(5);
    const events = (p as unknown as { sender: { client: { events: NetworkClientEvents } } }).sender.client.events;
    events.onWake = () => {};
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.logEnd('t', 0)).toBe(1n);
  });
});
