// OffsetDelete (api key 47), version 0.
//
// Behavior (Kafka 4.1.1's KafkaApis + classic group coordinator):
// - Group-level errors answer with no topics: GROUP_ID_NOT_FOUND for an absent (or Dead) group,
//   NON_EMPTY_GROUP for a group with members that does not use the 'consumer' protocol,
//   INVALID_GROUP_ID for an empty group id.
// - Per partition: UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions (first in the
//   response, as Kafka's KafkaApis orders them), GROUP_SUBSCRIBED_TO_TOPIC when a member subscribes to the topic, otherwise NONE, with the
//   committed offset (if any) tombstoned in __consumer_offsets before answering.
import { ApiKey, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Serves OffsetDelete (api key 47). */
export const handler: ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse> = {
  apiKey: ApiKey.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const result = ctx.services.offsets.delete(
      req.groupId,
      req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    return { errorCode: result.errorCode, throttleTimeMs: 0, topics: result.topics };
  },
  errorResponse(_req, errorCode) {
    return { errorCode, throttleTimeMs: 0, topics: [] };
  },
};
