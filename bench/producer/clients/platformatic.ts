// @platformatic/kafka 1.35.0 with its defaults (Buffer serializers, one request per send() call).
import { Producer } from '@platformatic/kafka';
import type { OpenClient } from '../client-api.js';

export const open: OpenClient = async (spec) => {
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: [spec.bootstrap],
    acks: spec.acks === 'all' ? -1 : 1,
    autocreateTopics: false,
  });
  await producer.metadata({ topics: [spec.topic] }); // connect before the clock starts
  return {
    style: 'batch',
    send(values, ack) {
      producer.send({ messages: values.map((value) => ({ topic: spec.topic, value })) }).then(ack.ok, ack.fail);
    },
    close: () => producer.close(),
  };
};
