// The broker's durable metadata (topics and dynamic configs) in one small JSON file in the first
// log dir — Sluice's stand-in for Kafka's KRaft metadata log on a single node. Every change
// rewrites the file atomically (tmp, fsync, rename, fsync dir) so a crash leaves old or new.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../storage/durable-file.js';

/** A topic as persisted. */
export interface TopicRecord {
  name: string;
  topicId: string;
  numPartitions: number;
  /** Topic config overrides, raw strings as the user gave them. */
  configs: Record<string, string>;
  internal: boolean;
}

/** The whole persisted state. */
export interface MetadataState {
  version: 1;
  topics: TopicRecord[];
  /** Dynamic broker configs by entity: "<default>" for the cluster default, else the node id. */
  brokerConfigs: Record<string, Record<string, string>>;
}

/** The file name inside the first log dir (not `<topic>-<partition>`, so log loading skips it). */
export const METADATA_FILE = 'sluice-metadata.json';

/** Entity name of cluster-wide dynamic broker configs, as in Kafka. */
export const DEFAULT_BROKER_ENTITY = '<default>';

/** Holds the metadata in memory and persists each change before it takes effect elsewhere. */
export class MetadataStore {
  private constructor(
    readonly path: string,
    private state: MetadataState,
    /** False when the file did not exist: a fresh dir, or logs from before Sluice kept metadata. */
    readonly existed: boolean,
  ) {}

  /** Loads the file from `dir` (created if needed); a missing file starts empty. */
  static open(dir: string): MetadataStore {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, METADATA_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return new MetadataStore(path, { version: 1, topics: [], brokerConfigs: {} }, false);
    }
    let state: MetadataState;
    try {
      state = JSON.parse(text) as MetadataState;
    } catch (err) {
      throw new Error(`${path} is not valid JSON (${(err as Error).message}); restore it or remove it to rebuild from the logs`);
    }
    if (state.version !== 1 || !Array.isArray(state.topics) || typeof state.brokerConfigs !== 'object') {
      throw new Error(`${path} has an unknown layout (version ${String(state.version)})`);
    }
    return new MetadataStore(path, state, true);
  }

  /** The current state; callers must not mutate it (use update). */
  get current(): Readonly<MetadataState> {
    return this.state;
  }

  /** Applies `change` to a copy, writes it durably, then makes it current. */
  update(change: (draft: MetadataState) => void): void {
    const draft = structuredClone(this.state);
    change(draft);
    this.write(draft);
    this.state = draft;
  }

  private write(state: MetadataState): void {
    writeFileDurably(this.path, JSON.stringify(state, null, 2) + '\n');
  }
}
