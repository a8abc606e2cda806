import { describe, expect, it } from 'vitest';
import { brokerConfigKeys } from '../../src/config/broker-config-defs.js';
import { ConfigError, defaultOf, formatConfig, parseConfig } from '../../src/config/config-def.js';
import { topicConfigKeys, topicConfigSynonyms } from '../../src/config/topic-config-defs.js';

describe('config definitions', () => {
  it('every default parses and validates under its own key', () => {
    for (const key of [...brokerConfigKeys.values(), ...topicConfigKeys.values()]) {
      expect(() => parseConfig(key, key.defaultValue), key.name).not.toThrow();
    }
  });

  it('every topic synonym is a known broker key and every synonymised topic key exists', () => {
    for (const [topic, syns] of topicConfigSynonyms) {
      expect(topicConfigKeys.has(topic), topic).toBe(true);
      for (const s of syns) expect(brokerConfigKeys.has(s.name), s.name).toBe(true);
    }
  });

  it('parses Kafka value forms: trimmed ints, case-insensitive booleans, comma lists, longs beyond 2^53', () => {
    expect(parseConfig(topicConfigKeys.get('segment.bytes')!, ' 2048 ')).toBe(2048);
    expect(parseConfig(topicConfigKeys.get('preallocate')!, 'TRUE')).toBe(true);
    expect(parseConfig(topicConfigKeys.get('cleanup.policy')!, 'compact , delete')).toEqual(['compact', 'delete']);
    expect(parseConfig(topicConfigKeys.get('flush.ms')!, '9223372036854775807')).toBe(9223372036854775807n);
  });

  it('rejects out-of-type values with Kafka-style messages naming key and value', () => {
    const segment = topicConfigKeys.get('segment.bytes')!;
    expect(() => parseConfig(segment, '2147483648')).toThrow(ConfigError);
    expect(() => parseConfig(segment, '1.5')).toThrow(/Invalid value 1\.5 for configuration segment\.bytes: Not a number of type INT/);
    expect(() => parseConfig(topicConfigKeys.get('flush.ms')!, '9223372036854775808')).toThrow(/LONG/);
    expect(() => parseConfig(topicConfigKeys.get('min.cleanable.dirty.ratio')!, '1.5')).toThrow(/no more than 1/);
    expect(() => parseConfig(topicConfigKeys.get('compression.type')!, 'brotli')).toThrow(/String must be one of/);
  });

  it('formats values as Kafka prints them', () => {
    expect(formatConfig('double', 1)).toBe('1.0');
    expect(formatConfig('double', 0.5)).toBe('0.5');
    expect(formatConfig('list', ['a', 'b'])).toBe('a,b');
    expect(formatConfig('long', defaultOf(topicConfigKeys.get('flush.messages')!))).toBe('9223372036854775807');
    expect(formatConfig('string', null)).toBeNull();
  });
});
