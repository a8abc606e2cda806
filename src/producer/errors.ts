// Typed producer errors named as Kafka names them, with Kafka's retriable classification.
import { ErrorCode, errorNameOf, type ErrorName } from '../protocol/errors.js';

export { errorNameOf, type ErrorName } from '../protocol/errors.js';

/** Kafka errors whose exception class is a RetriableException in the Java client. */
const RETRIABLE: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REQUEST_TIMED_OUT',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'NOT_CONTROLLER',
  'CONCURRENT_TRANSACTIONS',
  'KAFKA_STORAGE_ERROR',
  'LISTENER_NOT_FOUND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OFFSET_NOT_AVAILABLE',
  'PREFERRED_LEADER_NOT_AVAILABLE',
  'ELIGIBLE_LEADERS_NOT_AVAILABLE',
  'THROTTLING_QUOTA_EXCEEDED',
  'UNKNOWN_TOPIC_ID',
  'INCONSISTENT_TOPIC_ID',
]);

/** Kafka errors whose exception is an InvalidMetadataException: the client must refresh metadata. */
const INVALID_METADATA: ReadonlySet<ErrorName> = new Set<ErrorName>([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_OR_FOLLOWER',
  'REPLICA_NOT_AVAILABLE',
  'KAFKA_STORAGE_ERROR',
  'LISTENER_NOT_FOUND',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNKNOWN_TOPIC_ID',
  'INCONSISTENT_TOPIC_ID',
]);


/** Whether Kafka's Java client classifies this error as retriable. */
export function isRetriable(type: ErrorName): boolean {
  return RETRIABLE.has(type);
}

/** Whether this error means the client's view of leaders or topics is stale. */
export function isInvalidMetadata(type: ErrorName): boolean {
  return INVALID_METADATA.has(type);
}

/**
 * What `.type` holds: a Kafka error name, or PRODUCER_CLOSED for a send after close() (Java's
 * IllegalStateException, which has no error code).
 */
export type ProducerErrorType = ErrorName | 'PRODUCER_CLOSED';

/** Every failure a Producer reports: `.type` is Kafka's error name, `.retriable` as Kafka's client says. */
export class KafkaProducerError extends Error {
  /** Kafka's wire error code of `type` (-1 for PRODUCER_CLOSED). */
  readonly code: number;
  /** Whether retrying the same operation may succeed (Kafka's RetriableException). */
  readonly retriable: boolean;

  constructor(
    readonly type: ProducerErrorType,
    message: string = type,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaProducerError';
    this.code = type === 'PRODUCER_CLOSED' ? -1 : ErrorCode[type];
    this.retriable = options.retriable ?? (type !== 'PRODUCER_CLOSED' && isRetriable(type));
  }

  /** The error for a broker's answer with `code` (and its optional error message). */
  static fromCode(code: number, message?: string | null): KafkaProducerError {
    const type = errorNameOf(code);
    return new KafkaProducerError(type, message ? `${type}: ${message}` : type);
  }
}

/** A producer option that is missing, out of range or in conflict (Kafka's ConfigException). */
export class ProducerConfigError extends KafkaProducerError {
  constructor(message: string) {
    super('INVALID_CONFIG', message, { retriable: false });
    this.name = 'ProducerConfigError';
  }
}
