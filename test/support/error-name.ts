// What a call throws, by Kafka error name, for tests that assert the error a client would see.
import { expect } from 'vitest';

/**
 * The errorName of what `fn` throws (KafkaError and NativeError carry one; anything else gives its
 * text), or 'NONE' when it returns. With `type`, also asserts the error is an instance of it.
 */
export function thrownErrorName(fn: () => unknown, type?: abstract new (...args: never[]) => Error): string {
  try {
    fn();
  } catch (err) {
    if (type) expect(err).toBeInstanceOf(type);
    const name = (err as { errorName?: unknown } | null)?.errorName;
    return typeof name === 'string' ? name : String(err);
  }
  return 'NONE';
}
