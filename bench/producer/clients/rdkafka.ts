// node-rdkafka 3.6.1 (librdkafka built from its bundled source) with its defaults (linger.ms 5,
// no idempotence); delivery reports polled every millisecond so the poll adds no ack latency.
// Loaded with require from bench/producer/node_modules: `make test` never installs it.
import { createRequire } from 'node:module';
import type { Ack, OpenClient } from '../client-api.js';

/** The part of node-rdkafka's Producer the benchmark uses. */
interface RdProducer {
  connect(opts: object, cb: (err: unknown) => void): void;
  setPollInterval(ms: number): void;
  on(event: 'delivery-report', cb: (err: unknown, report: { opaque: Ack }) => void): void;
  produce(topic: string, partition: number | null, value: Buffer, key: Buffer | null, timestamp: number, opaque: Ack): boolean;
  flush(timeoutMs: number, cb: (err: unknown) => void): void;
  disconnect(cb: (err: unknown) => void): void;
}

const rdkafka = createRequire(import.meta.url)('node-rdkafka') as { Producer: new (conf: Record<string, unknown>, topicConf: object) => RdProducer };

const call = (fn: (cb: (err: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));

export const open: OpenClient = async (spec) => {
  const producer = new rdkafka.Producer(
    {
      'metadata.broker.list': spec.bootstrap,
      'client.id': 'bench-rdkafka',
      'request.required.acks': spec.acks === 'all' ? -1 : 1,
      dr_cb: true,
    },
    {},
  );
  await call((cb) => producer.connect({}, cb));
  producer.on('delivery-report', (err, report) => (err ? report.opaque.fail(err) : report.opaque.ok()));
  producer.setPollInterval(1);
  return {
    style: 'record',
    produce(value, ack) {
      producer.produce(spec.topic, null, value, null, Date.now(), ack);
    },
    close: async () => {
      await call((cb) => producer.flush(10_000, cb));
      await call((cb) => producer.disconnect(cb));
    },
  };
};
