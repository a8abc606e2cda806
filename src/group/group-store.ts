// The group coordinator's persistence: the internal compacted topic __consumer_offsets, written
// and read in Kafka's own record formats so Kafka's tools (DumpLogSegments --offsets-decoder) and
// a Kafka broker reading the same log dir understand it. One node leads every partition, so each
// append goes straight to the partition's log and is durable (in the page cache) on return.
import type { BrokerConfig } from '../config/broker-config.js';
import { toNumber } from '../config/config-def.js';
import { brokerValue } from '../config/effective-config.js';
import { log } from '../logger.js';
import type { TopicManager } from '../metadata/topic-manager.js';
import { type CodecId, native } from '../native/index.js';
import type { GroupMetadataValueMemberMetadata } from '../protocol/coordinator-records.js';
import { ErrorCode, type ErrorName, errorCodeOf, KafkaError } from '../protocol/errors.js';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from '../protocol/records.js';
import type { LogManager } from '../storage/log-manager.js';
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeRecordKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from './coordinator-record-codec.js';
import type { CommittedOffset } from './group-metadata.js';

/** Kafka's name of the offsets topic (Topic.GROUP_METADATA_TOPIC_NAME). */
export const GROUP_METADATA_TOPIC_NAME = '__consumer_offsets';
/** offsets.load.buffer.size's default: how much of a partition one read brings in at load. */
const LOAD_BUFFER_BYTES = 5 * 1024 * 1024;

/** A classic group's persisted state (GroupMetadataValue). */
export interface GroupMetadataRecord {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number; // -1 when unknown
  members: GroupMemberRecord[];
}

/** One member inside a GroupMetadataRecord: the generated MemberMetadata without tagged fields. */
export type GroupMemberRecord = Omit<GroupMetadataValueMemberMetadata, '_unknownTaggedFields'>;

/** Everything __consumer_offsets holds, as the coordinator rebuilds its groups from it. */
export interface LoadedGroups {
  /** Latest non-tombstone group record per group. */
  groups: Map<string, GroupMetadataRecord>;
  /** group → topic → partition → latest committed offset (tombstoned ones removed). */
  offsets: Map<string, Map<string, Map<number, CommittedOffset>>>;
}

/** One offset record to append: a commit, or a tombstone when value is null. */
export interface OffsetRecordEntry {
  topic: string;
  partition: number;
  value: CommittedOffset | null;
}

/** What GroupStore needs from the broker. */
export interface GroupStoreDeps {
  config: BrokerConfig;
  topics: TopicManager;
  logManager: LogManager;
  clock?: () => number;
}

/** Java's String.hashCode: s[0]*31^(n-1) + ... over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Math.abs, except Integer.MIN_VALUE maps to 0. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

/** Kafka's coordinator mapping of a failed append to the error a group request answers. */
function coordinatorError(err: unknown, offsetCommit: boolean): KafkaError {
  const code = errorCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const mapped = (name: ErrorName) => new KafkaError(name, message);
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return mapped('COORDINATOR_NOT_AVAILABLE');
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return mapped('NOT_COORDINATOR');
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return mapped(offsetCommit ? 'INVALID_COMMIT_OFFSET_SIZE' : 'UNKNOWN_SERVER_ERROR');
    default:
      return err instanceof KafkaError ? err : mapped('UNKNOWN_SERVER_ERROR');
  }
}

function toGroupRecord(v: ReturnType<typeof decodeGroupMetadataValue>): GroupMetadataRecord {
  return {
    protocolType: v.protocolType,
    generation: v.generation,
    protocol: v.protocol,
    leader: v.leader,
    currentStateTimestamp: Number(v.currentStateTimestamp),
    members: v.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeout,
      sessionTimeout: m.sessionTimeout,
      subscription: m.subscription,
      assignment: m.assignment,
    })),
  };
}

/** Reads and writes group metadata and committed offsets in __consumer_offsets. */
export class GroupStore {
  private readonly clock: () => number;

