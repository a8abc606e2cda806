// CreatePartitions, versions 0-3.
//
// Behavior:
// - Grows a topic to `count` partitions; the same or a lower count is INVALID_PARTITIONS, an
//   unknown topic UNKNOWN_TOPIC_OR_PARTITION. New partitions start empty at offset 0.
// - Manual assignments must give one replica list per new partition naming only this node
//   (INVALID_REPLICA_ASSIGNMENT otherwise).
// - A topic listed twice is INVALID_REQUEST; validate_only checks and changes nothing.
// Deviations: timeout_ms is ignored (the partitions exist before the response).
import type {
  CreatePartitionsRequest,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../../protocol/messages/37-create-partitions.js';
import { KafkaError } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import type { ApiHandler } from '../handler.js';

/** Serves CreatePartitions (api key 37). */
export const handler: ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse> = {
  apiKey: ApiKey.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  handle(req, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = req.topics.map((t) => {
      try {
        if (counts.get(t.name)! > 1) throw new KafkaError('INVALID_REQUEST', 'Duplicate topic in request.');
        const assignments = t.assignments === null ? null : t.assignments.map((a) => a.brokerIds);
        ctx.services.topics.createPartitions(t.name, t.count, req.validateOnly, assignments);
        return { name: t.name, ...NO_ERROR };
      } catch (err) {
        return { name: t.name, ...apiErrorOf(err, `CreatePartitions ${t.name}`) };
      }
    });
    return { throttleTimeMs: 0, results };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })) };
  },
};
