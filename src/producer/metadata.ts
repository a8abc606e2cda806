// The producer's view of the cluster (Kafka's ProducerMetadata): brokers, topic leaders and
// epochs, when to refresh (on request, after errors, every metadataMaxAgeMs) and with what backoff.
import type { MetadataRequest, MetadataResponse } from '../protocol/index.js';
import { exponentialBackoff } from './backoff.js';
import { errorNameOf, isInvalidMetadata, isRetriable, type ErrorName } from './errors.js';
import type { HostPort } from './producer-config.js';
import type { TopicPartitionsView } from './partitioner.js';

/** One partition's leader as last seen. */
export interface PartitionLeader {
  /** Broker id, or -1 when the partition has no leader now. */
  leader: number;
  leaderEpoch: number;
}

/** A topic as last seen: its partitions (by index) and those with a leader. */
export interface TopicMetadata extends TopicPartitionsView {
  name: string;
  partitions: PartitionLeader[];
}

/** Topic errors that no refresh can fix: sends to the topic fail at once. */
const FATAL_TOPIC_ERRORS: ReadonlySet<ErrorName> = new Set<ErrorName>(['INVALID_TOPIC_EXCEPTION', 'TOPIC_AUTHORIZATION_FAILED']);

/** Cluster metadata of the topics this producer writes to. */
export class ProducerMetadata {
  readonly brokers = new Map<number, HostPort>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly topicErrors = new Map<string, ErrorName>();
  private readonly wanted = new Set<string>();
  /** A refresh was asked for (Java's needFullUpdate). */
  private needUpdate = true;
  /** Bumped when a topic is added: an answer to an older request leaves the refresh pending. */
  private requestVersion = 0;
  private lastRefreshMs = 0;
  private lastSuccessfulRefreshMs = 0;
  /** Failed refreshes in a row (Java's attempts). */
  private attempts = 0;
  /** Answers in a row that showed no progress (Java's equivalentResponseCount, KIP-580). */
  private equivalentResponses = 0;
  /** Jittered backoffs after lastRefreshMs, drawn once per refresh. */
  private attemptsBackoffMs = 0;
  private equivalentBackoffMs = 0;
  /** Bumped on every successful update. */
  updateVersion = 0;
  clusterId: string | null = null;

  constructor(
    private readonly refreshBackoffMs: number,
    private readonly refreshBackoffMaxMs: number,
    private readonly metadataMaxAgeMs: number,
  ) {}

