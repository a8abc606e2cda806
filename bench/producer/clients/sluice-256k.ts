// This SDK's produce() with batchSize 256 KiB: the batching budget the array clients get per send()
// call (and a quarter of librdkafka's default 1 MB), against Kafka's default 16 KiB. It compares
// like with like where the clients' defaults differ by 16–60×.
import { Producer } from '../../../src/producer/index.js';
import { LIKE_FOR_LIKE_BATCH_BYTES, type OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const producer = new Producer({
    bootstrapServers: [spec.bootstrap],
    clientId: 'bench-sluice-256k',
    acks: spec.acks,
    compression: 'none',
    batchSize: LIKE_FOR_LIKE_BATCH_BYTES,
  });
  await producer.connect();
  return {
    style: 'record',
    produce(value, done) {
      producer.produce(spec.topic, { value }).then(() => done(), done);
    },
    close: () => producer.close(),
  };
};
