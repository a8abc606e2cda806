// Produce (v3-11) in straight-line code for the broker, its busiest request: the request body
// decoded and the response frame encoded without the schema interpreter's per-field walk. Values
// and bytes are those of the generic codec (test/protocol/produce-fast.test.ts); whatever this does
// not cover (tagged fields, truncated or hostile input) returns null and takes the generic path,
// which also gives the errors.
import type { ProduceRequest, ProduceRequestPartitionProduceData, ProduceRequestTopicProduceData, ProduceResponse } from './messages/00-produce.js';

/** Produce v9+ uses flexible (compact, tagged) encoding. */
const FIRST_FLEXIBLE = 9;
/** Oldest version covered: v3 brought the transactional id (and record batches). */
const FIRST_COVERED = 3;

/** A bounds-checked cursor; `ok` turns false at the first read past the end (values then are junk). */
class Cursor {
  ok = true;
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  private take(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.buf.length) {
      this.ok = false;
      this.pos = this.buf.length;
      return -1;
    }
    this.pos = at + n;
    return at;
  }

  int16(): number {
    const at = this.take(2);
    return at < 0 ? 0 : this.buf.readInt16BE(at);
  }

  int32(): number {
    const at = this.take(4);
    return at < 0 ? 0 : this.buf.readInt32BE(at);
  }

  /** An unsigned varint of at most 5 bytes (a length or a count). */
  uvarint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const at = this.take(1);
      if (at < 0) return 0;
      const b = this.buf[at];
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
    this.ok = false;
    return 0;
  }

  /** A length (-1 for null) no larger than what is left, as the generic reader checks. */
  length(flexible: boolean, classic: 'int16' | 'int32'): number {
    const n = flexible ? this.uvarint() - 1 : classic === 'int16' ? this.int16() : this.int32();
    if (n < -1 || n > this.buf.length - this.pos) this.ok = false;
    return n;
  }

  utf8(n: number): string {
    const at = this.take(n);
    return at < 0 ? '' : this.buf.toString('utf8', at, at + n);
  }

  bytes(n: number): Buffer {
    const at = this.take(n);
    return at < 0 ? this.buf.subarray(0, 0) : this.buf.subarray(at, at + n);
  }

  /** An empty tagged-field section; anything else is left to the generic codec. */
  noTaggedFields(): void {
    if (this.uvarint() !== 0) this.ok = false;
  }
}

/**
 * The body of a Produce request (frame: the bytes after the size prefix; offset: where the body
 * starts), or null when the generic codec must decode it. Records stay views of the frame.
 */
export function decodeProduceRequestFast(version: number, frame: Buffer, offset: number): ProduceRequest | null {
  if (version < FIRST_COVERED || version > 11) return null;
  const flexible = version >= FIRST_FLEXIBLE;
  const c = new Cursor(frame, offset);
  const txnLength = c.length(flexible, 'int16');
  const transactionalId = txnLength < 0 ? null : c.utf8(txnLength);
  const acks = c.int16();
  const timeoutMs = c.int32();
  const topicCount = c.length(flexible, 'int32');
  if (!c.ok || topicCount < 0) return null;
  const topicData: ProduceRequestTopicProduceData[] = new Array(topicCount);
  for (let t = 0; t < topicCount; t++) {
    const nameLength = c.length(flexible, 'int16');
    if (!c.ok || nameLength < 0) return null;
    const name = c.utf8(nameLength);
    const partitionCount = c.length(flexible, 'int32');
    if (!c.ok || partitionCount < 0) return null;
    const partitionData: ProduceRequestPartitionProduceData[] = new Array(partitionCount);
    for (let p = 0; p < partitionCount; p++) {
      const index = c.int32();
      const recordsLength = c.length(flexible, 'int32');
      const records = recordsLength < 0 ? null : c.bytes(recordsLength);
      if (flexible) c.noTaggedFields();
      if (!c.ok) return null;
      partitionData[p] = { index, records };
    }
    if (flexible) c.noTaggedFields();
    topicData[t] = { name, partitionData };
  }
  if (flexible) c.noTaggedFields();
  return c.ok ? { transactionalId, acks, timeoutMs, topicData } : null;
}

function uvarintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Bytes of a (nullable) string field: its length prefix and UTF-8. */
function stringSize(s: string | null, flexible: boolean): number {
  if (s === null) return flexible ? 1 : 2;
  const n = Buffer.byteLength(s, 'utf8');
  return (flexible ? uvarintSize(n + 1) : 2) + n;
}

