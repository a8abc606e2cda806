// Malformed frames must fail with ProtocolError (the connection closes), never anything else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ApiKey,
  apiSchemas,
  decodeRequest,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  ProtocolError,
} from '../../src/protocol/index.js';
import { parseRange } from '../../src/protocol/schema.js';

const versions = [...apiSchemas.values()].flatMap((api) => {
  const [min, max] = parseRange(api.request.validVersions)!;
  return Array.from({ length: max - min + 1 }, (_, i) => [api.apiKey, min + i] as const);
});

function onlyProtocolErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

describe('hostile input', () => {
  it('random bytes as any request body or response frame', () => {
    fc.assert(
      fc.property(fc.constantFrom(...versions), fc.uint8Array({ maxLength: 64 }), ([key, version], bytes) => {
        const frame = Buffer.from(bytes);
        onlyProtocolErrors(() => decodeRequest(key, version, frame, 0));
        onlyProtocolErrors(() => decodeResponse(key, version, frame));
      }),
      { numRuns: 5000 },
    );
  });

  it('random bytes as a request header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => onlyProtocolErrors(() => decodeRequestHeader(Buffer.from(bytes)))),
      { numRuns: 2000 },
    );
  });

  it('mutated and truncated real frames', () => {
    const records = Buffer.alloc(40, 3);
    const frames = [3, 7, 9, 11].map((v) =>
      Buffer.concat(
        encodeRequest(ApiKey.Produce, v, 1, 'client', {
          transactionalId: 'tx',
          acks: -1,
          timeoutMs: 30000,
          topicData: [{ name: 'topic', partitionData: [{ index: 0, records }, { index: 1, records: null }] }],
        }),
      ).subarray(4),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (original, flips, cut) => {
          const frame = Buffer.from(original).subarray(0, original.length - (cut % 8));
          for (const [at, v] of flips) frame[at % frame.length] = v;
          onlyProtocolErrors(() => {
            const h = decodeRequestHeader(frame);
            decodeRequest(h.requestApiKey, h.requestApiVersion, frame, h.bodyOffset);
          });
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a huge array count fails fast instead of allocating', () => {
    // Metadata v1 body: topics array with count 0x7fffffff and nothing after it
    expect(() => decodeRequest(ApiKey.Metadata, 1, Buffer.from('7fffffff', 'hex'), 0)).toThrow(/exceeds/);
    // flexible: compact array length near 2^32
    expect(() => decodeRequest(ApiKey.Metadata, 12, Buffer.from('ffffffff0f', 'hex'), 0)).toThrow(ProtocolError);
  });

  it('negative lengths other than -1 are rejected', () => {
    expect(() => decodeRequest(ApiKey.Metadata, 1, Buffer.from('fffffffe', 'hex'), 0)).toThrow(/negative/);
    // Metadata v1 topics = null (-1) is allowed
    expect(decodeRequest(ApiKey.Metadata, 1, Buffer.from('ffffffff', 'hex'), 0)).toMatchObject({ topics: null });
    // Metadata v0 topics are not nullable
    expect(() => decodeRequest(ApiKey.Metadata, 0, Buffer.from('ffffffff', 'hex'), 0)).toThrow(/non-nullable/);
  });
});
