// kafkajs 2.2.4 with its defaults (no idempotence, no linger: one request per send() call).
import { Kafka, logLevel } from 'kafkajs';
import type { OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [spec.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const acks = spec.acks === 'all' ? -1 : 1;
  return {
    style: 'batch',
    send(values, ack) {
      producer.send({ topic: spec.topic, acks, messages: values.map((value) => ({ value })) }).then(ack.ok, ack.fail);
    },
    close: () => producer.disconnect(),
  };
};
