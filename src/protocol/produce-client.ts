// Produce (v3-11, flexible from v9) in straight-line code for the producer, the client half of
// what produce-fast.ts is for the broker: the request frame is written around the closed batches as
// chunks (one small buffer of framing, the batch bytes uncopied), and the response is read, through
// the codec's own Reader, for just the fields the sender acts on. The generic schema codec gives the
// same bytes and values (test/protocol/produce-client.test.ts); this one skips its per-field walk.
import { ProtocolError } from './errors.js';
import { lengthSize } from './primitives.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

/** Produce v9+ uses flexible (compact, tagged) encoding. */
const FIRST_FLEXIBLE = 9;

/** One partition's batch in a request: where it goes and its complete v2 batch bytes. */
export interface ProducePartitionData {
  readonly topic: string;
  readonly partition: number;
  readonly records: Buffer;
}

/** What the sender needs of one partition's answer (Kafka's ProduceResponse.PartitionResponse). */
export interface ProducePartitionResult {
  topic: string;
  index: number;
  errorCode: number;
  baseOffset: bigint;
  /** -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number;
  logStartOffset: number;
  errorMessage: string | null;
  /** currentLeader (v10+, tagged); -1 when absent. */
  leaderId: number;
  leaderEpoch: number;
}

/** A broker named in nodeEndpoints (v10+): where a new leader is. */
export interface ProduceNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
}

/** A decoded Produce response: partitions in the order the broker listed them. */
export interface ProduceResult {
  partitions: ProducePartitionResult[];
  nodeEndpoints: ProduceNodeEndpoint[];
}

/**
 * Encodes a whole Produce request frame (size prefix, header v1/v2, body) for `version` (3-11) as
 * chunks: the framing bytes in one buffer (sliced between batches) and each batch's bytes as is.
 * `partitions` must be grouped by topic (consecutive entries of one topic form one topic entry).
 */
export function encodeProduceRequest(
  version: number,
  correlationId: number,
  clientId: string | null,
  transactionalId: string | null,
  acks: number,
  timeoutMs: number,
  partitions: readonly ProducePartitionData[],
): Buffer[] {
  if (version < 3 || version > 11) throw new RangeError(`Produce version ${version} is outside 3-11`);
  const flexible = version >= FIRST_FLEXIBLE;
  const n = partitions.length;
  // Sizes first: the frame's size prefix, and one buffer for every byte around the batches.
  const clientIdLength = clientId === null ? 0 : Buffer.byteLength(clientId);
  const txnLength = transactionalId === null ? -1 : Buffer.byteLength(transactionalId);
  let framing = 4 + 2 + 2 + 4 + 2 + clientIdLength + (flexible ? 1 : 0);
  framing += lengthSize(txnLength, flexible, 'int16') + Math.max(0, txnLength) + 2 + 4;
  let topics = 0;
  let recordBytes = 0;
  for (let i = 0; i < n; ) {
    const topic = partitions[i].topic;
    let j = i;
    while (j < n && partitions[j].topic === topic) j++;
    const nameLength = Buffer.byteLength(topic);
    topics++;
    framing += lengthSize(nameLength, flexible, 'int16') + nameLength + lengthSize(j - i, flexible, 'int32') + (flexible ? 1 : 0);
    for (; i < j; i++) {
      const len = partitions[i].records.length;
      recordBytes += len;
      framing += 4 + lengthSize(len, flexible, 'int32') + (flexible ? 1 : 0);
    }
  }
  framing += lengthSize(topics, flexible, 'int32') + (flexible ? 1 : 0);
  // A varint asks for 5 bytes of room even when it takes 1: the slack keeps the framing one buffer.
  const w = new Writer(framing + 4);
  w.int32(framing + recordBytes - 4);
  w.int16(0); // api key: Produce
  w.int16(version);
  w.int32(correlationId);
  w.int16(clientId === null ? -1 : clientIdLength); // request header v1/v2: classic nullable string
  if (clientId !== null) w.utf8(clientId, clientIdLength);
  if (flexible) w.unsignedVarint(0); // header tagged fields
  w.nullableString(transactionalId, flexible);
  w.int16(acks);
  w.int32(timeoutMs);
  w.lengthPrefix(topics, flexible, 'int32');
  for (let i = 0; i < n; ) {
    const topic = partitions[i].topic;
    let j = i;
    while (j < n && partitions[j].topic === topic) j++;
    w.nullableString(topic, flexible);
    w.lengthPrefix(j - i, flexible, 'int32');
    for (; i < j; i++) {
      const records = partitions[i].records;
      w.int32(partitions[i].partition);
      w.lengthPrefix(records.length, flexible, 'int32');
      w.reference(records);
      if (flexible) w.unsignedVarint(0); // partition's tagged fields
    }
    if (flexible) w.unsignedVarint(0); // topic's tagged fields
  }
  if (flexible) w.unsignedVarint(0); // body tagged fields
  return w.finishBytes();
}

