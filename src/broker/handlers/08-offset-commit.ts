// OffsetCommit (api key 8), versions 2-9.
//
// Behavior (Kafka 4.1.1's KafkaApis + classic group coordinator):
// - Unknown topics and partitions answer UNKNOWN_TOPIC_OR_PARTITION per partition; when nothing
//   else is left the group is not consulted.
// - generation_id -1 to an absent or Empty group is a standalone commit (an absent group is
//   created Empty, without protocol); otherwise the member, static instance and generation are
//   checked (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS
//   while CompletingRebalance). A missing group with generation >= 0 is ILLEGAL_GENERATION, or
//   GROUP_ID_NOT_FOUND from v9. A group-level error answers every known partition; unknown ones
//   keep UNKNOWN_TOPIC_OR_PARTITION and come first in the response, as Kafka's KafkaApis orders it.
// - Metadata longer than offset.metadata.max.bytes answers OFFSET_METADATA_TOO_LARGE for that
//   partition; the rest are written to __consumer_offsets in one batch before answering.
// - v2-4 retention_time_ms other than -1 gives the offsets an expire timestamp (now + it).
// - A commit from a member of a Stable or PreparingRebalance group counts as its heartbeat.
import { ApiKey, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Serves OffsetCommit (api key 8). */
export const handler: ApiHandler<OffsetCommitRequest, OffsetCommitResponse> = {
  apiKey: ApiKey.OffsetCommit,
  minVersion: 2,
  maxVersion: 9,
  handle(req, ctx) {
    const topics = ctx.services.offsets.commit(
      {
        groupId: req.groupId,
        generationId: req.generationIdOrMemberEpoch,
        memberId: req.memberId,
        groupInstanceId: req.groupInstanceId,
        retentionTimeMs: Number(req.retentionTimeMs),
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            committedOffset: Number(p.committedOffset),
            committedLeaderEpoch: p.committedLeaderEpoch,
            committedMetadata: p.committedMetadata,
          })),
        })),
      },
      ctx.apiVersion,
    );
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    };
  },
};
