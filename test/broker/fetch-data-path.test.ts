// The fetch data path through a real broker connection, with each region writer: record bytes
// go file → socket (sendfile: none copied into JS), pipelined responses stay in request order
// around large fetches, a log deleted while its records are being sent still sends them whole,
// and a client that disconnects mid-send leaves the broker serving everyone else.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WriterKind } from '../../src/broker/response-writer.js';
import { native } from '../../src/native/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey, defaultApiVersionsRequest, defaultMetadataRequest } from '../../src/protocol/index.js';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/records.js';
import { until } from '../support/until.js';
import { fetchRequest, produceRequest } from './requests.js';
import { TestClient } from './test-client.js';
import { brokerLogLines, useBrokerWithClient } from './test-broker.js';

/** Batches of 8 random 100 KB values: 12 of them are far more than loopback buffers hold. */
const BATCHES = 12;
const VALUE_BYTES = 100 * 1024;
const BIG = { maxBytes: 64 << 20, partitionMaxBytes: 64 << 20 };

function bigBatch(seed: number): Buffer {
  return encodeRecordBatch({
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records: Array.from({ length: 8 }, (_, i) => ({
      key: Buffer.from(`k${seed}-${i}`),
      value: randomBytes(VALUE_BYTES),
      headers: [],
      timestamp: 1_700_000_000_000 + i,
    })),
  });
}

