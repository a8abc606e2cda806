import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiKey,
  apiSchemas,
  apiSpecs,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  defaultFetchResponse,
  defaultMetadataResponse,
  encodeRequest,
  encodeResponse,
  ProtocolError,
} from '../../src/protocol/index.js';
import { inRange, parseRange } from '../../src/protocol/schema.js';
import { structArbitrary } from './arbitrary.js';

const frameOf = (chunks: Buffer[]) => Buffer.concat(chunks);

describe('message codec by hand-checked bytes', () => {
  it('encodes an ApiVersions v0 request with header v1', () => {
    const frame = frameOf(encodeRequest(ApiKey.ApiVersions, 0, 7, 'ab', { clientSoftwareName: '', clientSoftwareVersion: '' }));
    expect(frame.toString('hex')).toBe('0000000c' + '0012' + '0000' + '00000007' + '0002' + '6162');
  });

  it('encodes an ApiVersions v3 request with header v2 and compact strings', () => {
    const frame = frameOf(encodeRequest(ApiKey.ApiVersions, 3, 1, null, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }));
    // size, key 18, v3, corr 1, client id null (int16 -1), header tags 0, "x", "1", body tags 0
    expect(frame.toString('hex')).toBe('00000010' + '0012' + '0003' + '00000001' + 'ffff' + '00' + '0278' + '0231' + '00');
  });

  it('writes the ApiVersions v3 response with a v0 header (no header tagged fields)', () => {
    const frame = frameOf(
      encodeResponse(ApiKey.ApiVersions, 3, 5, {
        errorCode: 0,
        apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
        throttleTimeMs: 0,
        supportedFeatures: [],
        finalizedFeaturesEpoch: -1n,
        finalizedFeatures: [],
        zkMigrationReady: false,
      }),
    );
    // size, corr 5, error 0, 1 key (compact 2): 18/0/4 + tags, throttle 0, body tags 0
    expect(frame.toString('hex')).toBe('00000013' + '00000005' + '0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000' + '00');
  });

  it('writes a flexible response header with an empty tagged-field section', () => {
    const frame = frameOf(encodeResponse(ApiKey.InitProducerId, 2, 9, {
      throttleTimeMs: 0, errorCode: 0, producerId: 1n, producerEpoch: 0,
    }));
    expect(frame.subarray(0, 9).toString('hex')).toBe('00000016' + '00000009' + '00');
  });

  it('emits non-default tagged fields and skips default ones', () => {
    const body = { ...defaultMetadataResponse(), clusterId: 'c' };
    const chunks = encodeResponse(ApiKey.Metadata, 12, 1, body);
    const back = decodeResponse(ApiKey.Metadata, 12, frameOf(chunks).subarray(4)).body;
    expect(back.clusterId).toBe('c');
    // no tagged field: body ends with an empty tag section
    const fetch = frameOf(encodeResponse(ApiKey.Fetch, 16, 1, defaultFetchResponse()));
    expect(fetch[fetch.length - 1]).toBe(0);
  });

  it('fills fields absent in the decoded version with spec defaults', () => {
    const frame = frameOf(encodeRequest(ApiKey.Produce, 3, 1, 'c', {
      transactionalId: null, acks: 1, timeoutMs: 100, topicData: [],
    })).subarray(4);
    const h = decodeRequestHeader(frame);
    const fetchBack = decodeResponse(ApiKey.Produce, 3, frameOf(encodeResponse(ApiKey.Produce, 3, 1, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }],
      throttleTimeMs: 0, nodeEndpoints: [],
    })).subarray(4)).body;
    expect(decodeRequest(ApiKey.Produce, 3, frame, h.bodyOffset)).toEqual({ transactionalId: null, acks: 1, timeoutMs: 100, topicData: [] });
    // logStartOffset is v5+: decoded v3 gets the spec default -1
    expect(fetchBack.responses[0].partitionResponses[0].logStartOffset).toBe(-1n);
  });

  it('treats omitted fields as their defaults when encoding', () => {
    const frame = frameOf(encodeRequest(ApiKey.Metadata, 12, 1, 'c', { topics: null } as never)).subarray(4);
    const h = decodeRequestHeader(frame);
    expect(decodeRequest(ApiKey.Metadata, 12, frame, h.bodyOffset)).toEqual({
      topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
    });
  });

  it('keeps records zero-copy: decoded subarray of the frame, encoded as its own chunk', () => {
    const records = Buffer.alloc(4096, 1);
    const chunks = encodeRequest(ApiKey.Produce, 9, 1, 'c', {
      transactionalId: null, acks: -1, timeoutMs: 1, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
    });
    expect(chunks.some((c) => c === records)).toBe(true);
    const frame = frameOf(chunks).subarray(4);
    const body = decodeRequest(ApiKey.Produce, 9, frame, decodeRequestHeader(frame).bodyOffset);
    const got = body.topicData[0].partitionData[0].records!;
    expect(got.buffer).toBe(frame.buffer);
    expect(got.equals(records)).toBe(true);
  });

  it('preserves unknown tagged fields in tag order', () => {
    const body = { ...defaultMetadataResponse(), clusterId: 'c', _unknownTaggedFields: [{ tag: 9, data: Buffer.from('z') }, { tag: 3, data: Buffer.from('ab') }] };
    const frame = frameOf(encodeResponse(ApiKey.Metadata, 12, 1, body));
    const back = decodeResponse(ApiKey.Metadata, 12, frame.subarray(4)).body;
    expect(back._unknownTaggedFields).toEqual([{ tag: 3, data: Buffer.from('ab') }, { tag: 9, data: Buffer.from('z') }]);
    expect(back.clusterId).toBe('c');
    expect(frameOf(encodeResponse(ApiKey.Metadata, 12, 1, back)).equals(frame)).toBe(true);
  });

  it('returns key, version and correlation id of unknown api keys (header v1 assumed)', () => {
    const frame = Buffer.from('03e70005' + '0000002a' + '0001' + '78' + 'ffff', 'hex');
    expect(decodeRequestHeader(frame)).toEqual({
      requestApiKey: 999, requestApiVersion: 5, correlationId: 42, clientId: 'x', headerVersion: 1, bodyOffset: 11,
    });
  });

  it('takes the header version of an ApiVersions request newer than the specs from its flexible range', () => {
    const frame = Buffer.from('00120063' + '00000001' + 'ffff' + '00', 'hex');
    expect(decodeRequestHeader(frame)).toMatchObject({ requestApiVersion: 99, headerVersion: 2, bodyOffset: 11 });
  });

  it('rejects versions the specs do not define', () => {
    expect(() => decodeRequest(ApiKey.Produce, 12, Buffer.alloc(10), 0)).toThrow(ProtocolError);
    expect(() => decodeRequest(77, 0, Buffer.alloc(10), 0)).toThrow(ProtocolError);
  });

  it('reports spec version ranges', () => {
    expect(apiSpecs[ApiKey.Produce]).toEqual({ name: 'Produce', minVersion: 0, maxVersion: 11, flexibleMinVersion: 9 });
    expect(apiSpecs[ApiKey.OffsetDelete].flexibleMinVersion).toBeNull();
    expect(ApiKey.DescribeCluster).toBe(60);
  });
});

