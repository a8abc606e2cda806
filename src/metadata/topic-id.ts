// Topic IDs are Kafka Uuids (16 random bytes, 22-char base64url); named here for the topic layer.

import { randomKafkaUuid, ZERO_UUID } from '../storage/kafka-uuid.js';

/** Kafka's Uuid.ZERO_UUID as a string: "no topic id" on the wire. */
export const ZERO_TOPIC_ID = ZERO_UUID;

/** A fresh random topic ID (never zero, never starting with '-', as Kafka's Uuid.randomUuid). */
export const randomTopicId: () => string = randomKafkaUuid;
