// The producer SDK's public door: `import { Producer } from 'sluice/producer'`.
export { Producer, type ProducerMessage, type ProducerRecordBatch, type ProducerMetrics, type CloseOptions, type MessageBytes } from './producer.js';
export { PRODUCER_DEFAULTS, type ProducerOptions, type CompressionType } from './producer-config.js';
export type { RecordMetadata } from './producer-batch.js';
export { KafkaProducerError, ProducerConfigError, type ErrorName, type ProducerErrorType } from './errors.js';
export { murmur2, toPositive, partitionForKey } from './partitioner.js';