  constructor(private readonly deps: GroupStoreDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** offsets.topic.num.partitions, or the existing topic's count (which wins, as in Kafka). */
  get numPartitions(): number {
    return this.deps.topics.get(GROUP_METADATA_TOPIC_NAME)?.numPartitions ?? this.brokerInt('offsets.topic.num.partitions');
  }

  /**
   * Creates __consumer_offsets when missing (internal, offsets.topic.num.partitions partitions,
   * compacted, offsets.topic.segment.bytes segments, compression.type=producer). Idempotent.
   */
  ensureOffsetsTopic(): void {
    if (this.deps.topics.get(GROUP_METADATA_TOPIC_NAME)) return;
    this.deps.topics.createTopic(GROUP_METADATA_TOPIC_NAME, {
      numPartitions: this.brokerInt('offsets.topic.num.partitions'),
      internal: true,
      configs: new Map([
        ['cleanup.policy', 'compact'],
        ['segment.bytes', String(this.brokerInt('offsets.topic.segment.bytes'))],
        ['compression.type', 'producer'],
      ]),
    });
    log.info(`Created ${GROUP_METADATA_TOPIC_NAME} with ${this.numPartitions} partition(s)`);
  }

  /** Kafka's partitionFor: Utils.abs(groupId.hashCode()) % the offsets topic's partition count. */
  partitionFor(groupId: string): number {
    return kafkaAbs(javaStringHashCode(groupId)) % this.numPartitions;
  }

  /** Every partition read from its log start: latest value per key, tombstones applied. */
  load(): LoadedGroups {
    const loaded: LoadedGroups = { groups: new Map(), offsets: new Map() };
    const topic = this.deps.topics.get(GROUP_METADATA_TOPIC_NAME);
    if (!topic) return loaded;
    for (let p = 0; p < topic.numPartitions; p++) {
      try {
        this.loadPartition(p, loaded);
      } catch (err) {
        // Kafka leaves such a partition's coordinator unloaded; here the rest of the broker still starts.
        log.error(`Loading ${GROUP_METADATA_TOPIC_NAME}-${p} failed, its groups stay unloaded: ${(err as Error).message}`);
      }
    }
    return loaded;
  }

  /**
   * Appends one atomic batch to the group's partition: offset records first, then the group
   * record (null = tombstone), as Kafka orders them. Throws KafkaError with the coordinator's
   * code for a failed append; durable in the log on return.
   */
  append(groupId: string, entries: { group?: GroupMetadataRecord | null; offsets?: OffsetRecordEntry[] }): void {
    const now = this.clock();
    const records: RecordInput[] = [];
    for (const o of entries.offsets ?? []) {
      records.push({ key: encodeOffsetCommitKey(groupId, o.topic, o.partition), value: o.value && this.offsetValue(o.value), timestamp: now });
    }
    if (entries.group !== undefined) {
      records.push({ key: encodeGroupMetadataKey(groupId), value: entries.group && this.groupValue(entries.group), timestamp: now });
    }
    if (records.length === 0) return;
    const offsetCommit = entries.group === undefined;
    const partition = this.partitionFor(groupId);
    const pl = this.deps.logManager.getLog(GROUP_METADATA_TOPIC_NAME, partition);
    try {
      if (!pl || !this.deps.topics.get(GROUP_METADATA_TOPIC_NAME)) {
        throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${GROUP_METADATA_TOPIC_NAME}-${partition} does not exist`);
      }
      const batch = encodeRecordBatch(
        { producerId: -1, producerEpoch: -1, baseSequence: -1, baseTimestamp: now, records },
        { crc32c: native.crc32c },
      );
      pl.appendAsLeader(batch, pl.leaderEpoch);
    } catch (err) {
      const mapped = coordinatorError(err, offsetCommit);
      log.warn(`Appending to ${GROUP_METADATA_TOPIC_NAME}-${partition} for group ${groupId} failed: ${(err as Error).message}`);
      throw mapped;
    }
  }

  private offsetValue(v: CommittedOffset): Buffer {
    return encodeOffsetCommitValue({
      offset: BigInt(v.offset),
      leaderEpoch: v.leaderEpoch,
      metadata: v.metadata,
      commitTimestamp: BigInt(v.commitTimestamp),
      expireTimestamp: BigInt(v.expireTimestamp),
    });
  }

  private groupValue(g: GroupMetadataRecord): Buffer {
    return encodeGroupMetadataValue({
      protocolType: g.protocolType,
      generation: g.generation,
      protocol: g.protocol,
      leader: g.leader,
      currentStateTimestamp: BigInt(g.currentStateTimestamp),
      members: g.members.map((m) => ({ ...m })),
    });
  }

  private loadPartition(partition: number, loaded: LoadedGroups): void {
    const pl = this.deps.logManager.getLog(GROUP_METADATA_TOPIC_NAME, partition);
    if (!pl || pl.isOffline) {
      log.warn(`Not loading ${GROUP_METADATA_TOPIC_NAME}-${partition}: its log is ${pl ? 'offline' : 'missing'}`);
      return;
    }
    let offset = pl.logStartOffset;
    const end = pl.logEndOffset;
    while (offset < end) {
      const { records } = pl.read(offset, LOAD_BUFFER_BYTES, true, 'uncommitted');
      const batches = decodeRecordBatches(records, {
        decompress: (codec, data) => native.decompress(codec as CodecId, data),
        crc32c: native.crc32c,
      });
      if (batches.length === 0) break;
      for (const batch of batches) {
        if (!batch.isControl) {
          for (const record of batch.records) {
            if (record.offset >= offset) this.apply(record.key, record.value, partition, record.offset, loaded);
          }
        }
        offset = batch.baseOffset + batch.lastOffsetDelta + 1;
      }
    }
  }

  private apply(key: Buffer | null, value: Buffer | null, partition: number, offset: number, loaded: LoadedGroups): void {
    try {
      if (key === null) throw new Error('record without a key');
      const k = decodeRecordKey(key);
      if (k.type === 'offset') {
        let byTopic = loaded.offsets.get(k.group);
        if (value === null) {
          byTopic?.get(k.topic)?.delete(k.partition);
          if (byTopic?.get(k.topic)?.size === 0) byTopic.delete(k.topic);
          if (byTopic?.size === 0) loaded.offsets.delete(k.group);
          return;
        }
        const v = decodeOffsetCommitValue(value);
        if (!byTopic) loaded.offsets.set(k.group, (byTopic = new Map()));
        let byPartition = byTopic.get(k.topic);
        if (!byPartition) byTopic.set(k.topic, (byPartition = new Map()));
        byPartition.set(k.partition, {
          offset: Number(v.offset),
          leaderEpoch: v.leaderEpoch,
          metadata: v.metadata,
          commitTimestamp: Number(v.commitTimestamp),
          expireTimestamp: Number(v.expireTimestamp),
        });
      } else if (k.type === 'group') {
        if (value === null) loaded.groups.delete(k.group);
        else loaded.groups.set(k.group, toGroupRecord(decodeGroupMetadataValue(value)));
      }
      // Other record types (KIP-848 consumer/share groups) are not classic-group state.
    } catch (err) {
      log.warn(`Skipping unreadable record at ${GROUP_METADATA_TOPIC_NAME}-${partition} offset ${offset}: ${(err as Error).message}`);
    }
  }

  private brokerInt(name: string): number {
    return toNumber(brokerValue([this.deps.config.props], name));
  }
}
