// Kafka's Uuid as text: 16 random bytes in base64url without padding (22 characters).
import { randomUUID } from 'node:crypto';

/** Kafka's Uuid.ZERO_UUID as text (a topic without an id). */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A fresh id for clusters, directories and topics, never starting with '-' (as Kafka ensures). */
export function randomKafkaUuid(): string {
  for (;;) {
    const text = Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64url');
    if (!text.startsWith('-')) return text;
  }
}

/** True when `text` is a 22-character base64url Kafka Uuid. */
export function isKafkaUuid(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text) && Buffer.from(text, 'base64url').length === 16;
}
