import { describe, expect, it } from 'vitest';
import { AlterConfigOp, applyIncrementalChanges } from '../../src/config/alter-ops.js';
import { topicConfigKeys } from '../../src/config/topic-config-defs.js';
import { KafkaError } from '../../src/protocol/errors.js';

const keyOf = (n: string) => topicConfigKeys.get(n);
const apply = (current: Record<string, string>, changes: { name: string; op: number; value: string | null }[]) =>
  Object.fromEntries(applyIncrementalChanges(new Map(Object.entries(current)), changes, keyOf, 'INVALID_CONFIG'));

describe('applyIncrementalChanges', () => {
  it('SET replaces and DELETE removes, leaving other overrides alone', () => {
    expect(
      apply({ 'retention.ms': '1', 'segment.ms': '2' }, [
        { name: 'retention.ms', op: AlterConfigOp.SET, value: '10' },
        { name: 'segment.ms', op: AlterConfigOp.DELETE, value: null },
        { name: 'flush.ms', op: AlterConfigOp.DELETE, value: null },
      ]),
    ).toEqual({ 'retention.ms': '10' });
  });

  it('APPEND starts from the default of an unset list key and skips values already present', () => {
    expect(apply({}, [{ name: 'cleanup.policy', op: AlterConfigOp.APPEND, value: 'compact,delete' }])).toEqual({
      'cleanup.policy': 'delete,compact',
    });
  });

  it('SUBTRACT removes list values', () => {
    expect(apply({ 'cleanup.policy': 'delete,compact' }, [{ name: 'cleanup.policy', op: AlterConfigOp.SUBTRACT, value: 'delete' }])).toEqual({
      'cleanup.policy': 'compact',
    });
  });

  it('refuses APPEND on a non-list key, duplicate keys, null SET values and unknown operations', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as KafkaError;
      }
      throw new Error('did not throw');
    };
    expect(err(() => apply({}, [{ name: 'retention.ms', op: AlterConfigOp.APPEND, value: '1' }])).errorName).toBe('INVALID_CONFIG');
    expect(
      err(() =>
        apply({}, [
          { name: 'retention.ms', op: AlterConfigOp.SET, value: '1' },
          { name: 'retention.ms', op: AlterConfigOp.DELETE, value: null },
        ]),
      ).errorName,
    ).toBe('INVALID_REQUEST');
    expect(err(() => apply({}, [{ name: 'retention.ms', op: AlterConfigOp.SET, value: null }])).errorName).toBe('INVALID_REQUEST');
    expect(err(() => apply({}, [{ name: 'retention.ms', op: 9, value: '1' }])).errorName).toBe('INVALID_REQUEST');
  });
});
