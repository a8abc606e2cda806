// ListOffsets (api key 2), versions 1-9.
//
// Behavior:
// - timestamp -1 (latest): the high watermark (read_committed: the last stable offset; both
//   equal the log end offset on one node without transactions), timestamp -1.
// - -2 (earliest) and -4 (earliest local, v8+, KIP-405; no tiered storage so the same): the
//   log start offset.
// - -3 (max timestamp, v7+, KIP-734): the offset of the record with the largest timestamp.
// - -5 (latest tiered, v9+, KIP-1005): no tiered storage, so offset -1 and timestamp -1.
// - Any other timestamp: the first offset whose record timestamp is >= it, found through the
//   time index; none → offset -1, timestamp -1, no error (as Kafka answers).
// - A special timestamp older than the version that introduced it (-3 below v7, -4 below v8,
//   -5 below v9), or any other negative timestamp → UNSUPPORTED_VERSION for that partition, as
//   Kafka answers.
// - leader_epoch (v4+) is the epoch of the offset found; current_leader_epoch (v4+) older than
//   the leader's → FENCED_LEADER_EPOCH, newer → UNKNOWN_LEADER_EPOCH.
// - Unknown topic or partition → UNKNOWN_TOPIC_OR_PARTITION for that partition only.
// - A partition named more than once in the request → answered once, with INVALID_REQUEST, as
//   Kafka's ReplicaManager.fetchOffset does; like Kafka, the answer has each topic once (entries
//   repeating a topic are merged), here in the order of first appearance.
// - v0 (old_style_offsets) and v10 are not served: UNSUPPORTED_VERSION on every partition.
import { ErrorCode } from '../../protocol/errors.js';
import type {
  ListOffsetsRequest,
  ListOffsetsRequestListOffsetsPartition,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
} from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';
import { checkLeaderEpoch, partitionErrorCode } from '../replica-manager.js';

/** Kafka's special timestamps of ListOffsetsRequest. */
const ListOffsetsTimestamp = {
  LATEST: -1,
  EARLIEST: -2,
  MAX_TIMESTAMP: -3,
  EARLIEST_LOCAL: -4,
  LATEST_TIERED: -5,
} as const;

const READ_COMMITTED = 1;

/** The first version serving each negative (special) timestamp; others are unsupported. */
const SPECIAL_TIMESTAMP_MIN_VERSION = new Map<number, number>([
  [ListOffsetsTimestamp.LATEST, 0],
  [ListOffsetsTimestamp.EARLIEST, 0],
  [ListOffsetsTimestamp.MAX_TIMESTAMP, 7],
  [ListOffsetsTimestamp.EARLIEST_LOCAL, 8],
  [ListOffsetsTimestamp.LATEST_TIERED, 9],
]);

/** True when this request version can ask for this timestamp. */
function timestampSupported(timestamp: number, version: number): boolean {
  return timestamp >= 0 || version >= (SPECIAL_TIMESTAMP_MIN_VERSION.get(timestamp) ?? Infinity);
}

function answer(partitionIndex: number, errorCode: number, offset = -1, timestamp = -1, leaderEpoch = -1): ListOffsetsResponseListOffsetsPartitionResponse {
  return {
    partitionIndex,
    errorCode,
    oldStyleOffsets: [],
    timestamp: BigInt(timestamp),
    offset: BigInt(offset),
    leaderEpoch,
  };
}

/** Finds offsets by time (or the special latest/earliest/max-timestamp markers) per partition. */
export const handler: ApiHandler<ListOffsetsRequest, ListOffsetsResponse> = {
  apiKey: ApiKey.ListOffsets,
  minVersion: 1,
  maxVersion: 9,
  handle(req, ctx) {
    const replicaManager = ctx.services.replicaManager;
    const lookup = (name: string, p: ListOffsetsRequestListOffsetsPartition): ListOffsetsResponseListOffsetsPartitionResponse => {
      try {
        const log = replicaManager.getPartitionOrError(name, p.partitionIndex);
        checkLeaderEpoch(log, p.currentLeaderEpoch);
        let timestamp = Number(p.timestamp);
        if (!timestampSupported(timestamp, ctx.apiVersion)) return answer(p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION);
        if (timestamp === ListOffsetsTimestamp.LATEST_TIERED) return answer(p.partitionIndex, ErrorCode.NONE);
        if (timestamp === ListOffsetsTimestamp.EARLIEST_LOCAL) timestamp = ListOffsetsTimestamp.EARLIEST;
        const found = log.fetchOffsetByTimestamp(timestamp);
        if (found === null) return answer(p.partitionIndex, ErrorCode.NONE);
        let offset = found.offset;
        if (timestamp === ListOffsetsTimestamp.LATEST) {
          offset = Math.min(offset, req.isolationLevel === READ_COMMITTED ? log.lastStableOffset : log.highWatermark);
        }
        return answer(p.partitionIndex, ErrorCode.NONE, offset, found.timestamp, found.leaderEpoch);
      } catch (err) {
        return answer(p.partitionIndex, partitionErrorCode(err));
      }
    };
    const byTopic = new Map<string, Map<number, ListOffsetsResponseListOffsetsPartitionResponse>>();
    for (const t of req.topics) {
      let partitions = byTopic.get(t.name);
      if (!partitions) byTopic.set(t.name, (partitions = new Map()));
      for (const p of t.partitions) {
        const duplicate = partitions.has(p.partitionIndex);
        partitions.set(p.partitionIndex, duplicate ? answer(p.partitionIndex, ErrorCode.INVALID_REQUEST) : lookup(t.name, p));
      }
    }
    return {
      throttleTimeMs: 0,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions: [...partitions.values()] })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => answer(p.partitionIndex, errorCode)) })),
    };
  },
};
