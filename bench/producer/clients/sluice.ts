// This SDK through its high-throughput call: produce() per record, a promise of its metadata each.
import { Producer } from '../../../src/producer/index.js';
import type { OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const producer = new Producer({ bootstrapServers: [spec.bootstrap], clientId: 'bench-sluice', acks: spec.acks, compression: 'none' });
  await producer.connect();
  return {
    style: 'record',
    produce(value, done) {
      producer.produce(spec.topic, { value }).then(() => done(), done);
    },
    close: () => producer.close(),
  };
};
