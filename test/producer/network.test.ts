// The producer's network side, as Kafka's NetworkClient/Sender (4.1): version negotiation, reconnect
// backoff with every broker down, request composition, close() and flush() with requests in flight, acks=0.
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { BrokerConnection } from '../../src/producer/broker-connection.js';
import type { KafkaProducerError } from '../../src/producer/errors.js';
import { Producer } from '../../src/producer/index.js';
import { decodeRequestHeader, encodeResponse } from '../../src/protocol/index.js';
import { DEFAULT_API_VERSIONS, fakeClusterFixture, outcome, sleep } from './fake-broker.js';

const { setup, track } = fakeClusterFixture();
const servers: net.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('ApiVersions negotiation', () => {
  test('Produce is sent at the highest common version (broker serves 3..5)', async () => {
    const { b, p } = await setup();
    b.apiVersions = b.apiVersions.map((k) => (k.apiKey === 0 ? { apiKey: 0, minVersion: 3, maxVersion: 5 } : k));
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.versions.get(0)).toEqual([5]);
  });

  test('a broker that only knows ApiVersions v0..2 answers v0 UNSUPPORTED_VERSION; the client falls back and produces', async () => {
    const { b, p } = await setup();
    b.apiVersions = b.apiVersions.map((k) => (k.apiKey === 18 ? { apiKey: 18, minVersion: 0, maxVersion: 2 } : k));
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.versions.get(18)?.slice(0, 2)).toEqual([4, 2]);
  });

  // Java: no usable Produce version → handleProduceResponse's versionMismatch branch completes the
  // batches with UNSUPPORTED_VERSION (not retriable): the record fails at once with that name, as here.
  test('a broker without a usable Produce version: records fail with UNSUPPORTED_VERSION, not after the delivery timeout', async () => {
    const { b, p } = await setup({ idempotence: false, acks: 1, requestTimeoutMs: 1000, deliveryTimeoutMs: 3000 });
    b.apiVersions = b.apiVersions.map((k) => (k.apiKey === 0 ? { apiKey: 0, minVersion: 0, maxVersion: 2 } : k));
    const started = Date.now();
    expect(await outcome(p.produce('t', { value: 'v' }))).toBe('UNSUPPORTED_VERSION');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('BrokerConnection.sendEncoded', () => {
  test('a request it cannot send is reported after the call returns, never from inside it (the sender is mid-drain then)', async () => {
    const server = net.createServer(() => {}); // accepts, never answers ApiVersions: the connection stays unready
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const conn = new BrokerConnection(1, '127.0.0.1', port, { clientId: 't', requestTimeoutMs: 5000, connectionSetupTimeoutMs: 5000, onReady: () => {}, onClose: () => {} });
    const told: (string | null)[] = [];
    conn.sendEncoded(0, () => [Buffer.alloc(4)], () => null, true, (err) => told.push(err ? (err as KafkaProducerError).type : null));
    expect(told).toEqual([]);
    await Promise.resolve();
    expect(told).toEqual(['NETWORK_EXCEPTION']);
    conn.close();
  });
});

describe('BrokerConnection reads', () => {
  /** A server that hands each request frame to `onRequest` with its socket, and a ready connection to it. */
  async function rawBroker(onRequest: (socket: net.Socket, frame: Buffer) => void): Promise<BrokerConnection> {
    const server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
          const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
          buf = buf.subarray(4 + frame.length);
          onRequest(socket, frame);
        }
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    return new Promise((resolve, reject) => {
      const conn = new BrokerConnection(1, '127.0.0.1', port, { clientId: 't', requestTimeoutMs: 5000, connectionSetupTimeoutMs: 5000, onReady: resolve, onClose: (_, reason) => reject(reason) });
    });
  }

  const apiVersionsAnswer = (correlationId: number, version: number) =>
    Buffer.concat(encodeResponse(18, version, correlationId, { errorCode: 0, apiKeys: DEFAULT_API_VERSIONS, throttleTimeMs: 0, supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [], zkMigrationReady: false } as never));
  const metadataAnswer = (correlationId: number, version: number, topics: string[]) =>
    Buffer.concat(
      encodeResponse(3, version, correlationId, {
        throttleTimeMs: 0,
        brokers: [{ nodeId: 1, host: '127.0.0.1', port: 1, rack: null }],
        clusterId: 'raw',
        controllerId: 1,
        clusterAuthorizedOperations: -2147483648,
        topics: topics.map((name) => ({ errorCode: 0, name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, topicAuthorizedOperations: -2147483648, partitions: [] })),
      } as never),
    );

  test('an answer split across reads, its size prefix too, is put back together', async () => {
    const conn = await rawBroker(async (socket, frame) => {
      const h = decodeRequestHeader(frame);
      const bytes = h.requestApiKey === 18 ? apiVersionsAnswer(h.correlationId, h.requestApiVersion) : metadataAnswer(h.correlationId, h.requestApiVersion, ['a', 'b']);
      // 2 bytes of the size, the rest of it and 3 body bytes, then the remainder: each a read of its own.
      for (const [from, to] of [[0, 2], [2, 9], [9, bytes.length]]) {
        socket.write(bytes.subarray(from, to));
        await sleep(20);
      }
    });
    const res = await conn.send(3, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false } as never);
    expect(res.topics.map((t) => t.name)).toEqual(['a', 'b']);
    conn.close();
  });

  test('a size prefix below 4, split across reads, closes the connection and fails what is in flight with the reason', async () => {
    const conn = await rawBroker(async (socket, frame) => {
      const h = decodeRequestHeader(frame);
      if (h.requestApiKey === 18) return void socket.write(apiVersionsAnswer(h.correlationId, h.requestApiVersion));
      socket.write(Buffer.from([0xff, 0xff]));
      await sleep(20);
      socket.write(Buffer.from([0xff, 0xfb, 0, 0, 0, 0])); // size -5, then bytes that must not be read as a frame
    });
    const err = await conn.send(3, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false } as never).then(
      () => null,
      (e: KafkaProducerError) => e,
    );
    expect(err?.type).toBe('NETWORK_EXCEPTION');
    expect(err?.message).toMatch(/Invalid response size -5/);
    expect(conn.state).toBe('closed');
  });

  test('answers arriving together in one read are each handled, and one larger than the read buffer arrives whole', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `topic-with-a-long-name-${String(i).padStart(6, '0')}`); // ~100 KB of names: several reads
    const queued: Buffer[] = [];
    const conn = await rawBroker((socket, frame) => {
      const h = decodeRequestHeader(frame);
      if (h.requestApiKey === 18) return void socket.write(apiVersionsAnswer(h.correlationId, h.requestApiVersion));
      queued.push(metadataAnswer(h.correlationId, h.requestApiVersion, queued.length === 1 ? big : [`t${queued.length}`]));
      if (queued.length === 3) socket.write(Buffer.concat(queued)); // three answers in one write
    });
    const request = { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false } as never;
    const answers = await Promise.all([conn.send(3, request), conn.send(3, request), conn.send(3, request)]);
    expect(answers.map((a) => a.topics.length)).toEqual([1, big.length, 1]);
    expect(answers[0].topics[0].name).toBe('t0');
    expect(answers[1].topics.map((t) => t.name)).toEqual(big);
    expect(answers[2].topics[0].name).toBe('t2');
    conn.close();
  });
});

