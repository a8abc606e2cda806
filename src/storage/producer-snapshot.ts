// Kafka's producer snapshot file (`<offset>.snapshot`, ProducerSnapshot v1): the idempotent
// producers' state at an offset, so a restart need not replay the whole log.
import { native } from '../native/index.js';

/** One producer's persisted state: its epoch and last written batch. */
export interface ProducerSnapshotEntry {
  producerId: number;
  epoch: number;
  lastSequence: number;
  lastOffset: number;
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number;
}

/** Raised for a snapshot whose version, length or CRC is wrong; the caller falls back to an older one. */
export class CorruptSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorruptSnapshotError';
  }
}

const VERSION = 1;
const CRC_OFFSET = 2;
const ENTRIES_OFFSET = 6; // version i16 + crc u32; the CRC covers the count and entries
const ENTRY_SIZE = 46;

/** Serializes entries exactly as Kafka does (big-endian, CRC-32C over everything after the CRC). */
export function encodeProducerSnapshot(entries: readonly ProducerSnapshotEntry[]): Buffer {
  const buf = Buffer.alloc(ENTRIES_OFFSET + 4 + entries.length * ENTRY_SIZE);
  buf.writeInt16BE(VERSION, 0);
  buf.writeInt32BE(entries.length, ENTRIES_OFFSET);
  let pos = ENTRIES_OFFSET + 4;
  for (const e of entries) {
    buf.writeBigInt64BE(BigInt(e.producerId), pos);
    buf.writeInt16BE(e.epoch, pos + 8);
    buf.writeInt32BE(e.lastSequence, pos + 10);
    buf.writeBigInt64BE(BigInt(e.lastOffset), pos + 14);
    buf.writeInt32BE(e.offsetDelta, pos + 22);
    buf.writeBigInt64BE(BigInt(e.timestamp), pos + 26);
    buf.writeInt32BE(e.coordinatorEpoch, pos + 34);
    buf.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), pos + 38);
    pos += ENTRY_SIZE;
  }
  buf.writeUInt32BE(native.crc32c(buf.subarray(ENTRIES_OFFSET)) >>> 0, CRC_OFFSET);
  return buf;
}

/** Parses a snapshot file's bytes; CorruptSnapshotError when they are not a valid v1 snapshot. */
export function decodeProducerSnapshot(buf: Buffer): ProducerSnapshotEntry[] {
  if (buf.length < ENTRIES_OFFSET + 4) throw new CorruptSnapshotError(`snapshot too short (${buf.length} bytes)`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`);
  const crc = buf.readUInt32BE(CRC_OFFSET);
  const computed = native.crc32c(buf.subarray(ENTRIES_OFFSET)) >>> 0;
  if (crc !== computed) throw new CorruptSnapshotError(`snapshot CRC ${crc} does not match computed ${computed}`);
  const count = buf.readInt32BE(ENTRIES_OFFSET);
  if (count < 0 || buf.length !== ENTRIES_OFFSET + 4 + count * ENTRY_SIZE) {
    throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes cannot hold ${count} entries`);
  }
  const entries: ProducerSnapshotEntry[] = [];
  for (let i = 0, pos = ENTRIES_OFFSET + 4; i < count; i++, pos += ENTRY_SIZE) {
    entries.push({
      producerId: Number(buf.readBigInt64BE(pos)),
      epoch: buf.readInt16BE(pos + 8),
      lastSequence: buf.readInt32BE(pos + 10),
      lastOffset: Number(buf.readBigInt64BE(pos + 14)),
      offsetDelta: buf.readInt32BE(pos + 22),
      timestamp: Number(buf.readBigInt64BE(pos + 26)),
      coordinatorEpoch: buf.readInt32BE(pos + 34),
      currentTxnFirstOffset: Number(buf.readBigInt64BE(pos + 38)),
    });
  }
  return entries;
}
