import { describe, expect, it } from 'vitest';
import { unifyCollisionChars, validateTopicName } from '../../src/metadata/topic-name.js';
import { KafkaError } from '../../src/protocol/errors.js';

const reason = (name: string) => {
  try {
    validateTopicName(name);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(KafkaError);
    expect((err as KafkaError).errorName).toBe('INVALID_TOPIC_EXCEPTION');
    return (err as Error).message;
  }
};

describe('validateTopicName (Kafka rules)', () => {
  it('accepts ASCII alphanumerics, dot, underscore and dash up to 249 characters', () => {
    for (const ok of ['a', 'orders.v1', 'A_b-C.9', '...x', '__consumer_offsets', 'x'.repeat(249)]) expect(reason(ok), ok).toBeNull();
  });

  it('rejects empty, "." and "..", names over 249 characters and other characters', () => {
    expect(reason('')).toMatch(/empty/);
    expect(reason('.')).toMatch(/"\." or "\.\."/);
    expect(reason('..')).toMatch(/"\." or "\.\."/);
    expect(reason('x'.repeat(250))).toMatch(/249/);
    for (const bad of ['a b', 'a/b', 'ü', 'a:b', 'a*']) expect(reason(bad), bad).toMatch(/illegal/);
  });

  it('treats "." and "_" as colliding', () => {
    expect(unifyCollisionChars('a.b_c')).toBe(unifyCollisionChars('a_b.c'));
  });
});
