// The Producer against an in-process Sluice broker: every record comes back as sent.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestBroker, type TestBroker } from '../broker/test-broker.js';
import { TestClient } from '../broker/test-client.js';
import { KafkaProducerError, Producer, partitionForKey, type CompressionType, type ProducerOptions } from '../../src/producer/index.js';
import { createTopic, readPartition } from './broker-helpers.js';

let b: TestBroker;
let client: TestClient;
const producers: Producer[] = [];

beforeAll(async () => {
  b = await startTestBroker({ 'num.partitions': '3' });
  client = await TestClient.connect(b.port);
});
afterAll(async () => {
  await Promise.all(producers.map((p) => p.close({ timeoutMs: 1000 })));
  client.close();
  await b.stop();
});

function producer(options: Partial<ProducerOptions> = {}): Producer {
  const p = new Producer({ bootstrapServers: [`127.0.0.1:${b.port}`], ...options });
  producers.push(p);
  return p;
}

/** A loopback port nothing listens on. */
async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('Producer against Sluice', () => {
  test('send() returns each record\'s partition and offset; keyed records land where Java puts them', async () => {
    await createTopic(client, 'keys', 5);
    const p = producer();
    await p.connect();
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const meta = await p.send({ topic: 'keys', messages: keys.map((k) => ({ key: k, value: `value-of-${k}` })) });
    expect(meta).toHaveLength(50);
    for (let i = 0; i < keys.length; i++) {
      expect(meta[i].topic).toBe('keys');
      expect(meta[i].partition).toBe(partitionForKey(Buffer.from(keys[i]), 5));
    }
    for (let part = 0; part < 5; part++) {
      const stored = (await readPartition(client, 'keys', part)).flatMap((x) => x.records);
      const expected = keys.filter((k) => partitionForKey(Buffer.from(k), 5) === part);
      expect(stored.map((r) => r.key!.toString())).toEqual(expected);
      expect(stored.map((r) => r.value!.toString())).toEqual(expected.map((k) => `value-of-${k}`));
      // offsets reported match where the records were stored
      const reported = meta.filter((m) => m.partition === part).map((m) => m.offset);
      expect(reported).toEqual(stored.map((r) => BigInt(r.offset)));
    }
  });

  test('produce(): headers, explicit partition, timestamp and null key/value are stored byte-identical', async () => {
    await createTopic(client, 'exact', 2);
    const p = producer();
    const value = Buffer.from([0, 1, 2, 255, 254]);
    const md = await p.produce('exact', { key: null, value, partition: 1, timestamp: 1_600_000_000_123, headers: { a: 'x', b: Buffer.from([9]) } });
    expect(md).toEqual({ topic: 'exact', partition: 1, offset: 0n, timestamp: 1_600_000_000_123 });
    await p.produce('exact', { key: 'k', value: null, partition: 1, headers: [{ key: 'n', value: null }] });
    const [first, second] = (await readPartition(client, 'exact', 1)).flatMap((x) => x.records);
    expect(first).toMatchObject({ key: null, value, timestamp: 1_600_000_000_123 });
    expect(first.headers).toEqual([
      { key: 'a', value: Buffer.from('x') },
      { key: 'b', value: Buffer.from([9]) },
    ]);
    expect(second).toMatchObject({ key: Buffer.from('k'), value: null, headers: [{ key: 'n', value: null }] });
  });

  test('idempotent by default: batches carry the producer id, epoch and consecutive sequences', async () => {
    await createTopic(client, 'idem', 1);
    const p = producer({ lingerMs: 0, batchSize: 200 });
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => p.produce('idem', { value: `r${i}` })));
    expect(all.map((m) => m.offset)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i)));
    const batches = await readPartition(client, 'idem', 0);
    expect(batches.length).toBeGreaterThan(1);
    let seq = 0;
    for (const x of batches) {
      expect(x.producerId).toBe(Number(p.metrics().producerId));
      expect(x.producerId).toBeGreaterThanOrEqual(0);
      expect(x.baseSequence).toBe(seq);
      seq += x.records.length;
    }
  });

  test.each([
    ['all' as const, 'acks-all'],
    [1 as const, 'acks-1'],
    [0 as const, 'acks-0'],
  ])('acks=%s: records are stored; acks=0 reports offset -1', async (acks, topic) => {
    await createTopic(client, topic, 1);
    const p = producer({ acks });
    const meta = await p.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    expect(meta.map((m) => m.offset)).toEqual(acks === 0 ? [-1n, -1n] : [0n, 1n]);
    await p.flush();
    await expect.poll(async () => (await readPartition(client, topic, 0)).flatMap((x) => x.records).map((r) => r.value!.toString())).toEqual(['a', 'b']);
  });

  test.each(['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionType[])('compression %s: records read back byte-identical', async (compression) => {
    const topic = `codec-${compression}`;
    await createTopic(client, topic, 1);
    const p = producer({ compression, lingerMs: 20 });
    const values = Array.from({ length: 300 }, (_, i) => Buffer.from(`${compression}-${i}-`.repeat(1 + (i % 7))));
    await Promise.all(values.map((value, i) => p.produce(topic, { key: `k${i}`, value })));
    const batches = await readPartition(client, topic, 0);
    const codecId = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }[compression];
    expect(batches.every((x) => x.compression === codecId)).toBe(true);
    expect(batches.flatMap((x) => x.records).map((r) => r.value)).toEqual(values);
  });

  test('keyless records stick to one partition for a batch, then move on', async () => {
    await createTopic(client, 'sticky', 4);
    const p = producer({ batchSize: 1000, lingerMs: 1000 });
    const meta = await Promise.all(Array.from({ length: 200 }, () => p.produce('sticky', { value: Buffer.alloc(90) })));
    let switches = 0;
    for (let i = 1; i < meta.length; i++) if (meta[i].partition !== meta[i - 1].partition) switches++;
    // ~100 bytes a record: a switch every ~10 records, never on every record.
    expect(switches).toBeGreaterThan(3);
    expect(switches).toBeLessThan(60);
  });

  test('a topic that does not exist yet is auto-created on first send', async () => {
    const p = producer();
    const md = await p.produce('auto-created', { value: 'v' });
    expect(md.partition).toBeGreaterThanOrEqual(0);
    expect(md.partition).toBeLessThan(3);
  });

  test('bootstrapServers may list dead servers', async () => {
    await createTopic(client, 'boot', 1);
    const dead = await deadPort();
    const p = producer({ bootstrapServers: [`127.0.0.1:${dead}`, `127.0.0.1:${b.port}`, `127.0.0.1:${dead}`], reconnectBackoffMs: 10 });
    await p.connect();
    expect((await p.produce('boot', { value: 'x' })).offset).toBe(0n);
  });

  test('an explicit partition that does not exist fails after maxBlockMs with UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await createTopic(client, 'two', 2);
    const p = producer({ maxBlockMs: 300 });
    const err = await p.produce('two', { value: 'v', partition: 7 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaProducerError);
    expect(err).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringContaining('Partition 7 of topic two') });
    const negative = await p.produce('two', { value: 'v', partition: -1 }).catch((e: unknown) => e);
    expect(negative).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: false });
  });

  test('a record above maxRequestSize is refused with MESSAGE_TOO_LARGE and nothing is sent', async () => {
    const p = producer({ maxRequestSize: 1000 });
    const err = await p.produce('keys', { value: Buffer.alloc(2000) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'MESSAGE_TOO_LARGE', retriable: false, code: 10 });
    expect(p.metrics().requestsSent).toBe(0);
  });

  test('bufferMemory: a full buffer makes produce() wait, then every record is delivered in order', async () => {
    await createTopic(client, 'pressure', 1);
    const p = producer({ batchSize: 1024, bufferMemory: 4096, lingerMs: 0 });
    let maxBuffered = 0;
    let maxWaiting = 0;
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 500; i++) {
      all.push(p.produce('pressure', { value: Buffer.from(`record-${i}`.padEnd(100, '.')) }));
      const m = p.metrics();
      maxBuffered = Math.max(maxBuffered, m.bufferedBytes);
      maxWaiting = Math.max(maxWaiting, m.waitingRecords);
    }
    await Promise.all(all);
    expect(maxBuffered).toBeLessThanOrEqual(4096);
    expect(maxWaiting).toBeGreaterThan(0);
    const stored = (await readPartition(client, 'pressure', 0)).flatMap((x) => x.records);
    expect(stored.map((r) => r.value!.toString().replace(/\.+$/, ''))).toEqual(Array.from({ length: 500 }, (_, i) => `record-${i}`));
  });

  test('close() flushes what is buffered first; later sends are refused', async () => {
    await createTopic(client, 'closing', 1);
    const p = producer({ lingerMs: 60_000 });
    const pending = Array.from({ length: 10 }, (_, i) => p.produce('closing', { value: `c${i}` }));
    await p.close();
    expect((await Promise.all(pending)).map((m) => m.offset)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    await expect(p.produce('closing', { value: 'late' })).rejects.toMatchObject({ type: 'PRODUCER_CLOSED' });
  });

  test('an answer sends the next ready request before the answered records resolve (the pipeline stays full)', async () => {
    await createTopic(client, 'pipeline', 1);
    // One request in flight and one record a batch: every batch after the first waits for an answer.
    const p = producer({ maxInFlightRequestsPerConnection: 1, batchSize: 1, lingerMs: 0 });
    let requests = 0;
    p.on('request', () => requests++);
    const sentWhenResolved: number[] = [];
    const acks = Array.from({ length: 4 }, (_, i) =>
      p.produce('pipeline', { value: `r${i}` }).then((md) => {
        sentWhenResolved.push(requests);
        return md.offset;
      }),
    );
    expect(await Promise.all(acks)).toEqual([0n, 1n, 2n, 3n]);
    // Record i resolves after request i + 1 went out (the last has none to follow it).
    expect(sentWhenResolved).toEqual([2, 3, 4, 4]);
  });

  test('events and metrics report what is in flight', async () => {
    await createTopic(client, 'events', 1);
    const p = producer();
    const requests: unknown[] = [];
    const connects: unknown[] = [];
    p.on('request', (r) => requests.push(r));
    p.on('connect', (c) => connects.push(c));
    const inflight = p.produce('events', { value: 'e' });
    expect(p.metrics().bufferedRecords + p.metrics().waitingRecords).toBe(1);
    await inflight;
    expect(connects.length).toBeGreaterThan(0);
    expect(requests).toContainEqual(expect.objectContaining({ apiKey: 0, records: 1 }));
    expect(p.metrics()).toMatchObject({ bufferedRecords: 0, bufferedBytes: 0, inFlightBatches: 0, recordsSent: 1 });
  });
});
