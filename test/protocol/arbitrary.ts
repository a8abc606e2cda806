// fast-check arbitraries that build random message bodies valid for one (schema, version).
import fc from 'fast-check';
import { inRange, parseRange, type FieldSchema } from '../../src/protocol/schema.js';
import { defaultStruct } from '../../src/protocol/codec.js';

const PRIMITIVE: Record<string, () => fc.Arbitrary<unknown>> = {
  int8: () => fc.integer({ min: -128, max: 127 }),
  int16: () => fc.integer({ min: -32768, max: 32767 }),
  uint16: () => fc.integer({ min: 0, max: 65535 }),
  int32: () => fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  int64: () => fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  float64: () => fc.double(),
  bool: () => fc.boolean(),
  string: () => fc.string({ unit: 'grapheme', maxLength: 12 }),
  bytes: () => fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)),
  records: () => fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
  uuid: () => fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url')),
};

/** Random unknown tagged fields with tags no field of the struct uses, in ascending tag order. */
function unknownTags(fields: FieldSchema[]): fc.Arbitrary<{ tag: number; data: Buffer }[]> {
  const used = new Set(fields.filter((f) => f.tag !== undefined).map((f) => f.tag));
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 300 }).filter((t) => !used.has(t)), { maxLength: 2 })
    .chain((tags) =>
      fc.tuple(...tags.sort((a, b) => a - b).map((tag) => fc.uint8Array({ maxLength: 8 }).map((d) => ({ tag, data: Buffer.from(d) })))),
    );
}

/** Values for a struct at one version: present fields random, absent ones at their defaults. */
export function structArbitrary(fields: FieldSchema[], version: number, flexible: boolean, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  const defaults = defaultStruct(fields);
  for (const f of fields) {
    record[f.name] = inRange(parseRange(f.versions), version)
      ? fieldArbitrary(f, version, flexible, depth)
      : fc.constant(defaults[f.name]);
  }
  const base = fc.record(record);
  if (!flexible) return base;
  return fc.tuple(base, unknownTags(fields)).map(([o, tags]) => (tags.length ? { ...o, _unknownTaggedFields: tags } : o));
}

function fieldArbitrary(f: FieldSchema, version: number, flexible: boolean, depth: number): fc.Arbitrary<unknown> {
  const nullable = inRange(parseRange(f.nullableVersions), version);
  const isArray = f.type.startsWith('[]');
  const elem = isArray ? f.type.slice(2) : f.type;
  let arb: fc.Arbitrary<unknown>;
  const one = PRIMITIVE[elem]
    ? PRIMITIVE[elem]()
    : structArbitrary(f.fields!, version, flexible, depth + 1);
  arb = isArray ? fc.array(one, { maxLength: depth > 1 ? 1 : 3 }) : one;
  if (nullable) arb = fc.option(arb, { nil: null, freq: 4 });
  return arb;
}
