// This SDK through its kafkajs-like call: send() with an array of messages, as kafkajs is driven.
import { Producer } from '../../../src/producer/index.js';
import type { OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const producer = new Producer({ bootstrapServers: [spec.bootstrap], clientId: 'bench-sluice-send', acks: spec.acks, compression: 'none' });
  await producer.connect();
  return {
    style: 'batch',
    send(values, done) {
      producer.send({ topic: spec.topic, messages: values.map((value) => ({ value })) }).then(() => done(), done);
    },
    close: () => producer.close(),
  };
};