  /** The topic's metadata, or undefined while it is unknown. */
  topic(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  /** A topic error that will not go away by refreshing (invalid name, not authorized). */
  fatalTopicError(name: string): ErrorName | undefined {
    const e = this.topicErrors.get(name);
    return e !== undefined && FATAL_TOPIC_ERRORS.has(e) ? e : undefined;
  }

  /** The last error the cluster reported for the topic, if any. */
  topicError(name: string): ErrorName | undefined {
    return this.topicErrors.get(name);
  }

  /** Leader broker of a partition, or -1. */
  leaderFor(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leader ?? -1;
  }

  /**
   * Asks for the topic's metadata (Java's add + requestUpdateForTopic): a topic not tracked yet
   * is fetched at once, a tracked one on the next refresh the backoff allows.
   */
  add(topic: string): void {
    if (this.wanted.has(topic)) return this.requestUpdate();
    this.wanted.add(topic);
    // Java's requestUpdateForNewTopics: no backoff for a topic never asked for.
    this.lastRefreshMs = 0;
    this.equivalentResponses = 0;
    this.equivalentBackoffMs = 0;
    this.attemptsBackoffMs = 0;
    this.requestVersion++;
    this.needUpdate = true;
  }

  /** Asks for a refresh as soon as the backoff allows. */
  requestUpdate(): void {
    this.needUpdate = true;
  }

  /**
   * Milliseconds until a refresh is due (0: now): on request or after metadataMaxAgeMs, but never
   * sooner than Java's timeToAllowUpdate: retryBackoffMs after the last refresh, growing
   * exponentially (to retryBackoffMaxMs) while refreshes fail or answers show no progress.
   */
  timeToNextUpdate(now: number): number {
    const timeToExpire = Math.max(0, this.lastSuccessfulRefreshMs + this.metadataMaxAgeMs - now);
    // A periodic refresh is not a retry: it starts the no-progress backoff over.
    if (timeToExpire === 0) this.equivalentBackoffMs = this.equivalentResponses = 0;
    const timeToAllow = Math.max(0, this.lastRefreshMs + Math.max(this.attemptsBackoffMs, this.equivalentBackoffMs) - now);
    return Math.max(this.needUpdate ? 0 : timeToExpire, timeToAllow);
  }

  /** Version to hand back to update() with the answer to the request built now. */
  get currentRequestVersion(): number {
    return this.requestVersion;
  }

  /** The Metadata request body for the tracked topics. */
  newRequest(allowAutoTopicCreation: boolean): MetadataRequest {
    return {
      topics: [...this.wanted].map((name) => ({ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
  }

  /** Records a refresh that got no answer. */
  failedUpdate(now: number): void {
    this.lastRefreshMs = now;
    this.attempts++;
    this.attemptsBackoffMs = this.backoff(this.attempts - 1);
    this.equivalentResponses = 0;
    this.equivalentBackoffMs = 0;
  }

  private backoff(attempts: number): number {
    return exponentialBackoff(this.refreshBackoffMs, this.refreshBackoffMaxMs, attempts);
  }

  /**
   * Applies a Metadata response; a leader older (by epoch) than the one known is ignored.
   * requestVersion: currentRequestVersion when the request was built (a topic added since keeps
   * the refresh pending). An answer that changes no leader epoch and adds no partition counts as
   * no progress, and backs the next refresh off further (Java's equivalent responses).
   */
  update(response: MetadataResponse, now: number, requestVersion = this.requestVersion): void {
    this.lastRefreshMs = now;
    this.lastSuccessfulRefreshMs = now;
    this.attempts = 0;
    this.attemptsBackoffMs = this.backoff(0);
    this.needUpdate = requestVersion < this.requestVersion;
    let progress = false;
    this.clusterId = response.clusterId;
    this.brokers.clear();
    for (const b of response.brokers) this.brokers.set(b.nodeId, { host: b.host, port: b.port });
    for (const t of response.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        const error = errorNameOf(t.errorCode);
        this.topicErrors.set(t.name, error);
        // A passing condition (leader election, topic being created) keeps what we knew.
        if (!isRetriable(error)) this.topics.delete(t.name);
        if (isInvalidMetadata(error)) this.needUpdate = true;
        continue;
      }
      this.topicErrors.delete(t.name);
      const old = this.topics.get(t.name);
      const partitions: PartitionLeader[] = [];
      for (const p of t.partitions) {
        const prev = old?.partitions[p.partitionIndex];
        const leader = p.errorCode === 0 || p.leaderId >= 0 ? p.leaderId : -1;
        if (prev && p.leaderEpoch >= 0 && prev.leaderEpoch > p.leaderEpoch) {
          partitions[p.partitionIndex] = prev; // stale answer from a lagging broker
          this.needUpdate = true;
        } else {
          partitions[p.partitionIndex] = { leader, leaderEpoch: p.leaderEpoch };
          // Java's updateLatestMetadata: a new partition, a newer epoch or no epoch at all is progress.
          if (!prev || p.leaderEpoch < 0 || p.leaderEpoch > prev.leaderEpoch) progress = true;
        }
        if (leader < 0) this.needUpdate = true;
      }
      this.topics.set(t.name, topicMetadata(t.name, partitions));
    }
    this.equivalentResponses = progress ? 0 : this.equivalentResponses + 1;
    this.equivalentBackoffMs = this.equivalentResponses > 0 ? this.backoff(this.equivalentResponses - 1) : 0;
    this.updateVersion++;
  }

  /** Adopts a newer leader a Produce response named (KIP-951), skipping a metadata round trip. */
  updateLeader(topic: string, partition: number, leader: number, leaderEpoch: number, endpoint?: HostPort): boolean {
    const t = this.topics.get(topic);
    const prev = t?.partitions[partition];
    if (!t || !prev || leader < 0 || leaderEpoch <= prev.leaderEpoch) return false;
    if (!this.brokers.has(leader)) {
      if (!endpoint) return false;
      this.brokers.set(leader, endpoint);
    }
    const partitions = t.partitions.slice();
    partitions[partition] = { leader, leaderEpoch };
    this.topics.set(topic, topicMetadata(topic, partitions));
    this.updateVersion++;
    return true;
  }
}

function topicMetadata(name: string, partitions: PartitionLeader[]): TopicMetadata {
  const availablePartitions: number[] = [];
  for (let i = 0; i < partitions.length; i++) if (partitions[i] && partitions[i].leader >= 0) availablePartitions.push(i);
  return { name, partitions, partitionCount: partitions.length, availablePartitions };
}
