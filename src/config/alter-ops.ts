// The config changes AlterConfigs and IncrementalAlterConfigs ask for, turned into the new set
// of overrides of one resource (topic or broker entity), before validation.

import { KafkaError, type ErrorName } from '../protocol/errors.js';
import { type ConfigKey, defaultOf, formatConfig } from './config-def.js';

/** IncrementalAlterConfigs operation ids (Kafka's AlterConfigOp.OpType). */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

/** One requested change: `value` is ignored for DELETE. */
export interface ConfigChange {
  name: string;
  op: number;
  value: string | null;
}

const splitList = (s: string) => (s.trim() === '' ? [] : s.split(',').map((x) => x.trim()));

/**
 * Applies incremental changes to `current` overrides; `keyOf` finds the definition of a name
 * (APPEND/SUBTRACT need a list key). Errors carry `errorName` (INVALID_CONFIG for topics,
 * INVALID_REQUEST for brokers, as Kafka answers).
 */
export function applyIncrementalChanges(
  current: ReadonlyMap<string, string>,
  changes: readonly ConfigChange[],
  keyOf: (name: string) => ConfigKey | undefined,
  errorName: ErrorName,
): Map<string, string> {
  const seen = new Set<string>();
  for (const c of changes) {
    if (seen.has(c.name)) throw new KafkaError('INVALID_REQUEST', `Error due to duplicate config keys: ${c.name}`);
    seen.add(c.name);
  }
  const next = new Map(current);
  for (const c of changes) {
    if (c.op !== AlterConfigOp.DELETE && c.value === null) {
      throw new KafkaError('INVALID_REQUEST', `Null value not supported for: ${c.name}`);
    }
    switch (c.op) {
      case AlterConfigOp.SET:
        next.set(c.name, c.value as string);
        break;
      case AlterConfigOp.DELETE:
        next.delete(c.name);
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const key = keyOf(c.name);
        if (!key) throw new KafkaError(errorName, `Unknown config name: ${c.name}`);
        if (key.type !== 'list') {
          const verb = c.op === AlterConfigOp.APPEND ? 'append' : 'subtract';
          throw new KafkaError(errorName, `Config value ${verb} is not allowed for config key: ${c.name}`);
        }
        const old = splitList(next.get(c.name) ?? formatConfig(key.type, defaultOf(key)) ?? '');
        const values = splitList(c.value as string);
        const result =
          c.op === AlterConfigOp.APPEND ? [...old, ...values.filter((v) => !old.includes(v))] : old.filter((v) => !values.includes(v));
        next.set(c.name, result.join(','));
        break;
      }
      default:
        throw new KafkaError('INVALID_REQUEST', `Unknown alter config operation type ${c.op} for ${c.name}`);
    }
  }
  return next;
}
