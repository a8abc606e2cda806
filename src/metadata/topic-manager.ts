// The topic registry (Kafka's controller + metadata image on one node): which topics exist, their
// IDs, partition counts and config overrides. Each change is persisted first, then applied to
// the LogManager, so a crash in between is repaired by reconcile() on the next start.

import type { BrokerConfig } from '../config/broker-config.js';
import { type ConfigManager, validateTopicConfigs } from '../config/config-manager.js';
import { log } from '../logger.js';
import { KafkaError } from '../protocol/errors.js';
import type { LogConfig } from '../storage/log-config.js';
import type { LogManager } from '../storage/log-manager.js';
import type { MetadataState, MetadataStore, TopicRecord } from './metadata-store.js';
import { randomTopicId, ZERO_TOPIC_ID } from './topic-id.js';
import { INTERNAL_TOPICS, unifyCollisionChars, validateTopicName } from './topic-name.js';

/** A topic as handlers see it. Sluice is one node: every partition has one replica, this node. */
export interface TopicInfo {
  name: string;
  topicId: string;
  numPartitions: number;
  replicationFactor: number;
  /** Topic-level config overrides (raw strings). */
  configs: ReadonlyMap<string, string>;
  internal: boolean;
}

/** What CreateTopics (or auto-creation) asks for; -1 / absent means the broker default. */
export interface CreateTopicOptions {
  numPartitions?: number;
  replicationFactor?: number;
  /** Manual assignment: partition index → replica node ids (only this node is valid). */
  assignments?: ReadonlyMap<number, readonly number[]>;
  configs?: ReadonlyMap<string, string | null>;
  validateOnly?: boolean;
  /** Set by the broker itself for __consumer_offsets and friends. */
  internal?: boolean;
}

/** Everything TopicManager works with. */
export interface TopicManagerDeps {
  config: BrokerConfig;
  configs: ConfigManager;
  logManager: LogManager;
  store: MetadataStore;
}

function toInfo(r: TopicRecord): TopicInfo {
  return {
    name: r.name,
    topicId: r.topicId,
    numPartitions: r.numPartitions,
    replicationFactor: 1,
    configs: new Map(Object.entries(r.configs)),
    internal: r.internal,
  };
}

/** The persisted set of topics, and the one place that creates and deletes partition logs. */
export class TopicManager {
  private byName = new Map<string, TopicInfo>();
  private byId = new Map<string, TopicInfo>();

  private constructor(private readonly deps: TopicManagerDeps) {
    this.index();
    deps.configs.onChange(() => this.refreshLogConfigs());
  }

  /** Loads the registry and brings the LogManager in line with it (see reconcile). */
  static open(deps: TopicManagerDeps): TopicManager {
    const tm = new TopicManager(deps);
    tm.reconcile();
    return tm;
  }

  /** Every topic, internal ones included. */
  all(): TopicInfo[] {
    return [...this.byName.values()];
  }

  /** The topic called `name`, if any. */
  get(name: string): TopicInfo | undefined {
    return this.byName.get(name);
  }

