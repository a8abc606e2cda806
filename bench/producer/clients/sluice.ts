// This SDK, as users import it (the built package: make bench-producer builds dist/ first), through
// its high-throughput call: produce() per record, a promise of its metadata each.
// sluiceClient also builds the other Sluice variants (send(), and both with the like-for-like batch size).
import { Producer } from '../../../dist/producer/index.js';
import type { OpenClient } from '../client-api.js';

/** A Sluice producer driven through produce() ('record') or send() ('batch'); batchSize defaults to Kafka's. */
export function sluiceClient(style: 'record' | 'batch', clientId: string, batchSize?: number): OpenClient {
  return async (spec) => {
    const producer = new Producer({ bootstrapServers: [spec.bootstrap], clientId, acks: spec.acks, compression: 'none', ...(batchSize ? { batchSize } : {}) });
    await producer.connect();
    const close = () => producer.close();
    if (style === 'batch') {
      return {
        style,
        send(values, ack) {
          producer.send({ topic: spec.topic, messages: values.map((value) => ({ value })) }).then(ack.ok, ack.fail);
        },
        close,
      };
    }
    return {
      style,
      produce(value, ack) {
        producer.produce(spec.topic, { value }).then(ack.ok, ack.fail);
      },
      close,
    };
  };
}

export const open = sluiceClient('record', 'bench-sluice');
