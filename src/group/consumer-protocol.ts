// The 'consumer' protocol's subscription bytes (Kafka's ConsumerProtocolSubscription, versions
// 0-3), which members send as JoinGroup protocol metadata. The coordinator reads them only to
// know which topics a group subscribes to (offset expiry, describe tools); assignors run in
// clients, so nothing here is ever written.
import { ProtocolError } from '../protocol/errors.js';
import { Reader } from '../protocol/reader.js';

/** ConsumerProtocol.PROTOCOL_TYPE: the protocol type of consumer groups. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';
/** The newest ConsumerProtocolSubscription version; newer ones must extend it as a prefix. */
export const SUBSCRIPTION_MAX_VERSION = 3;

/** A decoded ConsumerProtocolSubscription. */
export interface ConsumerSubscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: { topic: string; partitions: number[] }[]; // v1+
  generationId: number; // v2+, -1 otherwise
  rackId: string | null; // v3+
}

function string(r: Reader): string {
  const n = r.int16();
  if (n < 0) throw new ProtocolError(`negative string length ${n}`);
  return r.utf8(n);
}

function nullableString(r: Reader): string | null {
  const n = r.int16();
  if (n === -1) return null;
  if (n < 0) throw new ProtocolError(`negative string length ${n}`);
  return r.utf8(n);
}

function array<T>(r: Reader, item: (r: Reader) => T): T[] {
  const n = r.int32();
  if (n < 0) throw new ProtocolError(`negative array length ${n}`);
  // Each element takes at least 2 bytes, so a count beyond that is corrupt, not a reason to allocate.
  if (n > r.remaining / 2 + 1) throw new ProtocolError(`array of ${n} exceeds the ${r.remaining} bytes left`);
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(item(r));
  return out;
}

/**
 * Decodes subscription bytes. Versions above 3 are read as their v3 prefix, as Kafka's
 * ConsumerProtocol does; throws ProtocolError for a negative version or malformed bytes.
 */
export function parseSubscription(buf: Buffer): ConsumerSubscription {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new ProtocolError(`unsupported subscription version ${version}`);
  const topics = array(r, string);
  const userDataLength = r.checkedLength(r.int32(), 'user data');
  const userData = userDataLength === -1 ? null : Buffer.from(r.bytes(userDataLength));
  const out: ConsumerSubscription = { version, topics, userData, ownedPartitions: [], generationId: -1, rackId: null };
  if (version >= 1) {
    out.ownedPartitions = array(r, (rr) => ({ topic: string(rr), partitions: array(rr, (x) => x.int32()) }));
  }
  if (version >= 2) out.generationId = r.int32();
  if (version >= 3) out.rackId = nullableString(r);
  return out;
}

/**
 * The topics of a subscription, read from the v0 prefix every version shares (as Kafka's
 * ClassicGroup.computeSubscribedTopics does); throws ProtocolError when malformed.
 */
export function subscriptionTopics(buf: Buffer): string[] {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0) throw new ProtocolError(`unsupported subscription version ${version}`);
  return array(r, string);
}