  /** The topic with ID `topicId`, if any. */
  getById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }

  /** The effective LogConfig of a topic: its overrides over the (dynamic, then static) broker defaults. */
  logConfigFor(name: string): LogConfig {
    return this.deps.configs.logConfig(this.byName.get(name)?.configs ?? new Map());
  }

  /** Creates a topic and its logs (or only checks, with validateOnly); KafkaError with Kafka's codes. */
  createTopic(name: string, opts: CreateTopicOptions = {}): TopicInfo {
    validateTopicName(name);
    if (this.byName.has(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`);
    const unified = unifyCollisionChars(name);
    const clash = this.all().find((t) => unifyCollisionChars(t.name) === unified);
    if (clash) throw new KafkaError('INVALID_TOPIC_EXCEPTION', `Topic '${name}' collides with existing topic: ${clash.name}`);
    const numPartitions = this.partitionCount(opts);
    const configs = opts.configs ?? new Map<string, string | null>();
    validateTopicConfigs(configs);
    const info: TopicInfo = {
      name,
      topicId: randomTopicId(),
      numPartitions,
      replicationFactor: 1,
      configs: configs as ReadonlyMap<string, string>,
      internal: opts.internal ?? INTERNAL_TOPICS.has(name),
    };
    if (opts.validateOnly) return info;
    this.deps.store.update((s) => {
      s.topics.push({ name, topicId: info.topicId, numPartitions, configs: Object.fromEntries(info.configs), internal: info.internal });
    });
    this.index();
    this.createLogsOrUndo(name, info.topicId, 0, numPartitions, (s) => {
      s.topics = s.topics.filter((t) => t.name !== name);
    });
    return this.byName.get(name)!;
  }

  /** Deletes a topic and its logs; UNKNOWN_TOPIC_OR_PARTITION when absent. */
  deleteTopic(name: string): void {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist`);
    if (!this.deps.config.deleteTopicEnable) {
      throw new KafkaError('TOPIC_DELETION_DISABLED', 'Topic deletion is disabled (delete.topic.enable=false)');
    }
    this.deps.store.update((s) => {
      s.topics = s.topics.filter((t) => t.name !== name);
    });
    this.index();
    for (let p = 0; p < topic.numPartitions; p++) this.deps.logManager.deleteLog(name, p);
  }

  /** Grows a topic to `count` partitions; INVALID_PARTITIONS unless it is an increase. */
  createPartitions(
    name: string,
    count: number,
    validateOnly: boolean,
    assignments: readonly (readonly number[])[] | null = null,
  ): void {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`);
    if (count < topic.numPartitions) {
      throw new KafkaError(
        'INVALID_PARTITIONS',
        `The topic ${name} currently has ${topic.numPartitions} partition(s); ${count} would not be an increase.`,
      );
    }
    if (count === topic.numPartitions) {
      throw new KafkaError('INVALID_PARTITIONS', `Topic already has ${topic.numPartitions} partition(s).`);
    }
    if (assignments !== null) {
      if (assignments.length !== count - topic.numPartitions) {
        throw new KafkaError(
          'INVALID_REPLICA_ASSIGNMENT',
          `Attempted to add ${count - topic.numPartitions} additional partition(s), but only ${assignments.length} assignment(s) were specified.`,
        );
      }
      assignments.forEach((replicas) => this.checkReplicas(replicas));
    }
    if (validateOnly) return;
    this.deps.store.update((s) => {
      const rec = s.topics.find((t) => t.name === name)!;
      rec.numPartitions = count;
    });
    this.index();
    this.createLogsOrUndo(name, topic.topicId, topic.numPartitions, count, (s) => {
      s.topics.find((t) => t.name === name)!.numPartitions = topic.numPartitions;
    });
  }

  /** Replaces a topic's config overrides (validated) and applies them to its live logs. */
  alterTopicConfigs(name: string, configs: ReadonlyMap<string, string | null>, validateOnly: boolean): void {
    const topic = this.byName.get(name);
    if (!topic) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic ${name} does not exist`);
    validateTopicConfigs(configs);
    if (validateOnly) return;
    this.deps.store.update((s) => {
      s.topics.find((t) => t.name === name)!.configs = Object.fromEntries(configs) as Record<string, string>;
    });
    this.index();
    this.applyLogConfig(name);
  }

  private partitionCount(opts: CreateTopicOptions): number {
    const assignments = opts.assignments;
    const numPartitions = opts.numPartitions ?? -1;
    const replicationFactor = opts.replicationFactor ?? -1;
    if (assignments && assignments.size > 0) {
      if (numPartitions !== -1 || replicationFactor !== -1) {
        throw new KafkaError(
          'INVALID_REQUEST',
          'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
        );
      }
      for (let p = 0; p < assignments.size; p++) {
        const replicas = assignments.get(p);
        if (!replicas) {
          throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'Partitions should be numbered consecutively from 0.');
        }
        this.checkReplicas(replicas);
      }
      return assignments.size;
    }
    if (numPartitions === 0 || numPartitions < -1) {
      throw new KafkaError('INVALID_PARTITIONS', 'Number of partitions was set to an invalid non-positive value.');
    }
    if (replicationFactor === 0 || replicationFactor < -1) {
      throw new KafkaError('INVALID_REPLICATION_FACTOR', 'Replication factor must be larger than 0, or -1 to use the default value.');
    }
    const rf = replicationFactor === -1 ? this.deps.config.defaultReplicationFactor : replicationFactor;
    if (rf > 1) {
      throw new KafkaError(
        'INVALID_REPLICATION_FACTOR',
        `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only 1 broker(s) are registered.`,
      );
    }
    return numPartitions === -1 ? this.deps.config.numPartitions : numPartitions;
  }

  private checkReplicas(replicas: readonly number[]): void {
    if (replicas.length === 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'The manual partition assignment includes an empty replica list.');
    if (new Set(replicas).size !== replicas.length) {
      throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `The manual partition assignment includes duplicate replicas: ${replicas.join(', ')}.`);
    }
    const other = replicas.find((id) => id !== this.deps.config.nodeId);
    if (other !== undefined) {
      throw new KafkaError(
        'INVALID_REPLICA_ASSIGNMENT',
        `The manual partition assignment includes broker ${other}, but no such broker is registered.`,
      );
    }
  }

  /** Creates logs [from, to); if one fails (disk full, I/O error) removes those made and reverts the registry. */
  private createLogsOrUndo(name: string, topicId: string, from: number, to: number, revert: (draft: MetadataState) => void): void {
    const logConfig = this.logConfigFor(name);
    let p = from;
    try {
      for (; p < to; p++) this.deps.logManager.createLog(name, p, topicId, logConfig);
    } catch (err) {
      for (let q = from; q < p; q++) this.deps.logManager.deleteLog(name, q);
      this.deps.store.update(revert);
      this.index();
      throw err;
    }
  }

  private index(): void {
    this.byName = new Map();
    this.byId = new Map();
    for (const r of this.deps.store.current.topics) {
      const info = toInfo(r);
      this.byName.set(info.name, info);
      this.byId.set(info.topicId, info);
    }
  }

  private applyLogConfig(name: string): void {
    const logConfig = this.logConfigFor(name);
    for (const pl of this.deps.logManager.logsOf(name)) pl.updateConfig(logConfig);
  }

  private refreshLogConfigs(): void {
    for (const name of this.byName.keys()) this.applyLogConfig(name);
  }

  /**
   * Makes the logs on disk match the registry: registered partitions without a log get one,
   * logs of unregistered topics (a delete interrupted by a crash) are deleted, and every log
   * gets its topic's config. When there was no metadata file yet, logs found on disk are
   * adopted instead, so no data is lost.
   */
  private reconcile(): void {
    const { logManager, store } = this.deps;
    if (!store.existed) this.adoptLogs();
    for (const pl of logManager.allLogs()) {
      const topic = this.byName.get(pl.topic);
      if (!topic || pl.partition >= topic.numPartitions || (pl.topicId !== topic.topicId && pl.topicId !== ZERO_TOPIC_ID && pl.topicId !== '')) {
        log.warn(`Deleting stray log ${pl.topic}-${pl.partition} (topic id ${pl.topicId}): not in the topic registry`);
        logManager.deleteLog(pl.topic, pl.partition);
      }
    }
    for (const topic of this.byName.values()) {
      const logConfig = this.logConfigFor(topic.name);
      // createLog is idempotent: it applies the config to an existing log (recording the topic id
      // if the log had none) and creates a missing one.
      for (let p = 0; p < topic.numPartitions; p++) logManager.createLog(topic.name, p, topic.topicId, logConfig);
    }
  }

  private adoptLogs(): void {
    const found = new Map<string, { topicId: string; numPartitions: number }>();
    for (const pl of this.deps.logManager.allLogs()) {
      const t = found.get(pl.topic) ?? { topicId: '', numPartitions: 0 };
      if (!t.topicId && pl.topicId && pl.topicId !== ZERO_TOPIC_ID) t.topicId = pl.topicId;
      t.numPartitions = Math.max(t.numPartitions, pl.partition + 1);
      found.set(pl.topic, t);
    }
    this.deps.store.update((s) => {
      for (const [name, t] of found) {
        log.warn(`Adopting topic ${name} (${t.numPartitions} partition(s)) found in the log dirs`);
        s.topics.push({ name, topicId: t.topicId || randomTopicId(), numPartitions: t.numPartitions, configs: {}, internal: INTERNAL_TOPICS.has(name) });
      }
    });
    this.index();
  }
}
