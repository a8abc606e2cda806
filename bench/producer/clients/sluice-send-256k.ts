// This SDK's send() with batchSize 256 KiB, as the array clients are driven and with their batching
// budget: the like-for-like row against kafkajs and @platformatic/kafka.
import { LIKE_FOR_LIKE_BATCH_BYTES } from '../client-api.js';
import { sluiceClient } from './sluice.js';

export const open = sluiceClient('batch', 'bench-sluice-send-256k', LIKE_FOR_LIKE_BATCH_BYTES);
