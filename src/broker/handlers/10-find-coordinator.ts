// FindCoordinator (api key 10), versions 0-6.
//
// Behavior:
// - Every group (key_type 0) and transactional id (key_type 1) is coordinated by this node:
//   the answer is this node at the advertised endpoint of the request's listener, NONE.
// - v4+ (KIP-699) batches keys in coordinator_keys and answers one coordinator per key;
//   v0-3 answer the single key at the top level.
// - Any other key_type → INVALID_REQUEST.
// - Why it is served before consumer groups exist: librdkafka enables LZ4 only when the broker
//   advertises FindCoordinator v0 (its marker for Kafka >= 0.8.2), so kcat/confluent-kafka
//   would silently produce uncompressed batches. Group APIs themselves (JoinGroup,
//   OffsetCommit, ...) are not advertised yet, so clients that go on to use a group get
//   UNSUPPORTED_VERSION-style errors from their own version checks, and transactional
//   producers get TRANSACTIONAL_ID_AUTHORIZATION_FAILED from InitProducerId.
import { ErrorCode } from '../../protocol/errors.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse, FindCoordinatorResponseCoordinator } from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import { advertisedEndpoint } from '../endpoints.js';
import type { ApiHandler, RequestContext } from '../handler.js';

/** Coordinator types of FindCoordinatorRequest.key_type. */
const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;
/** First version that batches coordinator keys (KIP-699). */
const BATCHED_VERSION = 4;

function coordinator(key: string, errorCode: number, ctx: RequestContext): FindCoordinatorResponseCoordinator {
  if (errorCode !== ErrorCode.NONE) return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage: null };
  const { host, port } = advertisedEndpoint(ctx);
  return { key, nodeId: ctx.services.nodeId, host, port, errorCode, errorMessage: null };
}

function response(req: FindCoordinatorRequest, errorCode: number, ctx: RequestContext): FindCoordinatorResponse {
  if (ctx.apiVersion >= BATCHED_VERSION) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      nodeId: -1,
      host: '',
      port: -1,
      coordinators: req.coordinatorKeys.map((key) => coordinator(key, errorCode, ctx)),
    };
  }
  const single = coordinator(req.key, errorCode, ctx);
  return {
    throttleTimeMs: 0,
    errorCode: single.errorCode,
    errorMessage: null,
    nodeId: single.nodeId,
    host: single.host,
    port: single.port,
    coordinators: [],
  };
}

/** Names this node as the coordinator of every group and transactional id. */
export const handler: ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse> = {
  apiKey: ApiKey.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  handle(req, ctx) {
    const known = req.keyType === CoordinatorType.GROUP || req.keyType === CoordinatorType.TRANSACTION;
    return response(req, known ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST, ctx);
  },
  errorResponse(req, errorCode, ctx) {
    return response(req, errorCode, ctx);
  },
};
