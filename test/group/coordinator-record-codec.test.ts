// __consumer_offsets keys and values: hand-checked bytes of what Kafka 4.1.1 writes, decoding of
// every version Kafka ever wrote, and encode/decode round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeRecordKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/group/coordinator-record-codec.js';
import { messageCodec } from '../../src/protocol/codec.js';
import { groupMetadataValueSchema, offsetCommitValueSchema } from '../../src/protocol/coordinator-records.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';
import { structArbitrary } from '../protocol/arbitrary.js';

const hex = (b: Buffer) => b.toString('hex');

/** A value as Kafka would write it at `version`: int16 version, then the struct. */
function encodeAt(schema: MessageSchema, version: number, value: object): Buffer {
  const w = new Writer();
  w.int16(version);
  messageCodec(schema, version).write(w, value as Record<string, unknown>);
  return w.toBuffer();
}

describe('keys', () => {
  it('writes OffsetCommitKey as version 1, group, topic, partition', () => {
    expect(hex(encodeOffsetCommitKey('g', 'tp', 3))).toBe('0001' + '000167' + '00027470' + '00000003');
  });

  it('writes GroupMetadataKey as version 2 and the group', () => {
    expect(hex(encodeGroupMetadataKey('grp'))).toBe('0002' + '0003677270');
  });

  it('identifies offset keys of version 0 and 1, group keys, and skips newer record types', () => {
    expect(decodeRecordKey(encodeOffsetCommitKey('g', 't', 7))).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 7 });
    const v0 = Buffer.from('0000' + '000167' + '000174' + '00000001', 'hex');
    expect(decodeRecordKey(v0)).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 1 });
    expect(decodeRecordKey(encodeGroupMetadataKey('grp'))).toEqual({ type: 'group', group: 'grp' });
    // ConsumerGroupMetadataKey (KIP-848) is record type 3.
    expect(decodeRecordKey(Buffer.from('0003000167', 'hex'))).toEqual({ type: 'other', version: 3 });
  });

  it('refuses truncated keys and trailing bytes', () => {
    expect(() => decodeRecordKey(Buffer.from('00', 'hex'))).toThrow(ProtocolError);
    expect(() => decodeRecordKey(Buffer.from('0001000167', 'hex'))).toThrow(ProtocolError);
    expect(() => decodeRecordKey(Buffer.concat([encodeGroupMetadataKey('g'), Buffer.from([0])]))).toThrow(/bytes left/);
  });
});

describe('OffsetCommitValue', () => {
  const value = { offset: 42n, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000n, expireTimestamp: -1n };

  it('is written at version 4 as Kafka 4.1.1 writes it: offset, leader epoch, compact metadata, commit timestamp, no tagged fields', () => {
    expect(hex(encodeOffsetCommitValue(value))).toBe(
      '0004' + '000000000000002a' + '00000005' + '026d' + '00000000000003e8' + '00',
    );
    expect(decodeOffsetCommitValue(encodeOffsetCommitValue(value))).toEqual(value);
  });

  it('is written at version 1 when it carries an expire timestamp, as Kafka does', () => {
    const v1 = encodeOffsetCommitValue({ ...value, expireTimestamp: 5000n });
    expect(hex(v1)).toBe('0001' + '000000000000002a' + '00016d' + '00000000000003e8' + '0000000000001388');
    expect(decodeOffsetCommitValue(v1)).toEqual({ ...value, leaderEpoch: -1, expireTimestamp: 5000n });
  });

  it('reads version 0 with the defaults of the fields it lacks', () => {
    const v0 = Buffer.from('0000' + '0000000000000007' + '0000' + '0000000000000001', 'hex');
    expect(decodeOffsetCommitValue(v0)).toEqual({ offset: 7n, leaderEpoch: -1, metadata: '', commitTimestamp: 1n, expireTimestamp: -1n });
  });

  it('refuses an unknown version', () => {
    expect(() => decodeOffsetCommitValue(Buffer.from('0009', 'hex'))).toThrow(/unknown OffsetCommitValue version 9/);
  });

  it('property: every version Kafka defines decodes to what was encoded', () => {
    for (let version = 0; version <= 4; version++) {
      fc.assert(
        fc.property(structArbitrary(offsetCommitValueSchema.fields, version, version >= 4), (v) => {
          expect(decodeOffsetCommitValue(encodeAt(offsetCommitValueSchema, version, v))).toEqual(v);
        }),
        { numRuns: 50 },
      );
    }
  });
});

describe('GroupMetadataValue', () => {
  const member = {
    memberId: 'm1',
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/h',
    rebalanceTimeout: 300,
    sessionTimeout: 100,
    subscription: Buffer.from([1]),
    assignment: Buffer.from([]),
  };
  const value = { protocolType: 'consumer', generation: 2, protocol: 'range', leader: 'm1', currentStateTimestamp: 9n, members: [member] };

  it('is written at version 3 (GroupCoordinatorRecordHelpers.GROUP_METADATA_VALUE_VERSION)', () => {
    expect(hex(encodeGroupMetadataValue(value))).toBe(
      '0003' +
        '0008' + Buffer.from('consumer').toString('hex') +
        '00000002' +
        '0005' + Buffer.from('range').toString('hex') +
        '0002' + Buffer.from('m1').toString('hex') +
        '0000000000000009' +
        '00000001' +
        '0002' + Buffer.from('m1').toString('hex') +
        'ffff' + // group instance id: null
        '000163' +
        '00022f68' +
        '0000012c' +
        '00000064' +
        '0000000101' +
        '00000000',
    );
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(value))).toEqual(value);
  });

  it('writes an Empty group with null protocol and leader', () => {
    const empty = { protocolType: '', generation: 0, protocol: null, leader: null, currentStateTimestamp: 5n, members: [] };
    expect(decodeGroupMetadataValue(encodeGroupMetadataValue(empty))).toEqual(empty);
  });

  it('property: every version Kafka defines decodes to what was encoded', () => {
    for (let version = 0; version <= 4; version++) {
      fc.assert(
        fc.property(structArbitrary(groupMetadataValueSchema.fields, version, version >= 4), (v) => {
          expect(decodeGroupMetadataValue(encodeAt(groupMetadataValueSchema, version, v))).toEqual(v);
        }),
        { numRuns: 50 },
      );
    }
  });
});
