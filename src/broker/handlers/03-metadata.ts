// Metadata (api key 3), versions 0-12.
//
// Behavior:
// - brokers: this node once, at the advertised endpoint of the listener the request came in
//   on (the first advertised listener when none matches), rack from broker.rack.
// - cluster_id (v2+) is the log dirs' cluster id; controller_id (v1+) is this node.
// - topics null (v1+), or an empty array at v0, means every topic, internal ones included
//   (is_internal set). An empty array at v1+ means none.
// - v10+: a requested topic may be named by id only (name null); an unknown id →
//   UNKNOWN_TOPIC_ID with a null name (v12+; '' before).
// - A missing topic is created when auto-creation is allowed by the request
//   (allow_auto_topic_creation, v4+; always at v0-3) and by auto.create.topics.enable, with
//   num.partitions and default.replication.factor. Deviation: Kafka answers a just-created
//   topic with LEADER_NOT_AVAILABLE (or UNKNOWN_TOPIC_OR_PARTITION) because its controller
//   creates it asynchronously and clients retry; Sluice creates it synchronously and answers
//   it ready, with NONE and its partitions, which saves every client a metadata round trip.
// - Internal topic names (__consumer_offsets, __transaction_state) are never auto-created here:
//   the coordinators that own them create them with their own layout.
// - Illegal names → INVALID_TOPIC_EXCEPTION; missing and not created →
//   UNKNOWN_TOPIC_OR_PARTITION.
// - Each partition: leader and the single replica and ISR member are this node, leader_epoch
//   (v7+) the log's, offline_replicas (v5+) empty; a partition whose log is missing or offline
//   (failed log dir) → LEADER_NOT_AVAILABLE, leader -1, this node listed offline.
// - topic_authorized_operations (v8+) and cluster_authorized_operations (v8-10) are
//   -2147483648 (not requested / no authorizer).
import { ErrorCode, errorCodeOf } from '../../protocol/errors.js';
import type {
  MetadataRequest,
  MetadataResponse,
  MetadataResponsePartition,
  MetadataResponseTopic,
} from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import type { TopicInfo } from '../../metadata/topic-manager.js';
import { ZERO_TOPIC_ID } from '../../metadata/topic-id.js';
import { INTERNAL_TOPICS, validateTopicName } from '../../metadata/topic-name.js';
import { advertisedEndpoint, brokerRack } from '../endpoints.js';
import type { ApiHandler, RequestContext } from '../handler.js';

/** Authorized operations value meaning "not computed" (Kafka's Integer.MIN_VALUE). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** First version where allow_auto_topic_creation is sent; before it creation is always allowed. */
const AUTO_CREATE_FLAG_VERSION = 4;
/** First version whose response topic name may be null. */
const NULLABLE_NAME_VERSION = 12;

/** The whole response: this node as the only broker and the controller, plus `topics`. */
function response(topics: MetadataResponseTopic[], ctx: RequestContext): MetadataResponse {
  const { host, port } = advertisedEndpoint(ctx);
  return {
    throttleTimeMs: 0,
    brokers: [{ nodeId: ctx.services.nodeId, host, port, rack: brokerRack(ctx) }],
    clusterId: ctx.services.clusterId,
    controllerId: ctx.services.nodeId,
    topics,
    clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function topicError(errorCode: number, name: string | null, topicId = ZERO_TOPIC_ID): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

function describeTopic(topic: TopicInfo, ctx: RequestContext): MetadataResponseTopic {
  const nodeId = ctx.services.nodeId;
  const partitions: MetadataResponsePartition[] = [];
  for (let p = 0; p < topic.numPartitions; p++) {
    const log = ctx.services.logManager.getLog(topic.name, p);
    partitions.push(
      log && !log.isOffline
        ? { errorCode: ErrorCode.NONE, partitionIndex: p, leaderId: nodeId, leaderEpoch: log.leaderEpoch, replicaNodes: [nodeId], isrNodes: [nodeId], offlineReplicas: [] }
        : { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitionIndex: p, leaderId: -1, leaderEpoch: -1, replicaNodes: [nodeId], isrNodes: [], offlineReplicas: [nodeId] },
    );
  }
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.internal,
    partitions,
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  };
}

/** A requested topic name: described, auto-created, or answered with why not. */
function topicByName(name: string, autoCreate: boolean, ctx: RequestContext): MetadataResponseTopic {
  const { topics, config } = ctx.services;
  const existing = topics.get(name);
  if (existing) return describeTopic(existing, ctx);
  try {
    validateTopicName(name);
    if (!autoCreate || !config.autoCreateTopicsEnable || INTERNAL_TOPICS.has(name)) {
      return topicError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name);
    }
    return describeTopic(topics.createTopic(name), ctx);
  } catch (err) {
    return topicError(errorCodeOf(err), name);
  }
}

/** Describes the node, the cluster and the requested topics, creating missing ones if allowed. */
export const handler: ApiHandler<MetadataRequest, MetadataResponse> = {
  apiKey: ApiKey.Metadata,
  minVersion: 0,
  maxVersion: 12,
  handle(req, ctx) {
    const version = ctx.apiVersion;
    const allTopics = req.topics === null || (version === 0 && req.topics.length === 0);
    const autoCreate = version < AUTO_CREATE_FLAG_VERSION || req.allowAutoTopicCreation;
    const topics = allTopics
      ? ctx.services.topics.all().map((t) => describeTopic(t, ctx))
      : req.topics!.map((t) => {
          if (t.name !== null) return topicByName(t.name, autoCreate, ctx);
          const byId = ctx.services.topics.getById(t.topicId);
          if (byId) return describeTopic(byId, ctx);
          return topicError(ErrorCode.UNKNOWN_TOPIC_ID, version >= NULLABLE_NAME_VERSION ? null : '', t.topicId);
        });
    return response(topics, ctx);
  },
  errorResponse(req, errorCode, ctx) {
    return response((req.topics ?? []).map((t) => topicError(errorCode, t.name, t.topicId)), ctx);
  },
};
