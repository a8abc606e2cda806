// Producer options under Kafka's names (camelCase), Kafka 4.1's defaults, and its validation rules.
import { ProducerConfigError } from './errors.js';

/** Compression codecs a producer can write (Kafka's compression.type). */
export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** What `new Producer(options)` accepts; every field but bootstrapServers is optional. */
export interface ProducerOptions {
  /** host:port list (or one comma-separated string); any of them may be down. */
  bootstrapServers: string[] | string;
  clientId?: string;
  /** 'all' (= -1), 1 or 0, as Kafka's acks. */
  acks?: 'all' | -1 | 0 | 1 | '-1' | '0' | '1';
  lingerMs?: number;
  batchSize?: number;
  bufferMemory?: number;
  compression?: CompressionType;
  idempotence?: boolean;
  retries?: number;
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  deliveryTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxRequestSize?: number;
  maxInFlightRequestsPerConnection?: number;
  metadataMaxAgeMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  maxBlockMs?: number;
  socketConnectionSetupTimeoutMs?: number;
  socketConnectionSetupTimeoutMaxMs?: number;
  allowAutoCreateTopics?: boolean;
  /** Kafka's partitioner.ignore.keys: keyed records use the sticky partitioner too. */
  partitionerIgnoreKeys?: boolean;
}

/** A broker address from bootstrapServers. */
export interface HostPort {
  host: string;
  port: number;
}

/** Validated options with every default applied; what the producer's parts read. */
export interface ProducerConfig {
  bootstrapServers: HostPort[];
  clientId: string;
  acks: -1 | 0 | 1;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  compression: CompressionType;
  idempotence: boolean;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  maxRequestSize: number;
  maxInFlightRequestsPerConnection: number;
  metadataMaxAgeMs: number;
  reconnectBackoffMs: number;
  reconnectBackoffMaxMs: number;
  maxBlockMs: number;
  socketConnectionSetupTimeoutMs: number;
  socketConnectionSetupTimeoutMaxMs: number;
  allowAutoCreateTopics: boolean;
  partitionerIgnoreKeys: boolean;
  /** Kafka's transaction.timeout.ms default, sent in InitProducerId. */
  transactionTimeoutMs: number;
}

/** Kafka producer defaults (4.1). */
export const PRODUCER_DEFAULTS = {
  acks: -1,
  lingerMs: 5,
  batchSize: 16384,
  bufferMemory: 33554432,
  compression: 'none',
  idempotence: true,
  retries: 2147483647,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  deliveryTimeoutMs: 120000,
  requestTimeoutMs: 30000,
  maxRequestSize: 1048576,
  maxInFlightRequestsPerConnection: 5,
  metadataMaxAgeMs: 300000,
  reconnectBackoffMs: 50,
  reconnectBackoffMaxMs: 1000,
  maxBlockMs: 60000,
  socketConnectionSetupTimeoutMs: 10000,
  socketConnectionSetupTimeoutMaxMs: 30000,
  allowAutoCreateTopics: true,
  partitionerIgnoreKeys: false,
  transactionTimeoutMs: 60000,
} as const;

/** Kafka's MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE. */
export const MAX_IN_FLIGHT_FOR_IDEMPOTENCE = 5;
const INT32_MAX = 2147483647;
const CODECS: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

let clientIdSequence = 0;

function intOption(options: ProducerOptions, name: keyof ProducerOptions, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = options[name] ?? PRODUCER_DEFAULTS[name as keyof typeof PRODUCER_DEFAULTS];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProducerConfigError(`Invalid value ${String(v)} for configuration ${name}: must be an integer in [${min}, ${max}]`);
  }
  return v;
}

function boolOption(options: ProducerOptions, name: 'idempotence' | 'allowAutoCreateTopics' | 'partitionerIgnoreKeys'): boolean {
  const v = options[name] ?? PRODUCER_DEFAULTS[name];
  if (typeof v !== 'boolean') throw new ProducerConfigError(`Invalid value ${String(v)} for configuration ${name}: must be a boolean`);
  return v;
}

/** Parses "host:port" (IPv6 as "[::1]:9092") the way Kafka's Utils.getHost/getPort do. */
export function parseHostPort(address: string): HostPort {
  const m = /^\s*(?:\[([^\]]+)\]|([^:\s]+)):(\d+)\s*$/.exec(address);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65535) throw new ProducerConfigError(`Invalid url in bootstrapServers: ${address}`);
  return { host: m[1] ?? m[2], port };
}

function parseAcks(acks: ProducerOptions['acks']): -1 | 0 | 1 {
  switch (acks ?? 'all') {
    case 'all':
    case -1:
    case '-1':
      return -1;
    case 0:
    case '0':
      return 0;
    case 1:
    case '1':
      return 1;
    default:
      throw new ProducerConfigError(`Invalid value ${String(acks)} for configuration acks: must be one of 'all', -1, 0, 1`);
  }
}

