// DeleteTopics, versions 1-6.
//
// Behavior:
// - v1-5 name topics in topic_names; v6 names them in topics[], by name or by topic ID.
// - An unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown ID UNKNOWN_TOPIC_ID; naming both
//   or neither in one v6 entry, or the same topic twice, is INVALID_REQUEST.
// - delete.topic.enable=false answers TOPIC_DELETION_DISABLED.
// - The topic leaves the registry durably first; its partition folders are renamed to
//   `<dir>.<id>-delete` and removed in the background by the LogManager. Fetches parked on its
//   partitions answer at once (UNKNOWN_TOPIC_OR_PARTITION).
// Deviations: timeout_ms is ignored (deletion completes before the response).
import type {
  DeleteTopicsRequest,
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from '../../protocol/messages/20-delete-topics.js';
import { KafkaError } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import { ZERO_TOPIC_ID } from '../../metadata/topic-id.js';
import type { ApiHandler, RequestContext } from '../handler.js';

interface Target {
  name: string | null;
  topicId: string;
}

function targetsOf(req: DeleteTopicsRequest, version: number): Target[] {
  if (version >= 6) return req.topics.map((t) => ({ name: t.name, topicId: t.topicId }));
  return req.topicNames.map((name) => ({ name, topicId: ZERO_TOPIC_ID }));
}

function deleteOne(target: Target, seen: Set<string>, ctx: RequestContext): DeleteTopicsResponseDeletableTopicResult {
  const { topics } = ctx.services;
  let name = target.name;
  let topicId = target.topicId;
  try {
    if (name !== null && topicId !== ZERO_TOPIC_ID) {
      throw new KafkaError('INVALID_REQUEST', 'You may not specify both topic name and topic id.');
    }
    if (name === null) {
      if (topicId === ZERO_TOPIC_ID) throw new KafkaError('INVALID_REQUEST', 'Neither topic name nor id were specified.');
      const topic = topics.getById(topicId);
      if (!topic) throw new KafkaError('UNKNOWN_TOPIC_ID', `Topic id ${topicId} does not exist`);
      name = topic.name;
    }
    if (seen.has(name)) throw new KafkaError('INVALID_REQUEST', 'Duplicate topic name.');
    seen.add(name);
    const topic = topics.get(name);
    topicId = topic?.topicId ?? topicId;
    topics.deleteTopic(name);
    ctx.services.replicaManager.stopPartitions(name, topic?.numPartitions ?? 0);
    return { name, topicId, ...NO_ERROR };
  } catch (err) {
    return { name, topicId, ...apiErrorOf(err, `DeleteTopics ${name ?? topicId}`) };
  }
}

/** Serves DeleteTopics (api key 20). */
export const handler: ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> = {
  apiKey: ApiKey.DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  handle(req, ctx) {
    const seen = new Set<string>();
    return { throttleTimeMs: 0, responses: targetsOf(req, ctx.apiVersion).map((t) => deleteOne(t, seen, ctx)) };
  },
  errorResponse(req, errorCode, ctx) {
    return {
      throttleTimeMs: 0,
      responses: targetsOf(req, ctx.apiVersion).map((t) => ({ name: t.name, topicId: t.topicId, errorCode, errorMessage: null })),
    };
  },
};
