import { describe, expect, it } from 'vitest';
import { effectiveLogConfig } from '../../src/config/effective-config.js';
import { defaultLogConfig } from '../../src/storage/log-config.js';

describe('effectiveLogConfig', () => {
  it("gives Kafka 4's defaults for message timestamp bounds and compression", () => {
    const c = effectiveLogConfig(new Map(), []);
    expect(c.messageTimestampBeforeMaxMs).toBe(Number.MAX_SAFE_INTEGER);
    expect(c.messageTimestampAfterMaxMs).toBe(3_600_000);
    expect(c.compressionType).toBe('producer');
    expect(c).toEqual(defaultLogConfig);
  });

  it('takes them from the broker synonyms, and a topic override over those', () => {
    const broker = new Map([
      ['log.message.timestamp.before.max.ms', '1000'],
      ['log.message.timestamp.after.max.ms', '2000'],
      ['compression.type', 'zstd'],
    ]);
    expect(effectiveLogConfig(new Map(), [broker])).toMatchObject({
      messageTimestampBeforeMaxMs: 1000,
      messageTimestampAfterMaxMs: 2000,
      compressionType: 'zstd',
    });
    const topic = new Map([
      ['message.timestamp.before.max.ms', '10'],
      ['message.timestamp.after.max.ms', '20'],
      ['compression.type', 'lz4'],
    ]);
    expect(effectiveLogConfig(topic, [broker])).toMatchObject({
      messageTimestampBeforeMaxMs: 10,
      messageTimestampAfterMaxMs: 20,
      compressionType: 'lz4',
    });
  });
});
