import { describe, expect, test } from 'vitest';
import { ProducerConfigError } from '../../src/producer/errors.js';
import { parseHostPort, resolveProducerConfig } from '../../src/producer/producer-config.js';

const base = { bootstrapServers: ['127.0.0.1:9092'] };

describe('resolveProducerConfig', () => {
  test("applies Kafka 4.1's producer defaults", () => {
    const c = resolveProducerConfig(base);
    expect(c).toMatchObject({
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
    });
    expect(c.clientId).toMatch(/^producer-\d+$/);
  });

  test('parses several bootstrap servers, as a list or one comma-separated string, IPv6 included', () => {
    expect(resolveProducerConfig({ bootstrapServers: 'a:1, b:2,[::1]:3' }).bootstrapServers).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
      { host: '::1', port: 3 },
    ]);
    expect(() => parseHostPort('nohost')).toThrow(ProducerConfigError);
    expect(() => resolveProducerConfig({ bootstrapServers: [] })).toThrow(/at least one/);
  });

  test("acks accepts 'all', -1, 0 and 1 and refuses anything else", () => {
    expect(resolveProducerConfig({ ...base, acks: 'all' }).acks).toBe(-1);
    expect(resolveProducerConfig({ ...base, acks: '1' }).acks).toBe(1);
    expect(resolveProducerConfig({ ...base, acks: 0, idempotence: false }).acks).toBe(0);
    expect(() => resolveProducerConfig({ ...base, acks: 2 as never })).toThrow(ProducerConfigError);
  });

  test('idempotence yields silently to acks≠all, retries=0 or more than 5 in flight unless set explicitly', () => {
    expect(resolveProducerConfig({ ...base, acks: 1 }).idempotence).toBe(false);
    expect(resolveProducerConfig({ ...base, retries: 0 }).idempotence).toBe(false);
    expect(resolveProducerConfig({ ...base, maxInFlightRequestsPerConnection: 6 }).idempotence).toBe(false);
    expect(() => resolveProducerConfig({ ...base, acks: 1, idempotence: true })).toThrow(/acks to all/);
    expect(() => resolveProducerConfig({ ...base, retries: 0, idempotence: true })).toThrow(/retries/);
    expect(() => resolveProducerConfig({ ...base, maxInFlightRequestsPerConnection: 6, idempotence: true })).toThrow(/at most 5/);
  });

  test('deliveryTimeoutMs below lingerMs + requestTimeoutMs: raised when defaulted, refused when explicit', () => {
    expect(resolveProducerConfig({ ...base, lingerMs: 100, requestTimeoutMs: 200_000 }).deliveryTimeoutMs).toBe(200_100);
    expect(() => resolveProducerConfig({ ...base, requestTimeoutMs: 1000, deliveryTimeoutMs: 500 })).toThrow(/deliveryTimeoutMs/);
  });

  test('refuses out-of-range numbers and unknown codecs with the option named', () => {
    expect(() => resolveProducerConfig({ ...base, lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => resolveProducerConfig({ ...base, batchSize: 1.5 })).toThrow(/batchSize/);
    expect(() => resolveProducerConfig({ ...base, maxInFlightRequestsPerConnection: 0 })).toThrow(/maxInFlightRequestsPerConnection/);
    expect(() => resolveProducerConfig({ ...base, compression: 'brotli' as never })).toThrow(/compression/);
    const err = (() => {
      try {
        resolveProducerConfig({ ...base, bufferMemory: -5 });
      } catch (e) {
        return e as ProducerConfigError;
      }
    })();
    expect(err).toMatchObject({ type: 'INVALID_CONFIG', retriable: false });
  });

  test('batchSize 0 means one record per batch, as in Java', () => {
    expect(resolveProducerConfig({ ...base, batchSize: 0 }).batchSize).toBe(1);
  });
});
