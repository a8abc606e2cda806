import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ConsumerSubscription, parseSubscription, subscriptionTopics } from '../../src/group/consumer-protocol.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { Writer } from '../../src/protocol/writer.js';

/** ConsumerProtocolSubscription bytes as Kafka's client writes them at `s.version`. */
function encode(s: ConsumerSubscription): Buffer {
  const w = new Writer(64);
  const str = (v: string) => {
    const b = Buffer.from(v);
    w.int16(b.length);
    w.raw(b);
  };
  w.int16(s.version);
  w.int32(s.topics.length);
  s.topics.forEach(str);
  if (s.userData === null) w.int32(-1);
  else {
    w.int32(s.userData.length);
    w.raw(s.userData);
  }
  if (s.version >= 1) {
    w.int32(s.ownedPartitions.length);
    for (const o of s.ownedPartitions) {
      str(o.topic);
      w.int32(o.partitions.length);
      o.partitions.forEach((p) => w.int32(p));
    }
  }
  if (s.version >= 2) w.int32(s.generationId);
  if (s.version >= 3) {
    if (s.rackId === null) w.int16(-1);
    else str(s.rackId);
  }
  return w.toBuffer();
}

const subscriptionArb: fc.Arbitrary<ConsumerSubscription> = fc.integer({ min: 0, max: 3 }).chain((version) =>
  fc.record<ConsumerSubscription>({
    version: fc.constant(version),
    topics: fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }),
    userData: fc.option(fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)), { nil: null }),
    ownedPartitions:
      version >= 1 ? fc.array(fc.record({ topic: fc.string({ maxLength: 10 }), partitions: fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 4 }) }), { maxLength: 3 }) : fc.constant<ConsumerSubscription['ownedPartitions']>([]),
    generationId: version >= 2 ? fc.integer({ min: -1, max: 1 << 30 }) : fc.constant(-1),
    rackId: version >= 3 ? fc.option(fc.string({ maxLength: 8 }), { nil: null }) : fc.constant(null),
  }),
);

describe('ConsumerProtocolSubscription', () => {
  it('property: every version 0-3 decodes to what the client encoded, and its topics read from the v0 prefix', () => {
    fc.assert(
      fc.property(subscriptionArb, (s) => {
        const bytes = encode(s);
        expect(parseSubscription(bytes)).toEqual(s);
        expect(subscriptionTopics(bytes)).toEqual(s.topics);
      }),
    );
  });

  it('reads a newer version by its v3 prefix', () => {
    const v3 = encode({ version: 3, topics: ['a'], userData: null, ownedPartitions: [], generationId: 4, rackId: 'r' });
    const v4 = Buffer.concat([v3, Buffer.from([0, 0, 0, 7])]);
    v4.writeInt16BE(4, 0);
    expect(parseSubscription(v4)).toMatchObject({ version: 4, topics: ['a'], generationId: 4, rackId: 'r' });
  });

  it('refuses malformed bytes with ProtocolError', () => {
    expect(() => subscriptionTopics(Buffer.from([0xff, 0xff, 0, 0, 0, 0]))).toThrow(ProtocolError);
    expect(() => subscriptionTopics(Buffer.from([0, 0, 0x7f, 0xff, 0xff, 0xff]))).toThrow(ProtocolError);
    expect(() => parseSubscription(Buffer.from([0, 0, 0, 0, 0, 1, 0, 5, 0x61]))).toThrow(ProtocolError);
  });
});
