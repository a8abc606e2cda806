// The declarative message tables that scripts/generate-protocol.ts emits and codec.ts interprets.

/** A tagged field the codec did not recognise, kept so re-encoding preserves it. */
export interface TaggedField {
  tag: number;
  data: Buffer;
}

/** Kafka's version range notation: "3+", "0-7", "5", or "none". */
export type VersionRange = string;

/** One field of a message or struct, as in Kafka's JSON specs minus documentation. */
export interface FieldSchema {
  /** Property name: the spec name with its first letter lower-cased. */
  name: string;
  /** Spec type: int8/16/32/64, uint16, float64, bool, string, bytes, records, uuid, StructName, []T. */
  type: string;
  versions: VersionRange;
  nullableVersions?: VersionRange;
  taggedVersions?: VersionRange;
  tag?: number;
  /** The spec's default, already converted (bigint for int64, null for "null"). */
  default?: number | bigint | boolean | string | null;
  /** Fields of a struct or struct-array type. */
  fields?: FieldSchema[];
}

/** A request or response body layout. */
export interface MessageSchema {
  name: string;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  fields: FieldSchema[];
}

/** Everything the codec needs about one API key. */
export interface ApiSchema {
  apiKey: number;
  /** Kafka's API name, e.g. "Produce". */
  name: string;
  request: MessageSchema;
  response: MessageSchema;
}

/** An inclusive [min, max] version range, or null for "none". */
export type Range = readonly [number, number] | null;

const MAX_VERSION = 0x7fff;

/** Ranges parsed so far: the specs hold few distinct ones, and headers look them up per request. */
const parsedRanges = new Map<string, Range>();

/** Parses Kafka's version range notation (each distinct spec once). */
export function parseRange(spec: VersionRange | undefined): Range {
  if (spec === undefined || spec === 'none') return null;
  let range = parsedRanges.get(spec);
  if (range === undefined) parsedRanges.set(spec, (range = parseRangeSpec(spec)));
  return range;
}

function parseRangeSpec(spec: string): Range {
  if (spec.endsWith('+')) return Object.freeze([Number(spec.slice(0, -1)), MAX_VERSION] as const);
  const dash = spec.indexOf('-');
  const range = dash >= 0 ? ([Number(spec.slice(0, dash)), Number(spec.slice(dash + 1))] as const) : ([Number(spec), Number(spec)] as const);
  return Object.freeze(range);
}

/** Whether version v lies in the range. */
export function inRange(range: Range, v: number): boolean {
  return range !== null && v >= range[0] && v <= range[1];
}
