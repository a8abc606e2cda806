// The broker's straight-line Produce codec against the generic schema codec: same values decoded,
// same bytes encoded, and the generic path (with its errors) for whatever it does not cover.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRequestHeader, encodeRequest, encodeResponse, encodeResponseChunks, produceApi, type ProduceResponse } from '../../src/protocol/index.js';
import { messageCodec } from '../../src/protocol/codec.js';
import { decodeProduceRequestFast, encodeProduceResponseFast } from '../../src/protocol/produce-fast.js';
import { Reader } from '../../src/protocol/reader.js';
import { structArbitrary } from './arbitrary.js';

const VERSIONS = [3, 4, 5, 6, 7, 8, 9, 10, 11];
const genericRequest = (version: number, frame: Buffer, offset: number) => messageCodec(produceApi.request, version).read(new Reader(frame, offset));

/** A version and a random request body valid for it (unknown tagged fields included at times). */
const requestCase = fc.constantFrom(...VERSIONS).chain((v) => fc.tuple(fc.constant(v), structArbitrary(produceApi.request.fields, v, v >= 9)));
/** A version and a random response body valid for it (currentLeader, nodeEndpoints, unknown tags at times). */
const responseCase = fc.constantFrom(...VERSIONS).chain((v) => fc.tuple(fc.constant(v), structArbitrary(produceApi.response.fields, v, v >= 9)));

function hasTaggedFields(o: unknown): boolean {
  if (Array.isArray(o)) return o.some(hasTaggedFields);
  if (o === null || typeof o !== 'object' || Buffer.isBuffer(o)) return false;
  return Object.entries(o).some(([k, v]) => (k === '_unknownTaggedFields' && (v as unknown[]).length > 0) || hasTaggedFields(v));
}

/** Whether a response body writes a tagged field at this version (the fast encoder leaves those to the generic one). */
function writesTaggedFields(version: number, body: ProduceResponse): boolean {
  if (hasTaggedFields(body)) return true;
  if (version < 10) return false;
  return body.nodeEndpoints.length > 0 || body.responses.some((t) => t.partitionResponses.some((p) => p.currentLeader.leaderId !== -1 || p.currentLeader.leaderEpoch !== -1));
}

describe('Produce request, fast decode', () => {
  it('decodes every request the generic codec decodes to the same value, or leaves it to it (tagged fields)', () => {
    fc.assert(
      fc.property(requestCase, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), ([version, body], correlationId) => {
        const frame = Buffer.concat(encodeRequest(0, version, correlationId, 'client', body as never)).subarray(4);
        const { bodyOffset } = decodeRequestHeader(frame);
        const fast = decodeProduceRequestFast(version, frame, bodyOffset);
        if (hasTaggedFields(body)) expect(fast).toBeNull();
        else expect(fast).toEqual(genericRequest(version, frame, bodyOffset));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on damaged input, and answers null wherever the generic codec throws', () => {
    fc.assert(
      fc.property(requestCase, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), ([version, body], at, junk) => {
        const whole = Buffer.concat(encodeRequest(0, version, 1, null, body as never)).subarray(4);
        const { bodyOffset } = decodeRequestHeader(whole);
        // Cut short, or overwritten with junk somewhere in the body.
        const cut = whole.subarray(0, bodyOffset + (at % (whole.length - bodyOffset + 1)));
        const damaged = Buffer.from(whole);
        Buffer.from(junk).copy(damaged, bodyOffset + (at % Math.max(1, whole.length - bodyOffset)));
        for (const frame of [cut, damaged]) {
          const fast = decodeProduceRequestFast(version, frame, bodyOffset);
          let generic: unknown;
          try {
            generic = genericRequest(version, frame, bodyOffset);
          } catch {
            expect(fast).toBeNull();
            continue;
          }
          if (fast !== null) expect(fast).toEqual(generic);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the records as a view of the frame, not a copy', () => {
    const records = Buffer.from('0123456789');
    const frame = Buffer.concat(encodeRequest(0, 11, 1, 'c', { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] })).subarray(4);
    const fast = decodeProduceRequestFast(11, frame, decodeRequestHeader(frame).bodyOffset)!;
    const view = fast.topicData[0].partitionData[0].records!;
    expect(view.equals(records)).toBe(true);
    expect(view.buffer).toBe(frame.buffer);
  });
});

describe('Produce response, fast encode', () => {
  it('writes the bytes the generic codec writes, or leaves the body to it (tagged fields to write)', () => {
    fc.assert(
      fc.property(responseCase, fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), ([version, body], correlationId) => {
        const fast = encodeProduceResponseFast(version, correlationId, body as unknown as ProduceResponse);
        const generic = Buffer.concat(encodeResponse(0, version, correlationId, body as never));
        if (writesTaggedFields(version, body as unknown as ProduceResponse)) expect(fast).toBeNull();
        else expect(fast?.toString('hex')).toBe(generic.toString('hex'));
      }),
      { numRuns: 500 },
    );
  });

  it('the broker path (encodeResponseChunks) gives the generic bytes either way', () => {
    fc.assert(
      fc.property(responseCase, ([version, body]) => {
        const chunks = encodeResponseChunks(0, version, 5, body);
        expect(Buffer.concat(chunks as Buffer[]).toString('hex')).toBe(Buffer.concat(encodeResponse(0, version, 5, body as never)).toString('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('leaves to the generic codec what it would refuse (a string longer than int16 in v3-8)', () => {
    const body: ProduceResponse = { responses: [{ name: 'x'.repeat(40000), partitionResponses: [] }], throttleTimeMs: 0, nodeEndpoints: [] };
    expect(encodeProduceResponseFast(8, 1, body)).toBeNull();
    expect(() => encodeResponseChunks(0, 8, 1, body)).toThrow(/longer than 32767/);
  });
});
