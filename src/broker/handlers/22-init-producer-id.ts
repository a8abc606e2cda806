// InitProducerId (api key 22), versions 0-5: producer ids for idempotent producers.
//
// Behavior:
// - Without a transactional id: always a producer id never handed out before (persisted in
//   blocks, see producer-id-manager.ts) with epoch 0, whatever producerId/producerEpoch the request
//   carries — as Kafka's TransactionCoordinator.handleInitProducerId does. Reusing or bumping the
//   given id would let two producers that both send producerId=0/epoch=0 (as @platformatic/kafka
//   does) share one id, so the second producer's sequence-0 batches would be dropped as duplicates.
// - Transactions are not implemented yet: a transactional id → TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//   (the same answer Produce gives), which clients report as a fatal, clearly-named error.
// - transaction_timeout_ms is ignored (it only applies to transactions).
import { ErrorCode } from '../../protocol/errors.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/index.js';
import { ApiKey } from '../../protocol/index.js';
import type { ApiHandler } from '../handler.js';

function response(errorCode: number, producerId: number, producerEpoch: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: BigInt(producerId), producerEpoch };
}

/** Allocates a fresh producer id at epoch 0 for each idempotent producer. */
export const handler: ApiHandler<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    if (req.transactionalId !== null) return response(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, -1);
    return response(ErrorCode.NONE, ctx.services.producerIds.generateProducerId(), 0);
  },
  errorResponse(_req, errorCode) {
    return response(errorCode, -1, -1);
  },
};