function string(r: Reader, flexible: boolean): string {
  const s = r.nullableString(flexible);
  if (s === null) throw new ProtocolError('null where a string is required');
  return s;
}

/** Skips a tagged-field section; returns where tag 0's data starts, or -1 without one. */
function taggedFields(r: Reader): number {
  let tag0 = -1;
  const count = r.unsignedVarint();
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    const size = r.checkedLength(r.unsignedVarint(), 'tagged field');
    if (tag === 0) tag0 = r.pos;
    r.pos += size;
  }
  return tag0;
}

/**
 * Decodes a Produce response frame (the bytes after the size prefix) of `version` (3-11): the
 * header's correlation id is skipped, each partition's outcome kept, recordErrors skipped.
 */
export function decodeProduceResponse(version: number, frame: Buffer): ProduceResult {
  const flexible = version >= FIRST_FLEXIBLE;
  const r = new Reader(frame, 4);
  if (flexible) taggedFields(r);
  const partitions: ProducePartitionResult[] = [];
  const topicCount = r.lengthPrefix(flexible, 'int32', 'array');
  for (let t = 0; t < topicCount; t++) {
    const topic = string(r, flexible);
    const count = r.lengthPrefix(flexible, 'int32', 'array');
    for (let i = 0; i < count; i++) {
      const index = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      const logAppendTimeMs = Number(r.int64());
      const logStartOffset = version >= 5 ? Number(r.int64()) : -1;
      let errorMessage: string | null = null;
      if (version >= 8) {
        const errors = r.lengthPrefix(flexible, 'int32', 'array');
        for (let e = 0; e < errors; e++) {
          r.int32(); // batchIndex
          r.nullableString(flexible);
          if (flexible) taggedFields(r);
        }
        errorMessage = r.nullableString(flexible);
      }
      const p: ProducePartitionResult = { topic, index, errorCode, baseOffset, logAppendTimeMs, logStartOffset, errorMessage, leaderId: -1, leaderEpoch: -1 };
      if (flexible) {
        const leader = taggedFields(r);
        if (leader >= 0 && version >= 10) {
          const end = r.pos;
          r.pos = leader;
          p.leaderId = r.int32();
          p.leaderEpoch = r.int32();
          r.pos = end;
        }
      }
      partitions.push(p);
    }
    if (flexible) taggedFields(r);
  }
  r.int32(); // throttleTimeMs
  const nodeEndpoints: ProduceNodeEndpoint[] = [];
  const endpoints = flexible ? taggedFields(r) : -1;
  if (endpoints >= 0 && version >= 10) {
    r.pos = endpoints;
    const count = r.lengthPrefix(true, 'int32', 'array');
    for (let i = 0; i < count; i++) {
      const nodeId = r.int32();
      const host = string(r, true);
      const port = r.int32();
      r.nullableString(true); // rack
      taggedFields(r);
      nodeEndpoints.push({ nodeId, host, port });
    }
  }
  return { partitions, nodeEndpoints };
}
