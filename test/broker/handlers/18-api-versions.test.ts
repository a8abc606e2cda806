import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { ApiKey, apiSpecs, decodeResponse, defaultApiVersionsRequest } from '../../../src/protocol/index.js';
import { useBrokerWithClient } from '../test-broker.js';

describe('ApiVersions', () => {
  const b = useBrokerWithClient();

  it('advertises exactly the version window the broker serves', async () => {
    const res = await b.client.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'sluice-test', clientSoftwareVersion: '1.0' });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    const versions = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect(Object.fromEntries(versions)).toEqual({
      0: [0, 11], // Produce: advertised from 0 for librdkafka's codecs, served from 3
      1: [4, 17],
      2: [1, 9],
      3: [0, 12],
      8: [2, 9],
      9: [1, 9],
      10: [0, 6], // FindCoordinator: librdkafka enables LZ4 only when v0 is advertised
      11: [0, 9],
      12: [0, 4],
      13: [0, 5],
      14: [0, 5],
      15: [0, 5],
      16: [0, 5],
      18: [0, 4],
      19: [2, 7],
      20: [1, 6],
      21: [0, 2],
      22: [0, 5],
      23: [2, 4],
      32: [1, 4],
      33: [0, 2],
      35: [1, 4],
      37: [0, 3],
      42: [0, 2],
      44: [0, 1],
      47: [0, 0],
      60: [0, 1],
    });
    expect(res.apiKeys.map((k) => k.apiKey)).toEqual([...versions.keys()].sort((x, y) => x - y));
    for (const k of res.apiKeys) {
      expect(k.minVersion).toBeGreaterThanOrEqual(apiSpecs[k.apiKey].minVersion);
      expect(k.maxVersion).toBeLessThanOrEqual(apiSpecs[k.apiKey].maxVersion);
    }
    expect(res.finalizedFeatures).toEqual([]);
    expect(res.finalizedFeaturesEpoch).toBe(-1n);
  });

  it.each([0, 1, 2, 3, 4])('answers v%i', async (version) => {
    const res = await b.client.request(ApiKey.ApiVersions, version, { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '4.1.1' });
    expect(res.errorCode).toBe(ErrorCode.NONE);
    expect(res.apiKeys.find((k) => k.apiKey === ApiKey.ApiVersions)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 4 });
  });

  it('answers v0-v2 whatever software name the (absent) fields hold', async () => {
    for (const version of [0, 1, 2]) {
      expect((await b.client.request(ApiKey.ApiVersions, version, defaultApiVersionsRequest())).errorCode).toBe(ErrorCode.NONE);
    }
  });

  it.each([
    ['', '1.0'],
    ['sluice-test', ''],
    ['-leading-dash', '1.0'],
    ['trailing.', '1.0'],
    ['under_score', '1.0'],
    ['sluice test', '1.0'],
    ['sluice', '1.0-SNAPSHOT+build'],
    ['kafkä', '1.0'],
  ])('answers v3+ INVALID_REQUEST with no api keys for software name %j / version %j (Kafka’s pattern)', async (name, ver) => {
    for (const version of [3, 4]) {
      const res = await b.client.request(ApiKey.ApiVersions, version, { clientSoftwareName: name, clientSoftwareVersion: ver });
      expect(res.errorCode).toBe(ErrorCode.INVALID_REQUEST);
      expect(res.apiKeys).toEqual([]);
    }
    expect(b.client.isOpen).toBe(true);
  });

  it.each([
    ['librdkafka', '2.3.0'],
    ['apache-kafka-java', '4.1.1'],
    ['a', '1'],
    ['kafkajs', '2.2.4'],
  ])('accepts v3+ software name %j / version %j', async (name, ver) => {
    const res = await b.client.request(ApiKey.ApiVersions, 4, { clientSoftwareName: name, clientSoftwareVersion: ver });
    expect(res.errorCode).toBe(ErrorCode.NONE);
  });

  it('answers an unknown version with a v0 UNSUPPORTED_VERSION body listing ApiVersions (KIP-511)', async () => {
    // ApiVersions v127, header v2 (flexible), body as a v3 client would send it.
    const payload = Buffer.from([0, 18, 0, 127, 0, 0, 0, 42, 0xff, 0xff, 0, 1, 1, 0]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length, 0);
    b.client.sendRaw(Buffer.concat([size, payload]));
    const frame = await b.client.frame(42);
    const { correlationId, body } = decodeResponse(ApiKey.ApiVersions, 0, frame);
    expect(correlationId).toBe(42);
    expect(body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(body.apiKeys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 4 }]);
    // A v0 body is exactly: error code, array of one (key, min, max). Nothing after it.
    expect(frame.length).toBe(4 + 2 + 4 + 6);
    expect(b.client.isOpen).toBe(true);
  });
});
