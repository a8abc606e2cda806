// Topic set-up for the workloads (kafkajs's admin client: no JVM start per topic) and the
// start-up probe: spawn → first acknowledged acks=1 produce.
import { Kafka, logLevel, type Admin } from 'kafkajs';

function client(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'sluice-bench-suite', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

/** Creates a fresh topic and waits for its leaders. */
export async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  await withAdmin(bootstrap, async (admin) => {
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }], waitForLeaders: true, timeout: 60_000 });
    if (!created) throw new Error(`topic ${topic} already exists`);
  });
}

/** Deletes the workload's topics so the next one starts on an idle disk. */
export async function deleteTopics(bootstrap: string, topics: string[]): Promise<void> {
  await withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics, timeout: 60_000 }));
}

async function withAdmin<T>(bootstrap: string, fn: (a: Admin) => Promise<T>): Promise<T> {
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Retries a one-record acks=1 produce every 20 ms until the broker acknowledges one; resolves with
 * performance.now() at that moment. The topic is auto-created by the first produce's metadata.
 */
export async function firstAckedProduce(bootstrap: string, isAlive: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    if (!isAlive()) throw new Error('broker exited during start-up');
    const producer = new Kafka({ clientId: 'sluice-bench-startup', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).producer({
      allowAutoTopicCreation: true,
      retry: { retries: 0 },
    });
    try {
      await producer.connect();
      await producer.send({ topic: 'startup-probe', acks: 1, messages: [{ value: 'x' }] });
      const at = performance.now();
      await producer.disconnect();
      return at;
    } catch (err) {
      last = err;
      await producer.disconnect().catch(() => {});
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`no produce acknowledged within ${timeoutMs} ms: ${String(last)}`);
}
