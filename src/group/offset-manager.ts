// Committed offsets of classic groups, as Kafka 4.1.1's OffsetMetadataManager keeps them: commit
// (with the classic group's generation and member checks), fetch, delete, and the periodic
// expiry of offsets (offsets.retention.minutes) that also removes Empty groups left without any.
// Every change is appended to __consumer_offsets first and applied in memory only once durable.
import { log } from '../logger.js';
import { ErrorCode, errorCodeOf, KafkaError } from '../protocol/errors.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import type { CommittedOffset, GroupMetadata } from './group-metadata.js';
import type { GroupStore, OffsetRecordEntry } from './group-store.js';

/** What the offset manager needs from the group coordinator (H1's GroupCoordinator provides it). */
export interface OffsetGroupDirectory {
  group(groupId: string): GroupMetadata | undefined;
  /** Existing group, or a new Empty one without protocol (Kafka's "simple" group). */
  getOrCreateGroup(groupId: string): GroupMetadata;
  allGroups(): GroupMetadata[];
  /** Forgets an Empty group that has no offsets (nor pending members) left; true when it did. */
  removeGroupIfEmpty(groupId: string): boolean;
  /** An offset commit counts as a heartbeat of the member (Stable/PreparingRebalance groups). */
  rescheduleMemberHeartbeat(group: GroupMetadata, memberId: string): void;
}

/** Where topics and partitions are known (the TopicManager). */
export interface TopicDirectory {
  get(name: string): { numPartitions: number } | undefined;
}

/** Settings of the offset manager (Kafka's GroupCoordinatorConfig subset). */
export interface OffsetManagerConfig {
  offsetMetadataMaxBytes: number;
  offsetsRetentionMs: number;
}

/** One partition of an OffsetCommit request. */
export interface CommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

/** An OffsetCommit request in the shape the manager works with. */
export interface CommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2-4 retention_time_ms; -1 = the broker's retention. */
  retentionTimeMs: number;
  topics: { name: string; partitions: CommitPartition[] }[];
}

/** Per-partition result of a commit or delete. */
export interface PartitionResult {
  partitionIndex: number;
  errorCode: number;
}

/** A topic's per-partition results. */
export interface TopicResults {
  name: string;
  partitions: PartitionResult[];
}

/** A fetched committed offset (-1/-1/'' when none). */
export interface FetchedPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

/** One group's OffsetFetch answer. */
export interface FetchResult {
  errorCode: number;
  topics: { name: string; partitions: FetchedPartition[] }[];
}

/** OffsetDelete's answer: a group-level error or per-partition results. */
export interface DeleteResult {
  errorCode: number;
  topics: TopicResults[];
}

/** Everything the manager is built from. */
export interface OffsetManagerDeps {
  store: Pick<GroupStore, 'append'>;
  groups: OffsetGroupDirectory;
  topics: TopicDirectory;
  config: OffsetManagerConfig;
  clock?: () => number;
}

/** OffsetCommitRequest.DEFAULT_RETENTION_TIME: use the broker's offsets.retention.minutes. */
const DEFAULT_RETENTION_TIME = -1;
/** First OffsetCommit version that answers GROUP_ID_NOT_FOUND for a missing group. */
const GROUP_ID_NOT_FOUND_VERSION = 9;

const NO_OFFSET: Omit<FetchedPartition, 'partitionIndex'> = { committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };

/** Kafka's ClassicGroup.usesConsumerGroupProtocol. */
function usesConsumerProtocol(group: GroupMetadata): boolean {
  return group.protocolType === CONSUMER_PROTOCOL_TYPE;
}

/**
 * Kafka's ClassicGroup.isSubscribedToTopic: the members' subscriptions when known; when they are
 * not (unparseable metadata), a 'consumer' group counts as subscribed. A group without members
 * subscribes to nothing.
 */
export function isSubscribedToTopic(group: GroupMetadata, topic: string): boolean {
  if (group.isEmpty()) return false;
  const topics = group.subscribedTopics();
  return topics ? topics.has(topic) : usesConsumerProtocol(group);
}

/**
 * Kafka's ClassicGroup.offsetExpirationCondition: the timestamp an offset's retention counts
 * from, or null when the group's offsets do not expire now.
 */
export function expirationBase(group: GroupMetadata): ((o: CommittedOffset) => number) | null {
  if (!group.protocolType) return (o) => o.commitTimestamp; // standalone (simple) consumer
  if (group.state === 'Empty') {
    const since = group.currentStateTimestamp;
    return (o) => (since >= 0 ? since : o.commitTimestamp);
  }
  if (usesConsumerProtocol(group) && group.subscribedTopics() !== null && group.state === 'Stable') {
    return (o) => o.commitTimestamp; // KIP-496: offsets of topics no member subscribes to
  }
  return null;
}

