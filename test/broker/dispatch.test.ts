import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ApiKey, decodeResponse, defaultMetadataRequest } from '../../src/protocol/index.js';
import { fakeLogLines, loggedSince, rawFrame, startFakeServer, type FakeServer } from './fake-server.js';
import { TestClient } from './test-client.js';

const topics = (...names: string[]) => ({ ...defaultMetadataRequest(), topics: names.map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })) });

describe('dispatch', () => {
  let s: FakeServer;
  beforeAll(async () => {
    s = await startFakeServer();
  });
  afterAll(() => s.stop());

  it('closes the connection on an api key without a handler, as Kafka does', async () => {
    for (const apiKey of [999, ApiKey.ListOffsets]) {
      const client = await TestClient.connect(s.port);
      const mark = fakeLogLines.length;
      client.sendRaw(rawFrame(apiKey, 1, 1, Buffer.alloc(0)));
      await client.closed;
      expect(loggedSince(mark, new RegExp(`unsupported api key ${apiKey}`))).toBe(true);
    }
  });

  it('answers an ApiVersions version it does not know with the v0 UNSUPPORTED_VERSION body', async () => {
    const client = await TestClient.connect(s.port);
    client.sendRaw(rawFrame(ApiKey.ApiVersions, 9, 5, Buffer.from([1, 1, 0]), true));
    const { correlationId, body } = decodeResponse(ApiKey.ApiVersions, 0, await client.frame(5));
    expect(correlationId).toBe(5);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    expect(client.isOpen).toBe(true);
    client.close();
  });

  it('answers a negative ApiVersions version with the v0 UNSUPPORTED_VERSION body, keeping the connection', async () => {
    const client = await TestClient.connect(s.port);
    for (const [version, correlationId] of [[-1, 6], [-32768, 7]]) {
      client.sendRaw(rawFrame(ApiKey.ApiVersions, version, correlationId, Buffer.alloc(0)));
      const { body } = decodeResponse(ApiKey.ApiVersions, 0, await client.frame(correlationId));
      expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
      expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    }
    expect(client.isOpen).toBe(true);
    client.close();
  });

  it('answers a protocol version outside the handler’s range with its UNSUPPORTED_VERSION response', async () => {
    const client = await TestClient.connect(s.port);
    for (const version of [0, 10, 12]) {
      const res = await client.request(ApiKey.Metadata, version, topics('x'));
      expect(res.topics).toEqual([expect.objectContaining({ name: 'x', errorCode: ErrorCode.UNSUPPORTED_VERSION })]);
    }
    client.close();
  });

  it('closes the connection on a version beyond the protocol', async () => {
    const client = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    client.sendRaw(rawFrame(ApiKey.Metadata, 99, 1, Buffer.alloc(0), true));
    await client.closed;
    expect(loggedSince(mark, /Metadata version 99 is outside the protocol \(0-12\)/)).toBe(true);
  });

  it('answers a handler failure with its error response and logs it, keeping the connection', async () => {
    const client = await TestClient.connect(s.port);
    const mark = fakeLogLines.length;
    const res = await client.request(ApiKey.Metadata, 9, topics('throw'));
    expect(res.topics[0]).toMatchObject({ name: 'throw', errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
    expect(fakeLogLines.slice(mark).some((l) => l.level === 'error' && /scripted failure/.test(l.message))).toBe(true);
    expect((await client.request(ApiKey.Metadata, 9, topics('ok'))).topics[0].errorCode).toBe(ErrorCode.NONE);
    client.close();
  });

  it('keeps the request order when an answer is computed synchronously after an async one', async () => {
    const client = await TestClient.connect(s.port);
    const first = client.send(ApiKey.Metadata, 9, topics('sleep-30'));
    const second = client.send(ApiKey.ApiVersions, 0, { clientSoftwareName: '', clientSoftwareVersion: '' });
    await client.frame(second);
    expect(client.arrivals).toEqual([first, second]);
    client.close();
  });
});