describe.each<WriterKind>(['sendfile', 'copying'])('fetch data path, %s writer', (kind) => {
  const b = useBrokerWithClient({ 'log.segment.delete.delay.ms': '0' });
  const clients: TestClient[] = [];
  let produced: Buffer[];
  let storedBytes: number;

  /** A connection whose writer is `kind` (a connection picks it when accepted). */
  async function connect(): Promise<TestClient> {
    const saved = process.env.SLUICE_FETCH_WRITER;
    process.env.SLUICE_FETCH_WRITER = kind;
    try {
      const client = await TestClient.connect(b.port);
      clients.push(client);
      return client;
    } finally {
      if (saved === undefined) delete process.env.SLUICE_FETCH_WRITER;
      else process.env.SLUICE_FETCH_WRITER = saved;
    }
  }

  async function produceTo(topic: string): Promise<Buffer[]> {
    b.broker.services.topics.createTopic(topic, { numPartitions: 1 });
    const batches = Array.from({ length: BATCHES }, (_, i) => bigBatch(i));
    for (const batch of batches) {
      const res = await b.client.request(ApiKey.Produce, 9, produceRequest(topic, 0, Buffer.from(batch)));
      expect(res.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
    }
    return batches;
  }

  /** Metric that counts this writer's record bytes, and the one that must not move. */
  const counted = (m: { sendfileBytes: number; copiedBytes: number }) => (kind === 'sendfile' ? m.sendfileBytes : m.copiedBytes);
  const other = (m: { sendfileBytes: number; copiedBytes: number }) => (kind === 'sendfile' ? m.copiedBytes : m.sendfileBytes);

  beforeAll(async () => {
    produced = await produceTo('big');
    storedBytes = produced.reduce((n, x) => n + x.length, 0);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });

  it('answers pipelined small requests and large fetches in request order, records whole', async () => {
    const client = await connect();
    client.pause();
    const before = native.dataPathMetrics();
    const ids = [
      client.send(ApiKey.ApiVersions, 3, defaultApiVersionsRequest()),
      client.send(ApiKey.Fetch, 12, fetchRequest('big', 0, 0, BIG)),
      client.send(ApiKey.Metadata, 9, defaultMetadataRequest()),
      client.send(ApiKey.Fetch, 4, fetchRequest('big', 0, 8 * 6, BIG)),
      client.send(ApiKey.ApiVersions, 3, defaultApiVersionsRequest()),
    ];
    // The first fetch fills the socket while the client does not read; the rest queue behind it.
    await until(() => counted(native.dataPathMetrics()) > counted(before), 'the first fetch to start sending');
    client.resume();
    const whole = await client.response(ApiKey.Fetch, 12, ids[1]);
    const half = await client.response(ApiKey.Fetch, 4, ids[3]);
    await client.frame(ids[4]);
    expect(client.arrivals).toEqual(ids);

    const records = (batches: Buffer[]) => batches.flatMap((x) => decodeRecordBatches(x).flatMap((d) => d.records.map((r) => r.value!.toString('hex'))));
    expect(decodeRecordBatches(whole.responses[0].partitions[0].records!).flatMap((d) => d.records.map((r) => r.value!.toString('hex')))).toEqual(records(produced));
    expect(decodeRecordBatches(half.responses[0].partitions[0].records!).map((d) => d.baseOffset)).toEqual([48, 56, 64, 72, 80, 88]);

    const after = native.dataPathMetrics();
    const fetched = storedBytes + produced.slice(6).reduce((n, x) => n + x.length, 0);
    expect(counted(after) - counted(before)).toBe(fetched);
    expect(other(after) - other(before)).toBe(0);
  });

  it('sends a fetch whole when its topic is deleted while the response is being written', async () => {
    await produceTo('doomed');
    const client = await connect();
    client.pause();
    const before = native.dataPathMetrics();
    const id = client.send(ApiKey.Fetch, 12, fetchRequest('doomed', 0, 0, BIG));
    await until(() => counted(native.dataPathMetrics()) > counted(before), 'the fetch to start sending');
    b.broker.services.topics.deleteTopic('doomed');
    await until(() => !readdirSync(b.dir).some((d) => d.startsWith('doomed-')), 'the deleted log directory to be removed');
    expect(existsSync(join(b.dir, 'doomed-0'))).toBe(false);
    client.resume();
    const res = await client.response(ApiKey.Fetch, 12, id);
    expect(decodeRecordBatches(res.responses[0].partitions[0].records!)).toHaveLength(BATCHES);
  });

  it('keeps serving fetches and pool work while more clients than libuv pool threads stall mid-fetch', async () => {
    const stalled = await Promise.all(Array.from({ length: 6 }, () => connect()));
    const before = native.dataPathMetrics();
    for (const c of stalled) {
      c.pause();
      c.send(ApiKey.Fetch, 12, fetchRequest('big', 0, 0, BIG));
    }
    await until(() => counted(native.dataPathMetrics()) - counted(before) > 6 * 1024 * 1024, 'the stalled fetches to fill their sockets');
    const next = await connect();
    const res = await next.request(ApiKey.Fetch, 12, fetchRequest('big', 0, 0, BIG));
    expect(decodeRecordBatches(res.responses[0].partitions[0].records!)).toHaveLength(BATCHES);
    await native.fsyncFilesAsync([]); // the libuv pool is free
    for (const c of stalled) c.resume();
  });

  it('closes the connection with a logged reason when a segment file is shorter than the records promised', async () => {
    await produceTo(`cut-${kind}`);
    const client = await connect();
    client.pause();
    const before = native.dataPathMetrics();
    const mark = brokerLogLines.length;
    const id = client.send(ApiKey.Fetch, 12, fetchRequest(`cut-${kind}`, 0, 0, BIG));
    await until(() => counted(native.dataPathMetrics()) > counted(before), 'the fetch to start sending');
    truncateSync(join(b.dir, `cut-${kind}-0`, '00000000000000000000.log'), 1000); // never happens to a healthy log
    client.resume();
    await expect(client.frame(id)).rejects.toThrow(/connection closed/);
    const logged = brokerLogLines.slice(mark).filter((l) => l.level === 'warn').map((l) => l.message);
    // sendfile meets the early end of file; the copying writer's pread does.
    expect(logged.some((m) => /closing connection .*sending a response with records failed: (segment file ended|read log)/.test(m))).toBe(true);
  });

  it('keeps serving other clients after one disconnects in the middle of a fetch', async () => {
    const quitter = await connect();
    quitter.pause();
    const before = native.dataPathMetrics();
    quitter.send(ApiKey.Fetch, 12, fetchRequest('big', 0, 0, BIG));
    await until(() => counted(native.dataPathMetrics()) > counted(before), 'the fetch to start sending');
    quitter.close();
    const next = await connect();
    const res = await next.request(ApiKey.Fetch, 12, fetchRequest('big', 0, 0, BIG));
    expect(decodeRecordBatches(res.responses[0].partitions[0].records!)).toHaveLength(BATCHES);
  });
});
