// Keys and values of __consumer_offsets records exactly as Kafka writes them: an int16 version
// followed by the struct at that version (Kafka's CoordinatorRecordSerde). The key's version
// says what the record is: 0/1 an offset commit, 2 a classic group's metadata; 3+ are KIP-848
// and share-group records, which a classic-only coordinator skips.
import { messageCodec } from '../protocol/codec.js';
import {
  type GroupMetadataValue,
  groupMetadataKeySchema,
  groupMetadataValueSchema,
  type OffsetCommitValue,
  offsetCommitKeySchema,
  offsetCommitValueSchema,
} from '../protocol/coordinator-records.js';
import { ProtocolError } from '../protocol/errors.js';
import { Reader } from '../protocol/reader.js';
import type { MessageSchema } from '../protocol/schema.js';
import { inRange, parseRange } from '../protocol/schema.js';
import { Writer } from '../protocol/writer.js';

/** Key versions (record types) Kafka 4.1.1 writes: OffsetCommitKey is type 1, GroupMetadataKey type 2. */
export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
/** GroupCoordinatorRecordHelpers.GROUP_METADATA_VALUE_VERSION in Kafka 4.1.1. */
export const GROUP_METADATA_VALUE_VERSION = 3;
/**
 * The OffsetCommitValue version Kafka 4.1.1 writes (GroupCoordinatorRecordHelpers.offsetCommitValueVersion:
 * 4, the flexible one; 1 only for a v1 client's expire timestamp).
 */
export const OFFSET_COMMIT_VALUE_VERSION = 4;

/** What a __consumer_offsets record key identifies. */
export type CoordinatorRecordKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string }
  | { type: 'other'; version: number };

function encode(schema: MessageSchema, version: number, value: object): Buffer {
  const w = new Writer(128);
  w.int16(version);
  messageCodec(schema, version).write(w, value as Record<string, unknown>);
  return w.toBuffer();
}

function decode<T>(schema: MessageSchema, buf: Buffer, what: string): T {
  const r = new Reader(buf);
  const version = r.int16();
  if (!inRange(parseRange(schema.validVersions), version)) throw new ProtocolError(`unknown ${what} version ${version}`);
  const value = messageCodec(schema, version).read(r) as T;
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} bytes left after ${what} v${version}`);
  return value;
}

/** The key of an offset commit (OffsetCommitKey v1). */
export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return encode(offsetCommitKeySchema, OFFSET_COMMIT_KEY_VERSION, { group, topic, partition });
}

/** The key of a group's metadata record (GroupMetadataKey v2). */
export function encodeGroupMetadataKey(group: string): Buffer {
  return encode(groupMetadataKeySchema, GROUP_METADATA_KEY_VERSION, { group });
}

/** An offset commit value: v4, or v1 when it carries an expire timestamp (as Kafka picks). */
export function encodeOffsetCommitValue(value: OffsetCommitValue): Buffer {
  const version = value.expireTimestamp !== -1n ? 1 : OFFSET_COMMIT_VALUE_VERSION;
  return encode(offsetCommitValueSchema, version, value);
}

/** A group metadata value at the version Kafka 4.1.1 writes. */
export function encodeGroupMetadataValue(value: GroupMetadataValue): Buffer {
  return encode(groupMetadataValueSchema, GROUP_METADATA_VALUE_VERSION, value);
}

/** Identifies a record by its key; ProtocolError when the key is malformed. */
export function decodeRecordKey(buf: Buffer): CoordinatorRecordKey {
  if (buf.length < 2) throw new ProtocolError(`coordinator record key of ${buf.length} bytes`);
  const version = buf.readInt16BE(0);
  if (version === 0 || version === 1) {
    const k = decode<{ group: string; topic: string; partition: number }>(offsetCommitKeySchema, buf, 'OffsetCommitKey');
    return { type: 'offset', group: k.group, topic: k.topic, partition: k.partition };
  }
  if (version === GROUP_METADATA_KEY_VERSION) {
    return { type: 'group', group: decode<{ group: string }>(groupMetadataKeySchema, buf, 'GroupMetadataKey').group };
  }
  return { type: 'other', version };
}

/** Decodes an OffsetCommitValue of any version Kafka ever wrote. */
export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  return decode<OffsetCommitValue>(offsetCommitValueSchema, buf, 'OffsetCommitValue');
}

/** Decodes a GroupMetadataValue of any version Kafka ever wrote. */
export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  return decode<GroupMetadataValue>(groupMetadataValueSchema, buf, 'GroupMetadataValue');
}
