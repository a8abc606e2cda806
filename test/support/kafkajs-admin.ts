// Topic setup for end-to-end tests through kafkajs's admin client (quick, in-process).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** A kafkajs client for the broker at `bootstrap`, logging nothing (tests assert on results). */
export function kafkajsClient(bootstrap: string, clientId = 'sluice-e2e') {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
}

/** Creates topics (each with `numPartitions`) and waits until they are known. */
export async function createTopics(bootstrap: string, topics: string[], numPartitions = 1): Promise<void> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    if (!created) throw new Error(`createTopics(${topics.join(',')}) reported that a topic already existed`);
  } finally {
    await admin.disconnect();
  }
}
