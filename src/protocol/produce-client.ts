// Produce (v3-11, flexible from v9) in straight-line code for the producer, the client half of
// what produce-fast.ts is for the broker: the request frame is written around the closed batches as
// chunks (one small buffer of framing, the batch bytes uncopied), and the response is read, through
// the codec's own Reader, for just the fields the sender acts on. The generic schema codec gives the
// same bytes and values (test/protocol/produce-client.test.ts); this one skips its per-field walk.
import { ProtocolError } from './errors.js';
import { unsignedVarintSize } from './primitives.js';
import { Reader } from './reader.js';

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

function writeUnsignedVarint(buf: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/**
 * Encodes a whole Produce request frame (size prefix, header v1/v2, body) for `version` (3-11) as
 * chunks: framing bytes in one buffer (sliced between batches) and each batch's bytes as is.
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
  // Sizes first: one framing buffer holds every non-record byte.
  const clientIdLength = clientId === null ? -1 : Buffer.byteLength(clientId);
  const txnLength = transactionalId === null ? -1 : Buffer.byteLength(transactionalId);
  let framing = 4 + 2 + 2 + 4 + 2 + Math.max(0, clientIdLength) + (flexible ? 1 : 0);
  framing += flexible ? unsignedVarintSize(txnLength + 1) + Math.max(0, txnLength) : 2 + Math.max(0, txnLength);
  framing += 2 + 4;
  let topics = 0;
  let recordBytes = 0;
  const nameLengths: number[] = [];
  for (let i = 0; i < n; ) {
    const topic = partitions[i].topic;
    let j = i;
    while (j < n && partitions[j].topic === topic) j++;
    const nameLength = Buffer.byteLength(topic);
    nameLengths.push(nameLength);
    topics++;
    const count = j - i;
    framing += flexible ? unsignedVarintSize(nameLength + 1) + nameLength + unsignedVarintSize(count + 1) + 1 : 2 + nameLength + 4;
    for (let k = i; k < j; k++) {
      const len = partitions[k].records.length;
      recordBytes += len;
      framing += 4 + (flexible ? unsignedVarintSize(len + 1) + 1 : 4);
    }
    i = j;
  }
  framing += flexible ? unsignedVarintSize(topics + 1) + 1 : 4;
  const buf = Buffer.allocUnsafe(framing);
  let pos = 0;
  buf.writeInt32BE(framing + recordBytes - 4, 0);
  buf.writeInt16BE(0, 4); // api key: Produce
  buf.writeInt16BE(version, 6);
  buf.writeInt32BE(correlationId, 8);
  buf.writeInt16BE(clientIdLength, 12);
  pos = 14;
  if (clientId !== null) pos += buf.write(clientId, pos, clientIdLength, 'utf8');
  if (flexible) buf[pos++] = 0; // header tagged fields
  if (flexible) pos = writeUnsignedVarint(buf, pos, txnLength + 1);
  else pos = buf.writeInt16BE(txnLength, pos);
  if (transactionalId !== null) pos += buf.write(transactionalId, pos, txnLength, 'utf8');
  pos = buf.writeInt16BE(acks, pos);
  pos = buf.writeInt32BE(timeoutMs, pos);
  pos = flexible ? writeUnsignedVarint(buf, pos, topics + 1) : buf.writeInt32BE(topics, pos);
  const chunks: Buffer[] = [];
  let chunkStart = 0;
  let t = 0;
  for (let i = 0; i < n; ) {
    const topic = partitions[i].topic;
    let j = i;
    while (j < n && partitions[j].topic === topic) j++;
    const nameLength = nameLengths[t++];
    pos = flexible ? writeUnsignedVarint(buf, pos, nameLength + 1) : buf.writeInt16BE(nameLength, pos);
    pos += buf.write(topic, pos, nameLength, 'utf8');
    pos = flexible ? writeUnsignedVarint(buf, pos, j - i + 1) : buf.writeInt32BE(j - i, pos);
    for (let k = i; k < j; k++) {
      const p = partitions[k];
      if (k > i && flexible) buf[pos++] = 0; // previous partition's tagged fields
      pos = buf.writeInt32BE(p.partition, pos);
      pos = flexible ? writeUnsignedVarint(buf, pos, p.records.length + 1) : buf.writeInt32BE(p.records.length, pos);
      chunks.push(buf.subarray(chunkStart, pos), p.records);
      chunkStart = pos;
    }
    if (flexible) {
      buf[pos++] = 0; // last partition's tagged fields
      buf[pos++] = 0; // topic's tagged fields
    }
    i = j;
  }
  if (flexible) buf[pos++] = 0; // body tagged fields
  if (pos > chunkStart) chunks.push(buf.subarray(chunkStart, pos));
  return chunks;
}

/** Array length: int32 (classic) or unsigned varint n+1 (compact); -1 for null. */
function arrayLength(r: Reader, flexible: boolean): number {
  return r.checkedLength(flexible ? r.unsignedVarint() - 1 : r.int32(), 'array');
}

function nullableString(r: Reader, flexible: boolean): string | null {
  const n = r.checkedLength(flexible ? r.unsignedVarint() - 1 : r.int16(), 'string');
  return n < 0 ? null : r.utf8(n);
}

function string(r: Reader, flexible: boolean): string {
  const s = nullableString(r, flexible);
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
  const topicCount = arrayLength(r, flexible);
  for (let t = 0; t < topicCount; t++) {
    const topic = string(r, flexible);
    const count = arrayLength(r, flexible);
    for (let i = 0; i < count; i++) {
      const index = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      const logAppendTimeMs = Number(r.int64());
      const logStartOffset = version >= 5 ? Number(r.int64()) : -1;
      let errorMessage: string | null = null;
      if (version >= 8) {
        const errors = arrayLength(r, flexible);
        for (let e = 0; e < errors; e++) {
          r.int32(); // batchIndex
          nullableString(r, flexible);
          if (flexible) taggedFields(r);
        }
        errorMessage = nullableString(r, flexible);
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
    const count = arrayLength(r, true);
    for (let i = 0; i < count; i++) {
      const nodeId = r.int32();
      const host = string(r, true);
      const port = r.int32();
      nullableString(r, true); // rack
      taggedFields(r);
      nodeEndpoints.push({ nodeId, host, port });
    }
  }
  return { partitions, nodeEndpoints };
}
