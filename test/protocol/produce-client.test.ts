import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/protocol/errors.js';
import { decodeResponse, encodeRequest, encodeResponse, type ProduceResponse } from '../../src/protocol/index.js';
import { decodeProduceResponse, encodeProduceRequest } from '../../src/protocol/produce-client.js';

const version = fc.integer({ min: 3, max: 11 });
const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** int64 fields the codec reads as numbers (timestamps, offsets): exact within ±2^53. */
const safeInt64 = fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n });

/** Partitions grouped by topic, as the sender builds them. */
const topicData = fc.array(
  fc.record({ name, partitions: fc.array(fc.record({ index: int32, records: fc.uint8Array({ maxLength: 300 }) }), { minLength: 1, maxLength: 4 }) }),
  { maxLength: 4 },
);

describe('Produce request encoding', () => {
  it('gives the generic codec’s bytes for v3-11, with batch bytes as their own uncopied chunks', () => {
    fc.assert(
      fc.property(
        version,
        int32,
        fc.option(name, { nil: null }),
        fc.option(name, { nil: null }),
        fc.constantFrom(-1, 0, 1),
        int32,
        topicData,
        (v, correlationId, clientId, transactionalId, acks, timeoutMs, topics) => {
          // Distinct topic names: one topic entry per name, as the sender groups them.
          const seen = new Set<string>();
          const unique = topics.filter((t) => !seen.has(t.name) && seen.add(t.name));
          const partitions = unique.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.index, records: Buffer.from(p.records) })));
          const expected = encodeRequest(0, v, correlationId, clientId, {
            transactionalId,
            acks,
            timeoutMs,
            topicData: unique.map((t) => ({ name: t.name, partitionData: t.partitions.map((p) => ({ index: p.index, records: Buffer.from(p.records) })) })),
          });
          const chunks = encodeProduceRequest(v, correlationId, clientId, transactionalId, acks, timeoutMs, partitions);
          expect(Buffer.concat(chunks).equals(Buffer.concat(expected))).toBe(true);
          for (const p of partitions) expect(chunks.includes(p.records)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects versions without record batch v2 or past what it knows', () => {
    expect(() => encodeProduceRequest(2, 1, null, null, 1, 1000, [])).toThrow(RangeError);
    expect(() => encodeProduceRequest(12, 1, null, null, 1, 1000, [])).toThrow(RangeError);
  });
});

describe('Produce response decoding', () => {
  const partitionResponse = fc.record({
    index: int32,
    errorCode: fc.integer({ min: -1, max: 120 }),
    baseOffset: int64,
    logAppendTimeMs: safeInt64,
    logStartOffset: safeInt64,
    recordErrors: fc.array(fc.record({ batchIndex: int32, batchIndexErrorMessage: fc.option(name, { nil: null }) }), { maxLength: 2 }),
    errorMessage: fc.option(name, { nil: null }),
    currentLeader: fc.oneof(fc.constant({ leaderId: -1, leaderEpoch: -1 }), fc.record({ leaderId: int32, leaderEpoch: int32 })),
  });
  const response = fc.record({
    responses: fc.array(fc.record({ name, partitionResponses: fc.array(partitionResponse, { maxLength: 4 }) }), { maxLength: 3 }),
    throttleTimeMs: int32,
    nodeEndpoints: fc.array(fc.record({ nodeId: int32, host: name, port: int32, rack: fc.option(name, { nil: null }) }), { maxLength: 2 }),
  });

  it('reads what the generic codec reads, for every field the sender uses, v3-11', () => {
    fc.assert(
      fc.property(version, int32, response, (v, correlationId, body: ProduceResponse) => {
        const frame = Buffer.concat(encodeResponse(0, v, correlationId, body)).subarray(4);
        const generic = decodeResponse(0, v, frame).body;
        const fast = decodeProduceResponse(v, frame);
        const expected = generic.responses.flatMap((t) =>
          t.partitionResponses.map((p) => ({
            topic: t.name,
            index: p.index,
            errorCode: p.errorCode,
            baseOffset: p.baseOffset,
            logAppendTimeMs: Number(p.logAppendTimeMs),
            logStartOffset: Number(p.logStartOffset),
            errorMessage: p.errorMessage,
            leaderId: p.currentLeader.leaderId,
            leaderEpoch: p.currentLeader.leaderEpoch,
          })),
        );
        expect(fast.partitions).toEqual(expected);
        expect(fast.nodeEndpoints).toEqual(generic.nodeEndpoints.map((e) => ({ nodeId: e.nodeId, host: e.host, port: e.port })));
      }),
      { numRuns: 500 },
    );
  });

  it('throws on a truncated response rather than reading past it', () => {
    const body: ProduceResponse = {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5n, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }],
      throttleTimeMs: 0,
      nodeEndpoints: [],
    };
    for (const v of [3, 9, 11]) {
      const frame = Buffer.concat(encodeResponse(0, v, 7, body)).subarray(4);
      expect(decodeProduceResponse(v, frame).partitions[0].baseOffset).toBe(5n);
      expect(() => decodeProduceResponse(v, frame.subarray(0, frame.length - 5))).toThrow(ProtocolError);
    }
  });
});