/** Kafka's OffsetExpirationConditionImpl.isOffsetExpired. */
function isOffsetExpired(o: CommittedOffset, base: (o: CommittedOffset) => number, now: number, retentionMs: number): boolean {
  if (o.expireTimestamp >= 0) return now >= o.expireTimestamp;
  return now - base(o) >= retentionMs;
}

/** Commits, fetches, deletes and expires committed offsets of classic groups. */
export class OffsetManager {
  private readonly clock: () => number;

  constructor(private readonly deps: OffsetManagerDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * OffsetCommit (KafkaApis + OffsetMetadataManager.commitOffset); apiVersion picks the
   * missing-group error. The empty group id is a group like any other here, as Kafka keeps it
   * for backwards compatibility.
   */
  commit(req: CommitRequest, apiVersion: number): TopicResults[] {
    // KafkaApis answers unknown topics and partitions itself, first in its response; the rest
    // goes to the coordinator, whose answers (group-level errors included) cover only those.
    const refused: TopicResults[] = [];
    const valid: { name: string; partitions: CommitPartition[] }[] = [];
    for (const t of req.topics) {
      const topic = this.deps.topics.get(t.name);
      const known = (p: CommitPartition) => topic !== undefined && p.partitionIndex >= 0 && p.partitionIndex < topic.numPartitions;
      const unknown = t.partitions.filter((p) => !known(p));
      if (unknown.length > 0) {
        refused.push({ name: t.name, partitions: unknown.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
      }
      const ok = t.partitions.filter(known);
      if (ok.length > 0) valid.push({ name: t.name, partitions: ok });
    }
    if (valid.length === 0) return refused;
    const answer = (errorOf: (p: CommitPartition) => number) =>
      mergeTopicResults(refused, valid.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorOf(p) })) })));

    let group = this.deps.groups.group(req.groupId);
    let created = false;
    try {
      if (!group) {
        if (req.generationId >= 0) {
          throw new KafkaError(apiVersion >= GROUP_ID_NOT_FOUND_VERSION ? 'GROUP_ID_NOT_FOUND' : 'ILLEGAL_GENERATION', `Group ${req.groupId} does not exist`);
        }
        log.info(`Creating a simple consumer group ${req.groupId} via manual offset commit`);
        group = this.deps.groups.getOrCreateGroup(req.groupId);
        created = true;
      }
      group.validateOffsetCommit(req.memberId, req.groupInstanceId, req.generationId);
    } catch (err) {
      const code = errorCodeOf(err);
      return answer(() => code);
    }
    if (group.state === 'Stable' || group.state === 'PreparingRebalance') {
      this.deps.groups.rescheduleMemberHeartbeat(group, req.memberId);
    }

    const now = this.clock();
    const expireTimestamp = req.retentionTimeMs === DEFAULT_RETENTION_TIME ? -1 : now + req.retentionTimeMs;
    const tooLarge = (p: CommitPartition) => p.committedMetadata !== null && p.committedMetadata.length > this.deps.config.offsetMetadataMaxBytes;
    const entries: OffsetRecordEntry[] = [];
    for (const t of valid) {
      for (const p of t.partitions) {
        if (tooLarge(p)) continue;
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          value: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch < 0 ? -1 : p.committedLeaderEpoch,
            metadata: p.committedMetadata ?? '',
            commitTimestamp: now,
            expireTimestamp,
          },
        });
      }
    }
    if (entries.length > 0) {
      try {
        this.deps.store.append(req.groupId, { offsets: entries });
      } catch (err) {
        if (created && group.offsets.size === 0) this.deps.groups.removeGroupIfEmpty(req.groupId);
        const code = errorCodeOf(err);
        return answer(() => code);
      }
      applyOffsets(group, entries);
    }
    return answer((p) => (tooLarge(p) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE));
  }

  /**
   * OffsetFetch for one group (OffsetMetadataManager.fetchOffsets / fetchAllOffsets): topics null
   * means every committed offset; partitions without one answer -1. The empty group id is
   * served too (Kafka keeps it for backwards compatibility).
   */
  fetch(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null): FetchResult {
    const group = this.deps.groups.group(groupId);
    const offsets = group && group.state !== 'Dead' ? group.offsets : undefined;
    if (topics === null) {
      return {
        errorCode: ErrorCode.NONE,
        topics: [...(offsets ?? [])].map(([name, byPartition]) => ({
          name,
          partitions: [...byPartition].map(([partitionIndex, o]) => fetched(partitionIndex, o)),
        })),
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => fetched(partitionIndex, offsets?.get(t.name)?.get(partitionIndex))),
      })),
    };
  }

  /** OffsetDelete (OffsetMetadataManager.deleteOffsets after ClassicGroup.validateOffsetDelete). */
  delete(groupId: string, topics: { name: string; partitions: number[] }[]): DeleteResult {
    if (groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const group = this.deps.groups.group(groupId);
    if (!group || group.state === 'Dead') return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
    if (group.state !== 'Empty' && !usesConsumerProtocol(group)) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
    // KafkaApis refuses unknown partitions before the coordinator sees them; they come first in its answer.
    const refused: TopicResults[] = [];
    const answered: TopicResults[] = [];
    const entries: OffsetRecordEntry[] = [];
    for (const t of topics) {
      const known = this.deps.topics.get(t.name);
      const isKnown = (partitionIndex: number) => known !== undefined && partitionIndex >= 0 && partitionIndex < known.numPartitions;
      const unknown = t.partitions.filter((partitionIndex) => !isKnown(partitionIndex));
      if (unknown.length > 0) refused.push({ name: t.name, partitions: unknown.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION })) });
      const ok = t.partitions.filter(isKnown);
      if (ok.length === 0) continue;
      const subscribed = isSubscribedToTopic(group, t.name);
      answered.push({
        name: t.name,
        partitions: ok.map((partitionIndex) => {
          if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
          if (group.offsets.get(t.name)?.has(partitionIndex)) entries.push({ topic: t.name, partition: partitionIndex, value: null });
          return { partitionIndex, errorCode: ErrorCode.NONE };
        }),
      });
    }
    const results = mergeTopicResults(refused, answered);
    if (entries.length > 0) {
      try {
        this.deps.store.append(groupId, { offsets: entries });
      } catch (err) {
        return { errorCode: errorCodeOf(err), topics: [] };
      }
      applyOffsets(group, entries);
    }
    return { errorCode: ErrorCode.NONE, topics: results };
  }

  /**
   * The periodic offsets cleanup (GroupMetadataManager.cleanupGroupMetadata): tombstones expired
   * offsets, and a group that is Empty with no offsets left. Returns how many offsets expired.
   */
  expireOffsets(): number {
    const now = this.clock();
    let expired = 0;
    for (const group of this.deps.groups.allGroups()) {
      const entries: OffsetRecordEntry[] = [];
      let allExpired = true;
      const base = group.offsets.size > 0 ? expirationBase(group) : null;
      if (group.offsets.size > 0 && !base) allExpired = false;
      if (base) {
        for (const [topic, byPartition] of group.offsets) {
          if (isSubscribedToTopic(group, topic)) {
            allExpired = false;
            continue;
          }
          for (const [partition, o] of byPartition) {
            if (isOffsetExpired(o, base, now, this.deps.config.offsetsRetentionMs)) entries.push({ topic, partition, value: null });
            else allExpired = false;
          }
        }
      }
      // Kafka's maybeDeleteGroup; a member id handed out by MEMBER_ID_REQUIRED keeps the group.
      const removeGroup = allExpired && group.state === 'Empty' && group.pendingJoinMembers.size === 0;
      if (entries.length === 0 && !removeGroup) continue;
      try {
        this.deps.store.append(group.groupId, removeGroup ? { offsets: entries, group: null } : { offsets: entries });
      } catch (err) {
        log.warn(`Expiring offsets of group ${group.groupId} failed: ${(err as Error).message}`);
        continue;
      }
      applyOffsets(group, entries);
      expired += entries.length;
      if (entries.length > 0) log.info(`Removed ${entries.length} expired offset(s) of group ${group.groupId}`);
      if (removeGroup) {
        log.info(`Group ${group.groupId} transitioned to Dead: Empty with no offsets left`);
        this.deps.groups.removeGroupIfEmpty(group.groupId);
      }
    }
    return expired;
  }
}

