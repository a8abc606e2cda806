// Topic setup for end-to-end tests through kafkajs's admin client (quick, in-process).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

/** A kafkajs client for the broker at `bootstrap`, logging nothing (tests assert on results). */
export function kafkajsClient(bootstrap: string, clientId = 'sluice-e2e') {
  return new Kafka({ clientId, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 } });
}

/**
 * Waits (up to 30 s) until every partition of `topics` is served by its leader: a ListOffsets to
 * each leader succeeds. Metadata naming a leader is not enough on
 * Kafka: its replica manager may take the leadership a moment later, and an idempotent producer
 * whose first batch gets NOT_LEADER_OR_FOLLOWER while the next is accepted can never deliver the
 * first one (OUT_OF_ORDER_SEQUENCE until it expires, as with Kafka's Java producer).
 */
export async function waitForPartitionLeaders(admin: ReturnType<ReturnType<typeof kafkajsClient>['admin']>, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}

/** Creates topics (each with `numPartitions`) and waits until their leaders serve them. */
export async function createTopics(bootstrap: string, topics: string[], numPartitions = 1): Promise<void> {
  const admin = kafkajsClient(bootstrap).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    if (!created) throw new Error(`createTopics(${topics.join(',')}) reported that a topic already existed`);
    await waitForPartitionLeaders(admin, topics);
  } finally {
    await admin.disconnect();
  }
}
