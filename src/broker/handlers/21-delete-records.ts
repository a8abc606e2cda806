// DeleteRecords, versions 0-2.
//
// Behavior:
// - Moves each partition's log start offset to the requested offset (-1: the high watermark);
//   segments wholly below it are deleted. low_watermark is the new log start offset.
// - An offset below -1 or beyond the high watermark is OFFSET_OUT_OF_RANGE; an unknown
//   topic or partition UNKNOWN_TOPIC_OR_PARTITION (low_watermark -1). Partitions fail alone.
// - A partition named more than once is deleted and answered once, at the offset named last,
//   and a topic named more than once is answered once, as Kafka does (it collects the request
//   into a map); answers keep the order of first appearance.
// Deviations: timeout_ms is ignored (one replica: the deletion is complete on return).
import type {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
} from '../../protocol/messages/21-delete-records.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { partitionErrorCode } from '../replica-manager.js';
import type { ApiHandler, RequestContext } from '../handler.js';

/** Kafka's DeleteRecordsRequest.HIGH_WATERMARK: "delete everything below the high watermark". */
const HIGH_WATERMARK = -1n;

function deleteBefore(topic: string, partitionIndex: number, offset: bigint, ctx: RequestContext): DeleteRecordsResponseDeleteRecordsPartitionResult {
  try {
    const log = ctx.services.replicaManager.getPartitionOrError(topic, partitionIndex);
    const target = offset === HIGH_WATERMARK ? log.highWatermark : Number(offset);
    if (target < 0) throw new KafkaError('OFFSET_OUT_OF_RANGE', `Cannot delete records before negative offset ${offset}`);
    const lowWatermark = log.deleteRecordsBefore(target);
    return { partitionIndex, lowWatermark: BigInt(lowWatermark), errorCode: ErrorCode.NONE };
  } catch (err) {
    return { partitionIndex, lowWatermark: -1n, errorCode: partitionErrorCode(err) };
  }
}

/** Serves DeleteRecords (api key 21). */
export const handler: ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse> = {
  apiKey: ApiKey.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const offsets = new Map<string, Map<number, bigint>>();
    for (const t of req.topics) {
      let partitions = offsets.get(t.name);
      if (!partitions) offsets.set(t.name, (partitions = new Map()));
      for (const p of t.partitions) partitions.set(p.partitionIndex, p.offset);
    }
    return {
      throttleTimeMs: 0,
      topics: [...offsets].map(([name, partitions]) => ({
        name,
        partitions: [...partitions].map(([partitionIndex, offset]) => deleteBefore(name, partitionIndex, offset, ctx)),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })),
      })),
    };
  },
};