/** Writes into one buffer sized beforehand. */
class Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  int16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }

  int32(v: number): void {
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }

  /** An int64: offsets and times are safe integers, written as two int32s without BigInt arithmetic. */
  int64(v: bigint): void {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) {
      this.pos = this.buf.writeBigInt64BE(v, this.pos);
      return;
    }
    const high = Math.floor(n / 2 ** 32);
    this.buf.writeInt32BE(high, this.pos);
    this.pos = this.buf.writeUInt32BE(n - high * 2 ** 32, this.pos + 4);
  }

  uvarint(v: number): void {
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  length(n: number, flexible: boolean, classic: 'int16' | 'int32'): void {
    if (flexible) this.uvarint(n + 1);
    else if (classic === 'int16') this.int16(n);
    else this.int32(n);
  }

  string(s: string | null, flexible: boolean): void {
    if (s === null) return this.length(-1, flexible, 'int16');
    const n = Buffer.byteLength(s, 'utf8');
    this.length(n, flexible, 'int16');
    this.pos += this.buf.write(s, this.pos, n, 'utf8');
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const isInt64 = (v: unknown): v is bigint => typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
const isInt32 = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v;
const isInt16 = (v: unknown): v is number => isInt32(v) && v >= -32768 && v <= 32767;
const isString = (v: unknown, nullable: boolean): v is string | null => typeof v === 'string' ? Buffer.byteLength(v) <= 0x7fff : nullable && v === null;

/**
 * The whole response frame (size prefix, header, body) in one buffer, or null when the generic
 * codec must encode it: a tagged field (currentLeader, nodeEndpoints, unknown ones) to write, or a
 * value the generic codec would default or refuse.
 */
export function encodeProduceResponseFast(version: number, correlationId: number, body: ProduceResponse): Buffer | null {
  if (version < FIRST_COVERED || version > 11) return null;
  const flexible = version >= FIRST_FLEXIBLE;
  const responses = body.responses;
  if (!Array.isArray(responses) || body._unknownTaggedFields?.length || !isInt32(body.throttleTimeMs)) return null;
  if (version >= 10 && !(body.nodeEndpoints === undefined || (Array.isArray(body.nodeEndpoints) && body.nodeEndpoints.length === 0))) return null;
  // Sizes first (and every value checked), then one buffer written front to back.
  let size = 4 + 4 + (flexible ? 1 : 0) + (flexible ? uvarintSize(responses.length + 1) : 4);
  for (const t of responses) {
    const partitions = t.partitionResponses;
    if (t._unknownTaggedFields?.length || !isString(t.name, false) || !Array.isArray(partitions)) return null;
    size += stringSize(t.name, flexible) + (flexible ? uvarintSize(partitions.length + 1) + 1 : 4);
    for (const p of partitions) {
      if (p._unknownTaggedFields?.length || !isInt32(p.index) || !isInt16(p.errorCode) || !isInt64(p.baseOffset)) return null;
      if (!isInt64(p.logAppendTimeMs) || !isInt64(p.logStartOffset)) return null;
      const leader = p.currentLeader;
      if (version >= 10 && leader !== undefined && (leader === null || leader.leaderId !== -1 || leader.leaderEpoch !== -1 || leader._unknownTaggedFields?.length)) return null;
      size += 4 + 2 + 8 + 8 + (version >= 5 ? 8 : 0) + (flexible ? 1 : 0);
      if (version >= 8) {
        if (!isString(p.errorMessage, true) || !Array.isArray(p.recordErrors)) return null;
        size += (flexible ? uvarintSize(p.recordErrors.length + 1) : 4) + stringSize(p.errorMessage, flexible);
        for (const e of p.recordErrors) {
          if (e._unknownTaggedFields?.length || !isInt32(e.batchIndex) || !isString(e.batchIndexErrorMessage, true)) return null;
          size += 4 + stringSize(e.batchIndexErrorMessage, flexible) + (flexible ? 1 : 0);
        }
      }
    }
  }
  size += 4 + (flexible ? 1 : 0);

  const o = new Out(Buffer.allocUnsafe(size));
  o.int32(size - 4);
  o.int32(correlationId);
  if (flexible) o.uvarint(0); // response header v1: no tagged fields
  o.length(responses.length, flexible, 'int32');
  for (const t of responses) {
    o.string(t.name, flexible);
    o.length(t.partitionResponses.length, flexible, 'int32');
    for (const p of t.partitionResponses) {
      o.int32(p.index);
      o.int16(p.errorCode);
      o.int64(p.baseOffset);
      o.int64(p.logAppendTimeMs);
      if (version >= 5) o.int64(p.logStartOffset);
      if (version >= 8) {
        o.length(p.recordErrors.length, flexible, 'int32');
        for (const e of p.recordErrors) {
          o.int32(e.batchIndex);
          o.string(e.batchIndexErrorMessage, flexible);
          if (flexible) o.uvarint(0);
        }
        o.string(p.errorMessage, flexible);
      }
      if (flexible) o.uvarint(0);
    }
    if (flexible) o.uvarint(0);
  }
  o.int32(body.throttleTimeMs);
  if (flexible) o.uvarint(0);
  return o.buf;
}
