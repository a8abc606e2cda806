// Fetch (api key 1), versions 4-17.
//
// Behavior:
// - Long poll: when fewer than min_bytes are available the fetch waits up to max_wait_ms and is
//   answered early as soon as appends to any of its partitions bring min_bytes (see
//   delayed-fetch.ts); a closed connection cancels the wait.
// - Whole batches from the batch containing fetch_offset (the client skips earlier records);
//   at most max_bytes in total and partition_max_bytes per partition, except that the first
//   partition with data always returns at least one whole batch so consumers make progress.
// - records is never null (librdkafka rejects null): an empty buffer when there is nothing.
// - Fetch sessions (v7+, KIP-227): the broker never creates one and answers session id 0, which
//   tells the client to send full fetches; a request naming a session id other than 0 gets
//   FETCH_SESSION_ID_NOT_FOUND. forgotten_topics_data only matters inside a session: ignored.
// - v13+ names topics by id: an unknown id → UNKNOWN_TOPIC_ID for its partitions. Older
//   versions name them: unknown → UNKNOWN_TOPIC_OR_PARTITION.
// - isolation_level 1 (read_committed) reads up to the last stable offset (= high watermark
//   until transactions exist) and gets an empty aborted_transactions list; read_uncommitted
//   gets null there, as Kafka sends.
// - OFFSET_OUT_OF_RANGE outside [log start offset, log end offset]; current_leader_epoch (v9+)
//   older than the leader's → FENCED_LEADER_EPOCH, newer → UNKNOWN_LEADER_EPOCH.
// - Versions below 10 cannot carry zstd (KIP-110): a partition whose returned batches include a
//   zstd batch gets UNSUPPORTED_COMPRESSION_TYPE and no records. Kafka decides this from the
//   topic's compression.type; Sluice looks at the batches actually returned (header fields only,
//   read natively from the file: no record byte enters JS).
// - Records are file regions of the segments, sent by the connection with sendfile (see
//   connection.ts); the response is encoded around them.
// - Follower fetches (replica_id >= 0) are served like consumer fetches: there are no followers.
// - preferred_read_replica (v11+) is always -1: read from the leader.
// - A partition named more than once (in one topic entry or in entries repeating a topic) is read
//   and answered once, with the fetch parameters of its last entry, as Kafka's fetchData
//   (a LinkedHashMap keyed by topic-partition) does; the answer has each topic once, topics and
//   partitions in the order of first appearance. Topics are matched by id from v13, by name before.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  FetchRequest,
  FetchRequestFetchPartition,
  FetchRequestFetchTopic,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../../protocol/index.js';
import {
  ApiKey,
  defaultFetchResponseEpochEndOffset,
  defaultFetchResponseLeaderIdAndEpoch,
  defaultFetchResponseSnapshotId,
} from '../../protocol/index.js';
import { Codec } from '../../native/index.js';
import type { ApiHandler } from '../handler.js';
import { failedFetch, type FetchRecords, type PartitionFetch, type PartitionFetchResult } from '../replica-manager.js';

/** First Fetch version with topic ids instead of names. */
const TOPIC_ID_VERSION = 13;
/** First Fetch version allowed to carry zstd batches. */
const ZSTD_VERSION = 10;
const READ_COMMITTED = 1;

function partitionData(partitionIndex: number, r: PartitionFetchResult, committed: boolean): FetchResponsePartitionData {
  return {
    partitionIndex,
    errorCode: r.errorCode,
    highWatermark: BigInt(r.highWatermark),
    lastStableOffset: BigInt(r.lastStableOffset),
    logStartOffset: BigInt(r.logStartOffset),
    divergingEpoch: defaultFetchResponseEpochEndOffset(),
    currentLeader: defaultFetchResponseLeaderIdAndEpoch(),
    snapshotId: defaultFetchResponseSnapshotId(),
    abortedTransactions: committed ? [] : null,
    preferredReadReplica: -1,
    // A file region where the generated type says Buffer (what decoders produce): the encoder
    // writes a region as its length plus a region chunk the connection sends with sendfile.
    records: r.records as Buffer,
  };
}

/** True when a batch read is zstd-compressed (the addon reads batch headers from the file only). */
function containsZstd(records: FetchRecords): boolean {
  return !Buffer.isBuffer(records) && records.containsCodec(Codec.zstd);
}

/** A topic of the request with its partitions collapsed: one entry per partition, last one wins. */
interface CollapsedTopic {
  topic: string;
  topicId: string;
  partitions: FetchRequestFetchPartition[];
}

/**
 * Merges entries repeating a topic (by id from v13, by name before) and partitions named more than
 * once, keeping the order of first appearance and the last entry's fetch parameters.
 */
function collapse(topics: FetchRequestFetchTopic[], byId: boolean): CollapsedTopic[] {
  const merged = new Map<string, { topic: string; topicId: string; partitions: Map<number, FetchRequestFetchPartition> }>();
  for (const t of topics) {
    const key = byId ? t.topicId : t.topic;
    let entry = merged.get(key);
    if (!entry) merged.set(key, (entry = { topic: t.topic, topicId: t.topicId, partitions: new Map() }));
    for (const p of t.partitions) entry.partitions.set(p.partition, p);
  }
  return [...merged.values()].map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: [...t.partitions.values()] }));
}

/** Reads partition logs, parking the request in the delayed-fetch purgatory when needed. */
export const handler: ApiHandler<FetchRequest, FetchResponse> = {
  apiKey: ApiKey.Fetch,
  minVersion: 4,
  maxVersion: 17,
  async handle(req, ctx) {
    if (req.sessionId !== 0) return { ...handler.errorResponse(req, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, ctx), responses: [] };
    const byId = ctx.apiVersion >= TOPIC_ID_VERSION;
    const committed = req.isolationLevel === READ_COMMITTED;
    const topics = collapse(req.topics, byId);

    // Resolve topics; partitions of unknown topic ids are answered without reading.
    const reads: PartitionFetch[] = [];
    const plan = topics.map((t) => {
      const name = byId ? ctx.services.topics.getById(t.topicId)?.name : t.topic;
      return t.partitions.map((p) => {
        if (name === undefined) return failedFetch(ErrorCode.UNKNOWN_TOPIC_ID);
        reads.push({
          topic: name,
          partition: p.partition,
          fetchOffset: Number(p.fetchOffset),
          partitionMaxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch,
        });
        return reads.length - 1;
      });
    });
    const results = await ctx.services.replicaManager.fetchMessages(reads, {
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes: req.maxBytes,
      isolation: committed ? 'committed' : 'uncommitted',
      signal: ctx.signal,
    });

    const responses: FetchResponseFetchableTopicResponse[] = topics.map((t, ti) => ({
      topic: t.topic,
      topicId: t.topicId,
      partitions: t.partitions.map((p, pi) => {
        const slot = plan[ti][pi];
        let r = typeof slot === 'number' ? results[slot] : slot;
        if (ctx.apiVersion < ZSTD_VERSION && containsZstd(r.records)) {
          r = failedFetch(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
        }
        return partitionData(p.partition, r, committed);
      }),
    }));
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses, nodeEndpoints: [] };
  },
  errorResponse(req, errorCode, ctx) {
    const committed = req.isolationLevel === READ_COMMITTED;
    return {
      throttleTimeMs: 0,
      errorCode,
      sessionId: 0,
      responses: collapse(req.topics ?? [], ctx.apiVersion >= TOPIC_ID_VERSION).map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => partitionData(p.partition, failedFetch(errorCode), committed)),
      })),
      nodeEndpoints: [],
    };
  },
};