/**
 * Kafka's OffsetCommitResponse/OffsetDeleteResponse builders: `first` (what KafkaApis refused)
 * then `then` (the coordinator's answers), a topic named in both keeping its first place.
 */
function mergeTopicResults(first: TopicResults[], then: TopicResults[]): TopicResults[] {
  const merged = first.map((t) => ({ name: t.name, partitions: [...t.partitions] }));
  for (const t of then) {
    const existing = merged.find((m) => m.name === t.name);
    if (existing) existing.partitions.push(...t.partitions);
    else merged.push({ name: t.name, partitions: [...t.partitions] });
  }
  return merged;
}

function fetched(partitionIndex: number, o: CommittedOffset | undefined): FetchedPartition {
  if (!o) return { partitionIndex, ...NO_OFFSET };
  return { partitionIndex, committedOffset: o.offset, committedLeaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
}

/** Applies durable offset records to the group's in-memory offsets (null removes). */
function applyOffsets(group: GroupMetadata, entries: OffsetRecordEntry[]): void {
  for (const e of entries) {
    let byPartition = group.offsets.get(e.topic);
    if (e.value) {
      if (!byPartition) group.offsets.set(e.topic, (byPartition = new Map()));
      byPartition.set(e.partition, e.value);
    } else if (byPartition) {
      byPartition.delete(e.partition);
      if (byPartition.size === 0) group.offsets.delete(e.topic);
    }
  }
}
