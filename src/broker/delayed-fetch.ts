// Long-poll fetches (Kafka's DelayedFetch + its purgatory): a fetch that found fewer than
// min_bytes parks here until appends to its partitions bring enough bytes, one of them is
// deleted, max_wait_ms passes, its connection closes, or the broker stops. The caller re-reads
// the logs once woken.

/** Why a parked fetch was released. */
export type DelayedFetchOutcome = 'satisfied' | 'timeout' | 'cancelled';

/** A partition a parked fetch watches, named as the log manager names it. */
export interface WatchedPartition {
  topic: string;
  partition: number;
}

/** What a fetch needs to park. */
export interface DelayedFetchRequest {
  partitions: WatchedPartition[];
  minBytes: number;
  bytesSoFar: number; // bytes the first read already found
  maxWaitMs: number;
  signal?: AbortSignal; // the connection's: aborts when it closes
}

interface ParkedFetch {
  keys: string[];
  minBytes: number;
  bytes: number;
  timer: NodeJS.Timeout;
  release: (outcome: DelayedFetchOutcome) => void;
}

function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** Holds every parked fetch, indexed by the partitions it watches. */
export class DelayedFetchPurgatory {
  private readonly watchers = new Map<string, Set<ParkedFetch>>();
  private readonly parked = new Set<ParkedFetch>();

  /** Parks a fetch; resolves once it should be answered. */
  park(req: DelayedFetchRequest): Promise<DelayedFetchOutcome> {
    if (req.signal?.aborted) return Promise.resolve('cancelled');
    return new Promise((resolve) => {
      const keys = [...new Set(req.partitions.map((p) => keyOf(p.topic, p.partition)))];
      const onAbort = () => fetch.release('cancelled');
      const fetch: ParkedFetch = {
        keys,
        minBytes: req.minBytes,
        bytes: req.bytesSoFar,
        timer: setTimeout(() => fetch.release('timeout'), Math.max(0, req.maxWaitMs)),
        release: (outcome) => {
          if (!this.parked.delete(fetch)) return;
          clearTimeout(fetch.timer);
          req.signal?.removeEventListener('abort', onAbort);
          for (const key of keys) {
            const set = this.watchers.get(key);
            set?.delete(fetch);
            if (set?.size === 0) this.watchers.delete(key);
          }
          resolve(outcome);
        },
      };
      this.parked.add(fetch);
      for (const key of keys) {
        let set = this.watchers.get(key);
        if (!set) this.watchers.set(key, (set = new Set()));
        set.add(fetch);
      }
      req.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Called after bytes were appended to a partition: releases fetches that now have enough. */
  onAppend(topic: string, partition: number, bytes: number): void {
    const set = this.watchers.get(keyOf(topic, partition));
    if (!set) return;
    for (const fetch of [...set]) {
      fetch.bytes += bytes;
      if (fetch.bytes >= fetch.minBytes) fetch.release('satisfied');
    }
  }

  /** Releases every fetch watching a partition that stopped existing here (Kafka's case A). */
  onPartitionRemoved(topic: string, partition: number): void {
    for (const fetch of [...(this.watchers.get(keyOf(topic, partition)) ?? [])]) fetch.release('satisfied');
  }

  /** Number of fetches currently parked (for tests and shutdown logging). */
  get size(): number {
    return this.parked.size;
  }

  /** Releases every parked fetch now (broker shutdown): each answers with what it has. */
  releaseAll(): void {
    for (const fetch of [...this.parked]) fetch.release('timeout');
  }
}
