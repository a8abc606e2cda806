// OffsetForLeaderEpoch (api key 23), versions 2-4.
//
// Behavior:
// - For each partition: the largest epoch <= leader_epoch that the log knows and the offset
//   where the next epoch starts (the log end offset for the current epoch), from the log's
//   leader-epoch cache. An epoch below every known one → -1 / -1 (UNDEFINED), no error.
// - current_leader_epoch older than the leader's → FENCED_LEADER_EPOCH, newer →
//   UNKNOWN_LEADER_EPOCH; -1 skips the check. Java consumers use this to validate positions
//   after a leader change (KIP-320).
// - replica_id (v3+) -1 (consumer) and -2 (debug) are served alike; there are no followers.
// - Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION for that partition only.
// - v0-1 are not served (Kafka 4 clients need 2+): UNSUPPORTED_VERSION on every partition.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochResponseEpochEndOffset,
} from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';
import { checkLeaderEpoch, partitionErrorCode } from '../replica-manager.js';

function answer(partition: number, errorCode: number, leaderEpoch = -1, endOffset = -1): OffsetForLeaderEpochResponseEpochEndOffset {
  return { errorCode, partition, leaderEpoch, endOffset: BigInt(endOffset) };
}

/** Answers end offsets of leader epochs from each partition's epoch cache. */
export const handler: ApiHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  apiKey: ApiKey.OffsetForLeaderEpoch,
  minVersion: 2,
  maxVersion: 4,
  handle(req, ctx) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => {
          try {
            const log = ctx.services.replicaManager.getPartitionOrError(t.topic, p.partition);
            checkLeaderEpoch(log, p.currentLeaderEpoch);
            const found = log.endOffsetForEpoch(p.leaderEpoch);
            return answer(p.partition, ErrorCode.NONE, found.leaderEpoch, found.endOffset);
          } catch (err) {
            return answer(p.partition, partitionErrorCode(err));
          }
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => answer(p.partition, errorCode)) })),
    };
  },
};
