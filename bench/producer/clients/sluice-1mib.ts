// This SDK's produce() with batchSize 1 MiB, librdkafka's default batch size (Kafka's is 16 KiB):
// not in the default client list, it shows how much of a gap is batch size.
import { Producer } from '../../../src/producer/index.js';
import type { OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const producer = new Producer({
    bootstrapServers: [spec.bootstrap],
    clientId: 'bench-sluice-1mib',
    acks: spec.acks,
    compression: 'none',
    batchSize: 1 << 20,
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