describe('reconnects', () => {
  // Java: ClusterConnectionStates backs off reconnect.backoff.ms · 2^failures (±20%) up to
  // reconnect.backoff.max.ms; over 1.5 s with 50 → 1000 ms that is about 6 attempts.
  test('every broker down: reconnect attempts back off exponentially', async () => {
    let accepted = 0;
    const srv = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const p = new Producer({ bootstrapServers: [`127.0.0.1:${port}`], reconnectBackoffMs: 50, reconnectBackoffMaxMs: 1000, maxBlockMs: 1500 });
    track(p);
    await expect(p.connect()).rejects.toMatchObject({ type: 'REQUEST_TIMED_OUT' });
    expect(accepted).toBeGreaterThanOrEqual(3);
    expect(accepted).toBeLessThanOrEqual(10);
  });

  test('the leader drops the connection mid-request: the batch is retried on a new connection, delivered once', async () => {
    const { b, p } = await setup();
    b.checkSequences = true;
    b.produceScript = (_r, attempt) => (attempt === 1 ? 'disconnect' : undefined);
    expect((await p.produce('t', { value: 'v' })).offset).toBe(0n);
    expect(b.logEnd('t', 0)).toBe(1n);
    expect(b.connections).toBeGreaterThanOrEqual(2);
  });
});

