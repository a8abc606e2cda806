// Produce (v3-11) in straight-line code for the broker, its busiest request: the request body
// decoded and the response frame encoded without the schema interpreter's per-field walk (the
// producer's half, request encoded and response decoded, is produce-client.ts). Values
// and bytes are those of the generic codec (test/protocol/produce-fast.test.ts); whatever this does
// not cover (tagged fields, truncated or hostile input, values the generic codec would refuse)
// returns null and takes the generic path, which also gives the errors.
import type { ProduceRequest, ProduceRequestPartitionProduceData, ProduceRequestTopicProduceData, ProduceResponse } from './messages/00-produce.js';
import { lengthSize } from './primitives.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** Produce v9+ uses flexible (compact, tagged) encoding. */
const FIRST_FLEXIBLE = 9;
/** Versions covered: v3 brought the transactional id (and record batches); the broker serves up to 11. */
const FIRST_COVERED = 3;
const LAST_COVERED = 11;

/**
 * The body of a Produce request (frame: the bytes after the size prefix; offset: where the body
 * starts), or null when the generic codec must decode it. Records stay views of the frame.
 */
export function decodeProduceRequestFast(version: number, frame: Buffer, offset: number): ProduceRequest | null {
  if (version < FIRST_COVERED || version > LAST_COVERED) return null;
  try {
    return readProduceRequest(new Reader(frame, offset), version >= FIRST_FLEXIBLE);
  } catch {
    return null; // the generic codec reads it again and says what is wrong
  }
}

/** Null when a tagged field or a null where the schema allows none needs the generic codec. */
function readProduceRequest(r: Reader, flexible: boolean): ProduceRequest | null {
  const transactionalId = r.nullableString(flexible, 'string transactionalId');
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topicCount = r.lengthPrefix(flexible, 'int32', 'array topicData');
  if (topicCount < 0) return null;
  const topicData: ProduceRequestTopicProduceData[] = new Array(topicCount);
  for (let t = 0; t < topicCount; t++) {
    const nameLength = r.lengthPrefix(flexible, 'int16', 'string name');
    if (nameLength < 0) return null;
    const name = r.utf8(nameLength);
    const partitionCount = r.lengthPrefix(flexible, 'int32', 'array partitionData');
    if (partitionCount < 0) return null;
    const partitionData: ProduceRequestPartitionProduceData[] = new Array(partitionCount);
    for (let p = 0; p < partitionCount; p++) {
      const index = r.int32();
      const recordsLength = r.lengthPrefix(flexible, 'int32', 'bytes records');
      const records = recordsLength < 0 ? null : r.bytes(recordsLength);
      if (flexible && r.unsignedVarint() !== 0) return null;
      partitionData[p] = { index, records };
    }
    if (flexible && r.unsignedVarint() !== 0) return null;
    topicData[t] = { name, partitionData };
  }
  if (flexible && r.unsignedVarint() !== 0) return null;
  return { transactionalId, acks, timeoutMs, topicData };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const isInt64 = (v: unknown): v is bigint => typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
const isInt32 = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v;
const isInt16 = (v: unknown): v is number => isInt32(v) && v >= -32768 && v <= 32767;

/** Bytes of a string field, or -1 for a value the generic codec would refuse or default. */
function stringSize(s: unknown, nullable: boolean, flexible: boolean): number {
  if (s === null) return nullable ? lengthSize(-1, flexible, 'int16') : -1;
  if (typeof s !== 'string') return -1;
  const n = Buffer.byteLength(s, 'utf8');
  return n > 0x7fff ? -1 : lengthSize(n, flexible, 'int16') + n;
}

/**
 * Size of the whole response frame, or -1 when the generic codec must encode it: a tagged field
 * to write (currentLeader, nodeEndpoints, unknown ones), or a value it would default or refuse.
 */
function responseSize(version: number, flexible: boolean, body: ProduceResponse): number {
  const responses = body.responses;
  if (!Array.isArray(responses) || body._unknownTaggedFields?.length || !isInt32(body.throttleTimeMs)) return -1;
  const endpoints = body.nodeEndpoints;
  if (version >= 10 && endpoints !== undefined && !(Array.isArray(endpoints) && endpoints.length === 0)) return -1;
  let size = 4 + 4 + (flexible ? 1 : 0) + lengthSize(responses.length, flexible, 'int32');
  for (const t of responses) {
    const partitions = t.partitionResponses;
    const name = stringSize(t.name, false, flexible);
    if (name < 0 || !Array.isArray(partitions) || t._unknownTaggedFields?.length) return -1;
    size += name + lengthSize(partitions.length, flexible, 'int32') + (flexible ? 1 : 0);
    for (const p of partitions) {
      if (p._unknownTaggedFields?.length || !isInt32(p.index) || !isInt16(p.errorCode)) return -1;
      if (!isInt64(p.baseOffset) || !isInt64(p.logAppendTimeMs) || !isInt64(p.logStartOffset)) return -1;
      const leader = p.currentLeader;
      if (version >= 10 && leader !== undefined && (leader === null || leader.leaderId !== -1 || leader.leaderEpoch !== -1 || leader._unknownTaggedFields?.length)) return -1;
      size += 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0) + (flexible ? 1 : 0);
      if (version < 8) continue;
      const message = stringSize(p.errorMessage, true, flexible);
      if (message < 0 || !Array.isArray(p.recordErrors)) return -1;
      size += lengthSize(p.recordErrors.length, flexible, 'int32') + message;
      for (const e of p.recordErrors) {
        const text = stringSize(e.batchIndexErrorMessage, true, flexible);
        if (text < 0 || e._unknownTaggedFields?.length || !isInt32(e.batchIndex)) return -1;
        size += 4 + text + (flexible ? 1 : 0);
      }
    }
  }
  return size + 4 + (flexible ? 1 : 0);
}

/** The whole response frame (size prefix, header, body) in one buffer, or null for the generic codec. */
export function encodeProduceResponseFast(version: number, correlationId: number, body: ProduceResponse): Buffer | null {
  if (version < FIRST_COVERED || version > LAST_COVERED) return null;
  const flexible = version >= FIRST_FLEXIBLE;
  const size = responseSize(version, flexible, body);
  if (size < 0) return null;
  const w = new Writer(size + 4); // a varint asks for 5 bytes of room even when it takes 1: one chunk
  w.int32(size - 4);
  w.int32(correlationId);
  if (flexible) w.unsignedVarint(0); // response header v1: no tagged fields
  w.lengthPrefix(body.responses.length, flexible, 'int32');
  for (const t of body.responses) {
    w.nullableString(t.name, flexible);
    w.lengthPrefix(t.partitionResponses.length, flexible, 'int32');
    for (const p of t.partitionResponses) {
      w.int32(p.index);
      w.int16(p.errorCode);
      w.int64(p.baseOffset);
      w.int64(p.logAppendTimeMs);
      if (version >= 5) w.int64(p.logStartOffset);
      if (version >= 8) {
        w.lengthPrefix(p.recordErrors.length, flexible, 'int32');
        for (const e of p.recordErrors) {
          w.int32(e.batchIndex);
          w.nullableString(e.batchIndexErrorMessage, flexible);
          if (flexible) w.unsignedVarint(0);
        }
        w.nullableString(p.errorMessage, flexible);
      }
      if (flexible) w.unsignedVarint(0);
    }
    if (flexible) w.unsignedVarint(0);
  }
  w.int32(body.throttleTimeMs);
  if (flexible) w.unsignedVarint(0);
  return w.toBuffer();
}
