import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey, decodeResponse, defaultApiVersionsRequest, defaultMetadataRequest, encodeRequest } from '../../src/protocol/index.js';
import { fakeLogLines, fakeMetadataStarted, loggedSince, rawFrame, startFakeServer, type FakeServer } from './fake-server.js';
import { until } from '../support/until.js';
import { TestClient } from './test-client.js';

const topics = (...names: string[]) => ({ ...defaultMetadataRequest(), topics: names.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })) });

describe('connections', () => {
  let s: FakeServer;
  beforeAll(async () => {
    s = await startFakeServer({ socketRequestMaxBytes: 4096, connectionsMaxIdleMs: 1000 });
  });
  afterAll(() => s.stop());

  it('reassembles requests delivered one byte at a time, and several in one write', async () => {
    const client = await TestClient.connect(s.port);
    const bytes = Buffer.concat(encodeRequest(ApiKey.ApiVersions, 3, 7, 'slow', defaultApiVersionsRequest()));
    for (const byte of bytes) {
      client.sendRaw(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect(decodeResponse(ApiKey.ApiVersions, 3, await client.frame(7)).body.errorCode).toBe(ErrorCode.NONE);
    const batch = Buffer.concat([8, 9, 10].flatMap((id) => encodeRequest(ApiKey.Metadata, 9, id, null, topics(`t${id}`))));
    client.sendRaw(batch);
    for (const id of [8, 9, 10]) {
      expect(decodeResponse(ApiKey.Metadata, 9, await client.frame(id)).body.topics[0].name).toBe(`t${id}`);
    }
    client.close();
  });

  it('answers pipelined requests strictly in request order when later ones finish first', async () => {
    const client = await TestClient.connect(s.port);
    const ids = [
      client.send(ApiKey.Metadata, 9, topics('sleep-150')),
      client.send(ApiKey.Metadata, 9, topics('sleep-50')),
      client.send(ApiKey.ApiVersions, 3, defaultApiVersionsRequest()),
      client.send(ApiKey.Metadata, 9, topics('sleep-0')),
    ];
    await client.frame(ids[3]);
    expect(client.arrivals).toEqual(ids);
    client.close();
  });

  it('skips requests that need no response without holding back the ones after them', async () => {
    const client = await TestClient.connect(s.port);
    const silent = client.send(ApiKey.Metadata, 9, topics('silent'));
    const next = client.send(ApiKey.Metadata, 9, topics('after'));
    await client.frame(next);
    expect(client.arrivals).toEqual([next]);
    expect(client.arrivals).not.toContain(silent);
    client.close();
  });

  it('closes only the connection that sent a frame above socket.request.max.bytes', async () => {
    const bad = await TestClient.connect(s.port);
    const good = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    const size = Buffer.alloc(4);
    size.writeInt32BE(4097, 0);
    bad.sendRaw(size);
    await bad.closed;
    expect(loggedSince(mark, /request size 4097 is larger than socket.request.max.bytes 4096/)).toBe(true);
    expect((await good.request(ApiKey.ApiVersions, 3, defaultApiVersionsRequest())).errorCode).toBe(ErrorCode.NONE);
    good.close();
  });

  it('closes a connection whose frame is too small to hold a request header', async () => {
    const client = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    client.sendRaw(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    await client.closed;
    expect(loggedSince(mark, /request size 3 is smaller than a request header/)).toBe(true);
  });

  it('answers what came before a malformed request, then closes', async () => {
    const client = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    const slowId = client.send(ApiKey.Metadata, 9, topics('sleep-50'));
    // Metadata v1 whose topics array claims 5 entries and has none; then a request that must
    // never be served because it follows the malformed one.
    client.sendRaw(Buffer.concat([rawFrame(ApiKey.Metadata, 1, 99, Buffer.from([0, 0, 0, 5])), ...encodeRequest(ApiKey.ApiVersions, 3, 100, null, defaultApiVersionsRequest())]));
    await client.closed;
    expect(client.arrivals).toEqual([slowId]);
    expect(loggedSince(mark, /malformed Metadata v1 request/)).toBe(true);
  });

  it('closes a connection idle for longer than connections.max.idle.ms, but not one waiting for a response', async () => {
    const idle = await TestClient.connect(s.port);
    const busy = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    const slow = busy.send(ApiKey.Metadata, 9, topics('sleep-1500'));
    await idle.closed;
    expect(loggedSince(mark, /idle for more than 1000 ms \(connections\.max\.idle\.ms\)/)).toBe(true);
    await busy.frame(slow);
    expect(busy.isOpen).toBe(true);
    busy.close();
  });

  it('answers requests in flight before closing connections on stop', async () => {
    const other = await startFakeServer();
    const client = await TestClient.connect(other.port);
    const started = fakeMetadataStarted.count;
    const id = client.send(ApiKey.Metadata, 9, topics('sleep-100'));
    await until(() => fakeMetadataStarted.count > started, 'the request to reach the handler');
    await other.stop();
    expect(client.arrivals).toEqual([id]);
    await client.closed;
  });

  it('on stop, closes idle connections whose clients do not close their side (no grace-period wait)', async () => {
    // Like franz-go: the client reads only while it awaits a response, so it never answers the
    // broker's FIN; the broker must not hold its shutdown for the grace period because of it.
    const other = await startFakeServer();
    const socket = connect({ host: '127.0.0.1', port: other.port, allowHalfOpen: true });
    await new Promise((resolve) => socket.once('connect', resolve));
    const ended = new Promise((resolve) => socket.once('end', resolve)); // the client keeps its side open
    const mark = fakeLogLines.length;
    await other.stop();
    expect(loggedSince(mark, /connection\(s\) still open/)).toBe(false);
    await ended;
    socket.destroy();
  });
});
