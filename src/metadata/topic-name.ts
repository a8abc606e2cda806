// Kafka's rules for topic names (org.apache.kafka.common.internals.Topic).

import { KafkaError } from '../protocol/errors.js';

// Kafka's limit: 249 leaves room for the partition suffix and `-delete` in a 255-byte folder name.
const MAX_TOPIC_NAME_LENGTH = 249;

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Throws INVALID_TOPIC_EXCEPTION with Kafka's message when `name` is not a legal topic name. */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new KafkaError('INVALID_TOPIC_EXCEPTION', 'Topic name is illegal, it can\'t be empty');
  if (name === '.' || name === '..') throw new KafkaError('INVALID_TOPIC_EXCEPTION', 'Topic name cannot be "." or ".."');
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new KafkaError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`,
    );
  }
  if (!LEGAL.test(name)) {
    throw new KafkaError(
      'INVALID_TOPIC_EXCEPTION',
      `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    );
  }
}

/** Kafka's collision key: '.' and '_' clash in metric names, so `a.b` and `a_b` cannot coexist. */
export function unifyCollisionChars(name: string): string {
  return name.replace(/\./g, '_');
}

/** Topics the broker itself owns (group offsets, transaction state); clients see them as internal. */
export const INTERNAL_TOPICS: ReadonlySet<string> = new Set(['__consumer_offsets', '__transaction_state']);
