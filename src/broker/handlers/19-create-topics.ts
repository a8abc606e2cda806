// CreateTopics, versions 2-7 (KIP-896: Kafka 4 clients send nothing older).
//
// Behavior:
// - Each topic is created independently; one failure never affects the others.
// - Names follow Kafka's rules (INVALID_TOPIC_EXCEPTION); an existing name is TOPIC_ALREADY_EXISTS;
//   a name listed twice in one request is INVALID_REQUEST for that name.
// - num_partitions / replication_factor -1 take num.partitions / default.replication.factor;
//   a replication factor above 1 is INVALID_REPLICATION_FACTOR (one node). Manual assignments
//   may name only this node.
// - Configs must be known topic configs with valid values (INVALID_CONFIG otherwise).
// - validate_only checks everything and creates nothing.
// - v5+ returns the partition count, replication factor and every config of the topic; v7 its ID.
// Deviations: timeout_ms is ignored (creation completes before the response).
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../../protocol/messages/19-create-topics.js';
import { ErrorCode } from '../../protocol/errors.js';
import { ApiKey } from '../../protocol/index.js';
import { apiErrorOf, NO_ERROR } from '../../metadata/api-error.js';
import { ZERO_TOPIC_ID } from '../../metadata/topic-id.js';
import type { ApiHandler, RequestContext } from '../handler.js';

function result(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return {
    name,
    topicId: ZERO_TOPIC_ID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  };
}

function createOne(t: CreateTopicsRequestCreatableTopic, validateOnly: boolean, ctx: RequestContext): CreateTopicsResponseCreatableTopicResult {
  const { topics, configs } = ctx.services;
  try {
    const info = topics.createTopic(t.name, {
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: new Map(t.assignments.map((a) => [a.partitionIndex, a.brokerIds])),
      configs: new Map(t.configs.map((c) => [c.name, c.value])),
      validateOnly,
    });
    return {
      ...result(t.name, NO_ERROR.errorCode, NO_ERROR.errorMessage),
      topicId: info.topicId,
      numPartitions: info.numPartitions,
      replicationFactor: info.replicationFactor,
      configs: configs.describeTopic(info.configs, null).map((c) => ({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        configSource: c.source,
        isSensitive: c.isSensitive,
      })),
    };
  } catch (err) {
    const e = apiErrorOf(err, `CreateTopics ${t.name}`);
    return result(t.name, e.errorCode, e.errorMessage);
  }
}

/** Serves CreateTopics (api key 19). */
export const handler: ApiHandler<CreateTopicsRequest, CreateTopicsResponse> = {
  apiKey: ApiKey.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  handle(req, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1).map(([name]) => name);
    const out: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const name of duplicated) {
      out.push(
        result(
          name,
          ErrorCode.INVALID_REQUEST,
          `Create topics request from client \`${ctx.clientId ?? ''}\` contains multiple entries for the following topics: ${duplicated.join(', ')}`,
        ),
      );
    }
    for (const t of req.topics) {
      if (counts.get(t.name) === 1) out.push(createOne(t, req.validateOnly, ctx));
    }
    return { throttleTimeMs: 0, topics: out };
  },
  errorResponse(req, errorCode) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => result(t.name, errorCode, null)) };
  },
};
