// This SDK's produce() with batchSize 256 KiB: the batching budget the array clients get per send()
// call (and a quarter of librdkafka's default 1 MB), against Kafka's default 16 KiB. It compares
// like with like where the clients' defaults differ by 16–60×.
import { LIKE_FOR_LIKE_BATCH_BYTES } from '../client-api.js';
import { sluiceClient } from './sluice.js';

export const open = sluiceClient('record', 'bench-sluice-256k', LIKE_FOR_LIKE_BATCH_BYTES);