describe('maxRequestSize and batch composition', () => {
  // Java's drain: a request takes one batch per partition while the sum stays within maxRequestSize.
  test('batches of two partitions that together exceed maxRequestSize go in separate requests', async () => {
    const { b, p } = await setup({ maxRequestSize: 1000, batchSize: 700, lingerMs: 50, idempotence: false, acks: 1 });
    b.topics = { t: 2 };
    await p.connect();
    const prs = [0, 1].map((partition) => p.produce('t', { value: Buffer.alloc(550), partition }));
    await Promise.all(prs);
    const requests = b.received.map((r) => r.request);
    expect(new Set(requests).size).toBe(2);
  });

  test('a record above maxRequestSize fails at once with MESSAGE_TOO_LARGE and is not sent', async () => {
    const { b, p } = await setup({ maxRequestSize: 1000 });
    expect(await outcome(p.produce('t', { value: Buffer.alloc(1000) }))).toBe('MESSAGE_TOO_LARGE');
    expect(b.received).toHaveLength(0);
  });
});

describe('close() and flush()', () => {
  test('close({ timeoutMs }) with requests in flight: every record rejects PRODUCER_CLOSED, nothing stays buffered', async () => {
    const { b, p } = await setup({ requestTimeoutMs: 30_000 });
    b.produceScript = () => 'silent';
    await p.connect();
    const results = Array.from({ length: 10 }, (_, i) => outcome(p.produce('t', { value: `v${i}` })));
    await sleep(100);
    expect(p.metrics().inFlightRequests).toBeGreaterThan(0);
    await p.close({ timeoutMs: 50 });
    expect(await Promise.all(results)).toEqual(Array(10).fill('PRODUCER_CLOSED'));
    expect(p.metrics()).toMatchObject({ bufferedBytes: 0, bufferedRecords: 0, inFlightRequests: 0 });
  });

  test('close() without a timeout waits for in-flight requests to be answered', async () => {
    const { b, p } = await setup();
    b.produceScript = (_r, attempt) => (attempt === 1 ? 'silent' : undefined);
    await p.connect();
    const first = outcome(p.produce('t', { value: 'a' }));
    await sleep(50);
    // nobody answers the first request: dropping the connection gets it retried
    setTimeout(() => b.dropConnections(), 100);
    await p.close();
    expect(await first).toBe('ok');
    expect(b.logEnd('t', 0)).toBe(1n);
  });

  test('flush() sends at once despite lingerMs and resolves after the records are acknowledged', async () => {
    const { b, p } = await setup({ lingerMs: 60_000 });
    await p.connect();
    let done = false;
    const pr = p.produce('t', { value: 'v' }).then((m) => ((done = true), m));
    const started = Date.now();
    await p.flush();
    expect(done).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await pr).offset).toBe(0n);
    expect(b.logEnd('t', 0)).toBe(1n);
  });

  test('acks=0: records resolve with offset -1n once written, and memory is returned', async () => {
    const { b, p } = await setup({ acks: 0 });
    const md = await Promise.all(Array.from({ length: 5 }, (_, i) => p.produce('t', { value: `v${i}` })));
    expect(md.map((m) => m.offset)).toEqual(Array(5).fill(-1n));
    await p.flush();
    expect(p.metrics()).toMatchObject({ bufferedBytes: 0, bufferedRecords: 0 });
    await sleep(50);
    expect(b.logEnd('t', 0)).toBe(5n);
  });
});
