// OffsetFetch (api key 9), versions 1-9.
//
// Behavior (Kafka 4.1.1's classic group coordinator):
// - v1-7 ask for one group, v8+ batch groups (answered in request order, each with its own
//   error code).
// - topics null (v2+) answers every committed offset of the group; otherwise each named partition
//   answers its committed offset, leader epoch and metadata, or -1/-1/"" when none is committed
//   (unknown topics and groups alike: Kafka does not check them here).
// - The empty group id is served like any other (Kafka keeps it for backwards compatibility;
//   OffsetCommit accepts it too).
// Deviations: require_stable is accepted and has no effect until transactional offset commits exist;
// member_id/member_epoch (v9) only matter for KIP-848 consumer groups, which Sluice does not serve.
import type { FetchResult } from '../../group/offset-manager.js';
import {
  ApiKey,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type OffsetFetchResponseTopic,
} from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** First version that batches groups. */
const BATCHED_VERSION = 8;
/** First version with a top-level error code. */
const TOP_LEVEL_ERROR_VERSION = 2;

function wireTopics(result: FetchResult): OffsetFetchResponseTopic[] {
  return result.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({
      partitionIndex: p.partitionIndex,
      committedOffset: BigInt(p.committedOffset),
      committedLeaderEpoch: p.committedLeaderEpoch,
      metadata: p.metadata,
      errorCode: p.errorCode,
    })),
  }));
}

/** A v1-7 answer for one group's result (v1 has no top-level error: its partitions carry it). */
function singleGroup(result: FetchResult, version: number): OffsetFetchResponse {
  const topics = wireTopics(result);
  if (version < TOP_LEVEL_ERROR_VERSION) for (const t of topics) for (const p of t.partitions) p.errorCode ||= result.errorCode;
  return { throttleTimeMs: 0, topics, errorCode: result.errorCode, groups: [] };
}

/** Serves OffsetFetch (api key 9). */
export const handler: ApiHandler<OffsetFetchRequest, OffsetFetchResponse> = {
  apiKey: ApiKey.OffsetFetch,
  minVersion: 1,
  maxVersion: 9,
  handle(req, ctx) {
    const offsets = ctx.services.offsets;
    if (ctx.apiVersion < BATCHED_VERSION) {
      return singleGroup(offsets.fetch(req.groupId, req.topics), ctx.apiVersion);
    }
    return {
      throttleTimeMs: 0,
      topics: [],
      errorCode: 0,
      groups: req.groups.map((g) => {
        const result = offsets.fetch(g.groupId, g.topics);
        return { groupId: g.groupId, topics: wireTopics(result), errorCode: result.errorCode };
      }),
    };
  },
  errorResponse(req, errorCode, ctx) {
    if (ctx.apiVersion < BATCHED_VERSION) {
      // Before v2 the partitions carry the error, so they are named; later versions answer none.
      const named = ctx.apiVersion < TOP_LEVEL_ERROR_VERSION ? (req.topics ?? []) : [];
      const topics = named.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
      }));
      return singleGroup({ errorCode, topics }, ctx.apiVersion);
    }
    return { throttleTimeMs: 0, topics: [], errorCode: 0, groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
  },
};
