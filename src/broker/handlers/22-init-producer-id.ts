// InitProducerId (api key 22), versions 0-5: producer ids for idempotent producers.
//
// Behavior:
// - Without a transactional id: a producer id never handed out before (persisted in blocks,
//   see producer-id-manager.ts), epoch 0.
// - v3+ with an existing producer id and epoch (KIP-360, after an unknown-producer or sequence
//   error): the same id with the epoch bumped by one, so the partitions accept sequence 0 again.
//   When the epoch would pass 32766, or the id was never issued by this broker, a fresh id with
//   epoch 0 is returned instead. Deviation: Kafka answers every non-transactional request with a
//   fresh id; both are valid for the client, which adopts whatever it is given.
// - Transactions are not implemented yet: a transactional id → TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//   (the same answer Produce gives), which clients report as a fatal, clearly-named error.
// - transaction_timeout_ms is ignored (it only applies to transactions).
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

/** Largest epoch a bump may produce (Kafka keeps Short.MAX_VALUE as a sentinel). */
const MAX_BUMPED_EPOCH = 32766;

function response(errorCode: number, producerId: number, producerEpoch: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: BigInt(producerId), producerEpoch };
}

/** Allocates producer ids, or bumps the epoch of a known one. */
export const handler: ApiHandler<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (req.transactionalId !== null) return response(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, -1);
    const ids = ctx.services.producerIds;
    const producerId = Number(req.producerId);
    if (producerId >= 0 && ids.wasIssued(producerId) && req.producerEpoch >= 0 && req.producerEpoch < MAX_BUMPED_EPOCH) {
      return response(ErrorCode.NONE, producerId, req.producerEpoch + 1);
    }
    return response(ErrorCode.NONE, ids.generateProducerId(), 0);
  },
  errorResponse(_req, errorCode) {
    return response(errorCode, -1, -1);
  },
};