/** Every (api, version) pair of the generated specs. */
const allVersions = [...apiSchemas.values()].flatMap((api) => {
  const [min, max] = parseRange(api.request.validVersions)!;
  return Array.from({ length: max - min + 1 }, (_, i) => ({ api, version: min + i }));
});

describe('property: encode then decode gives the value back', () => {
  for (const { api, version } of allVersions) {
    it(`${api.name} v${version} request and response`, () => {
      for (const side of ['request', 'response'] as const) {
        const schema = api[side];
        const flexible = inRange(parseRange(schema.flexibleVersions), version);
        fc.assert(
          fc.property(structArbitrary(schema.fields, version, flexible), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (body, corr) => {
            if (side === 'request') {
              const frame = frameOf(encodeRequest(api.apiKey, version, corr, 'client', body)).subarray(4);
              const h = decodeRequestHeader(frame);
              expect(h).toMatchObject({ requestApiKey: api.apiKey, requestApiVersion: version, correlationId: corr, clientId: 'client' });
              const back = decodeRequest(api.apiKey, version, frame, h.bodyOffset);
              expect(back).toEqual(body);
              expect(frameOf(encodeRequest(api.apiKey, version, corr, 'client', back as object)).subarray(4).equals(frame)).toBe(true);
            } else {
              const chunks = encodeResponse(api.apiKey, version, corr, body);
              const frame = frameOf(chunks);
              expect(frame.readInt32BE(0)).toBe(frame.length - 4);
              const back = decodeResponse(api.apiKey, version, frame.subarray(4));
              expect(back.correlationId).toBe(corr);
              expect(back.body).toEqual(body);
              // byte-exact re-encode of the decoded value
              expect(frameOf(encodeResponse(api.apiKey, version, corr, back.body as object)).equals(frame)).toBe(true);
            }
          }),
          { numRuns: api.apiKey <= 3 ? 60 : 15 },
        );
      }
    });
  }
});