/** Applies defaults and Kafka's validation (KafkaProducer/ProducerConfig post-processing) to options. */
export function resolveProducerConfig(options: ProducerOptions): ProducerConfig {
  if (options === null || typeof options !== 'object') throw new ProducerConfigError('Producer options must be an object');
  const servers = typeof options.bootstrapServers === 'string' ? options.bootstrapServers.split(',') : options.bootstrapServers;
  if (!Array.isArray(servers) || servers.filter((s) => s.trim() !== '').length === 0) {
    throw new ProducerConfigError('bootstrapServers must list at least one host:port');
  }
  const compression = options.compression ?? 'none';
  if (!CODECS.includes(compression)) {
    throw new ProducerConfigError(`Invalid value ${String(compression)} for configuration compression: must be one of ${CODECS.join(', ')}`);
  }
  const acks = parseAcks(options.acks);
  const lingerMs = intOption(options, 'lingerMs', 0);
  const requestTimeoutMs = intOption(options, 'requestTimeoutMs', 0, INT32_MAX);
  const retries = intOption(options, 'retries', 0, INT32_MAX);
  const maxInFlight = intOption(options, 'maxInFlightRequestsPerConnection', 1, INT32_MAX);

  // Java: a delivery timeout below linger + request timeout is an error only when set explicitly.
  let deliveryTimeoutMs = intOption(options, 'deliveryTimeoutMs', 0, INT32_MAX);
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    if (options.deliveryTimeoutMs !== undefined) {
      throw new ProducerConfigError('deliveryTimeoutMs should be equal to or larger than lingerMs + requestTimeoutMs');
    }
    deliveryTimeoutMs = lingerMs + requestTimeoutMs;
  }

  // Java: idempotence (on by default) silently yields to conflicting settings unless asked for explicitly.
  const explicitIdempotence = options.idempotence !== undefined;
  let idempotence = boolOption(options, 'idempotence');
  if (idempotence) {
    const conflict =
      retries === 0
        ? 'Must set retries to non-zero when using the idempotent producer.'
        : acks !== -1
          ? 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.'
          : maxInFlight > MAX_IN_FLIGHT_FOR_IDEMPOTENCE
            ? `Must set maxInFlightRequestsPerConnection to at most ${MAX_IN_FLIGHT_FOR_IDEMPOTENCE} to use the idempotent producer.`
            : null;
    if (conflict !== null) {
      if (explicitIdempotence) throw new ProducerConfigError(conflict);
      idempotence = false;
    }
  }

  const retryBackoffMs = intOption(options, 'retryBackoffMs', 0);
  const reconnectBackoffMs = intOption(options, 'reconnectBackoffMs', 0);
  const setupTimeoutMs = intOption(options, 'socketConnectionSetupTimeoutMs', 0);
  return {
    bootstrapServers: servers.filter((s) => s.trim() !== '').map(parseHostPort),
    clientId: options.clientId ?? `producer-${++clientIdSequence}`,
    acks,
    lingerMs,
    // Java: batch.size 0 means one record per batch.
    batchSize: Math.max(1, intOption(options, 'batchSize', 0, INT32_MAX)),
    bufferMemory: intOption(options, 'bufferMemory', 0),
    compression,
    idempotence,
    retries,
    retryBackoffMs,
    // Java: a maximum below the base backoff caps the base.
    retryBackoffMaxMs: Math.max(retryBackoffMs, intOption(options, 'retryBackoffMaxMs', 0)),
    deliveryTimeoutMs,
    requestTimeoutMs,
    maxRequestSize: intOption(options, 'maxRequestSize', 0, INT32_MAX),
    maxInFlightRequestsPerConnection: maxInFlight,
    metadataMaxAgeMs: intOption(options, 'metadataMaxAgeMs', 0),
    reconnectBackoffMs,
    reconnectBackoffMaxMs: Math.max(reconnectBackoffMs, intOption(options, 'reconnectBackoffMaxMs', 0)),
    maxBlockMs: intOption(options, 'maxBlockMs', 0),
    socketConnectionSetupTimeoutMs: setupTimeoutMs,
    socketConnectionSetupTimeoutMaxMs: Math.max(setupTimeoutMs, intOption(options, 'socketConnectionSetupTimeoutMaxMs', 0)),
    allowAutoCreateTopics: boolOption(options, 'allowAutoCreateTopics'),
    partitionerIgnoreKeys: boolOption(options, 'partitionerIgnoreKeys'),
    transactionTimeoutMs: PRODUCER_DEFAULTS.transactionTimeoutMs,
  };
}
