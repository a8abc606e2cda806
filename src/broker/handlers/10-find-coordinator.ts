// FindCoordinator (api key 10), versions 0-6.
//
// Behavior:
// - Every group (key_type 0) and transactional id (key_type 1) is coordinated by this node:
//   the answer is this node at the advertised endpoint of the request's listener, NONE.
// - For groups, __consumer_offsets is created first when missing (Kafka creates it on the first
//   FindCoordinator too); if that fails every key answers COORDINATOR_NOT_AVAILABLE.
// - v4+ (KIP-699) batches keys in coordinator_keys and answers one coordinator per key;
//   v0-3 answer the single key at the top level.
// - Any other key_type → INVALID_REQUEST.
// - Transactional producers still get TRANSACTIONAL_ID_AUTHORIZATION_FAILED from InitProducerId
//   until the transaction coordinator exists.
import { log } from '../../logger.js';
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
    if (req.keyType === CoordinatorType.GROUP) {
      try {
        ctx.services.groupStore.ensureOffsetsTopic();
      } catch (err) {
        log.warn(`Creating __consumer_offsets failed: ${(err as Error).message}`);
        return response(req, ErrorCode.COORDINATOR_NOT_AVAILABLE, ctx);
      }
      return response(req, ErrorCode.NONE, ctx);
    }
    return response(req, req.keyType === CoordinatorType.TRANSACTION ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST, ctx);
  },
  errorResponse(req, errorCode, ctx) {
    return response(req, errorCode, ctx);
  },
};
