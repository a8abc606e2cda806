// Kafka's ConfigDef in small: typed config keys with defaults and validators, parsing of the
// string forms users write, and formatting of parsed values the way Kafka prints them.

/** Kafka's ConfigDef.Type names. */
export type ConfigType =
  | 'boolean'
  | 'string'
  | 'int'
  | 'short'
  | 'long'
  | 'double'
  | 'list'
  | 'class'
  | 'password';

/** A parsed config value: int/short/double → number, long → bigint, list → string[]. */
export type ConfigValue = boolean | string | number | bigint | string[] | null;

/** The wire id of each type in DescribeConfigs v3+ (`config_type`). */
export const ConfigTypeId: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** A value check run after parsing; returns a reason when the value is not acceptable. */
export type Validator = (value: ConfigValue) => string | null;

/** One config key: its type, its default (null = none) and how its values are checked. */
export interface ConfigKey {
  name: string;
  type: ConfigType;
  /** Default in Kafka's string form; null when the key has no default. */
  defaultValue: string | null;
  validator?: Validator;
}

/** Thrown for a config value that does not parse or validate; the message names key and value. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: string,
    reason: string,
  ) {
    super(`Invalid value ${value} for configuration ${key}: ${reason}`);
    this.name = 'ConfigError';
  }
}

/** Java's Long.MAX_VALUE, Kafka's "never" for flush and compaction intervals. */
export const LONG_MAX = 9223372036854775807n;

const INT_RANGE = { min: -2147483648n, max: 2147483647n };
const SHORT_RANGE = { min: -32768n, max: 32767n };
const LONG_RANGE = { min: -9223372036854775808n, max: LONG_MAX };

function parseInteger(text: string, range: { min: bigint; max: bigint }, typeName: string): bigint {
  if (!/^[+-]?\d+$/.test(text)) throw new Error(`Not a number of type ${typeName}`);
  const n = BigInt(text);
  if (n < range.min || n > range.max) throw new Error(`Not a number of type ${typeName}`);
  return n;
}

function parseValue(type: ConfigType, raw: string): ConfigValue {
  const text = raw.trim();
  switch (type) {
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      throw new Error('Expected value to be either true or false');
    }
    case 'string':
    case 'class':
      return text;
    case 'password':
      return raw;
    case 'int':
      return Number(parseInteger(text, INT_RANGE, 'INT'));
    case 'short':
      return Number(parseInteger(text, SHORT_RANGE, 'SHORT'));
    case 'long':
      return parseInteger(text, LONG_RANGE, 'LONG');
    case 'double': {
      const d = Number(text);
      if (text === '' || Number.isNaN(d)) throw new Error('Not a number of type DOUBLE');
      return d;
    }
    case 'list':
      return text === '' ? [] : text.split(/\s*,\s*/);
  }
}

/** Parses and validates a user-supplied string for `key`; throws ConfigError naming both. */
export function parseConfig(key: ConfigKey, raw: string | null): ConfigValue {
  if (raw === null) return null;
  let value: ConfigValue;
  try {
    value = parseValue(key.type, raw);
  } catch (err) {
    throw new ConfigError(key.name, raw, (err as Error).message);
  }
  const reason = key.validator?.(value);
  if (reason) throw new ConfigError(key.name, raw, reason);
  return value;
}

/** The parsed default of `key` (null when it has none). */
export function defaultOf(key: ConfigKey): ConfigValue {
  return key.defaultValue === null ? null : parseValue(key.type, key.defaultValue);
}

/** A parsed value in Kafka's string form (ConfigDef.convertToString): lists comma-joined, doubles as Java prints them. */
export function formatConfig(type: ConfigType, value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (type === 'double' && typeof value === 'number' && Number.isInteger(value)) return value.toFixed(1);
  return String(value);
}

/** A parsed numeric value as a JS number (Long.MAX and beyond 2^53 clamp to MAX_SAFE_INTEGER). */
export function toNumber(value: ConfigValue): number {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
    if (value < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
    return Number(value);
  }
  if (typeof value === 'number') return value;
  throw new TypeError(`not a number: ${String(value)}`);
}

/** Validator: numeric value within [min, max] (either bound optional), with Kafka's wording. */
export function range(min: number | bigint | null, max: number | bigint | null = null): Validator {
  const less = (v: number | bigint, bound: number | bigint) =>
    typeof v === 'bigint' ? v < BigInt(bound) : v < Number(bound);
  return (value) => {
    if (value === null) return null;
    const v = value as number | bigint;
    if (min !== null && less(v, min)) return `Value must be at least ${min}`;
    if (max !== null && less(max, v)) return `Value must be no more than ${max}`;
    return null;
  };
}

/** Validator: a string out of a fixed set (Kafka's ValidString). */
export function oneOf(allowed: readonly string[]): Validator {
  return (value) =>
    value === null || allowed.includes(value as string) ? null : `String must be one of: ${allowed.join(', ')}`;
}

/** Validator: every list element out of a fixed set (Kafka's ValidList). */
export function listOf(allowed: readonly string[]): Validator {
  return (value) => {
    if (value === null) return null;
    const bad = (value as string[]).find((s) => !allowed.includes(s));
    return bad === undefined ? null : `String must be one of: ${allowed.join(', ')}`;
  };
}

/** Builds a name-indexed table from a list of keys. */
export function keyTable(keys: ConfigKey[]): ReadonlyMap<string, ConfigKey> {
  return new Map(keys.map((k) => [k.name, k]));
}
