// Interprets the generated schema tables: each (struct, version) is compiled once into closures.
import { ProtocolError } from './errors.js';
import { isFileRegion } from './file-region.js';
import type { Reader } from './reader.js';
import { inRange, parseRange, type FieldSchema, type MessageSchema, type TaggedField } from './schema.js';
import { Writer } from './writer.js';

/** Encoder and decoder of one struct (or message body) at one version. */
export interface StructCodec {
  read(r: Reader): Record<string, unknown>;
  write(w: Writer, v: Record<string, unknown>): void;
}

interface FieldCodec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
}

type Obj = Record<string, unknown> & { _unknownTaggedFields?: TaggedField[] };

/** A tagged field's codec plus whether a value is its default (then Kafka leaves it out). */
interface TaggedCodec {
  f: FieldSchema;
  codec: FieldCodec;
  isDefault: (v: unknown) => boolean;
}

const EMPTY = Buffer.alloc(0);
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

const cache = new WeakMap<FieldSchema[], Map<number, StructCodec>>();

const messageCache = new WeakMap<MessageSchema, StructCodec[]>();

/** The codec for a message body at a version (compiled on first use, then cached). */
export function messageCodec(schema: MessageSchema, version: number): StructCodec {
  let byVersion = messageCache.get(schema);
  if (!byVersion) messageCache.set(schema, (byVersion = []));
  return (byVersion[version] ??= structCodec(schema.fields, version, inRange(parseRange(schema.flexibleVersions), version)));
}

function structCodec(fields: FieldSchema[], version: number, flexible: boolean): StructCodec {
  let byVersion = cache.get(fields);
  if (!byVersion) cache.set(fields, (byVersion = new Map()));
  const key = flexible ? version : -1 - version;
  let codec = byVersion.get(key);
  if (!codec) {
    codec = compileStruct(fields, version, flexible);
    byVersion.set(key, codec);
  }
  return codec;
}

/** A fresh value holding every field's default, for any version. */
export function defaultStruct(fields: FieldSchema[]): Obj {
  const o: Obj = {};
  for (const f of fields) o[f.name] = defaultOf(f);
  return o;
}

function defaultOf(f: FieldSchema): unknown {
  if (f.default !== undefined) return f.default;
  if (f.type.startsWith('[]')) return [];
  switch (f.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'float64':
      return 0;
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return EMPTY;
    case 'records':
      return null;
    case 'uuid':
      return ZERO_UUID;
    default:
      return defaultStruct(f.fields ?? []);
  }
}

/**
 * The test of whether a tagged field's value equals its default d (Kafka then leaves it out),
 * built once per field: encoding runs it for every struct holding the field.
 */
function defaultTest(f: FieldSchema, d: unknown): (v: unknown) => boolean {
  if (d === null) return (v) => v === undefined || v === null;
  if (Array.isArray(d)) return (v) => v === undefined || (v !== null && (v as unknown[]).length === 0);
  if (Buffer.isBuffer(d)) return (v) => v === undefined || (v !== null && (v as Buffer).length === 0);
  if (typeof d === 'object') {
    const dd = d as Obj;
    const subs = (f.fields ?? []).map((sub) => ({ name: sub.name, test: defaultTest(sub, dd[sub.name]) }));
    return (v) => {
      if (v === undefined) return true;
      if (v === null) return false;
      const o = v as Obj;
      if (o._unknownTaggedFields?.length) return false;
      for (let i = 0; i < subs.length; i++) if (!subs[i].test(o[subs[i].name])) return false;
      return true;
    };
  }
  return (v) => v === undefined || v === d;
}

function compileStruct(fields: FieldSchema[], version: number, flexible: boolean): StructCodec {
  const names: string[] = [];
  const readers: (((r: Reader) => unknown) | null)[] = [];
  const defaults: (() => unknown)[] = [];
  const regular: { name: string; codec: FieldCodec; def: () => unknown }[] = [];
  const tagged = new Map<number, TaggedCodec>();
  for (const f of fields) {
    const def = () => defaultOf(f);
    names.push(f.name);
    defaults.push(def);
    if (!inRange(parseRange(f.versions), version)) {
      readers.push(null);
    } else if (flexible && f.tag !== undefined && inRange(parseRange(f.taggedVersions), version)) {
      tagged.set(f.tag, { f, codec: fieldCodec(f, version, flexible), isDefault: defaultTest(f, defaultOf(f)) });
      readers.push(null);
    } else {
      const codec = fieldCodec(f, version, flexible);
      regular.push({ name: f.name, codec, def });
      readers.push(codec.read);
    }
  }
  const taggedSorted = [...tagged.entries()].sort((a, b) => a[0] - b[0]);
  const n = names.length;

  const read = (r: Reader): Obj => {
    const o: Obj = {};
    for (let i = 0; i < n; i++) {
      const rd = readers[i];
      o[names[i]] = rd === null ? defaults[i]() : rd(r);
    }
    if (flexible) readTaggedFields(r, o, tagged);
    return o;
  };

  const write = (w: Writer, o: Obj): void => {
    for (let i = 0; i < regular.length; i++) {
      const { name, codec, def } = regular[i];
      const v = o[name];
      codec.write(w, v === undefined ? def() : v);
    }
    if (flexible) writeTaggedFields(w, o, taggedSorted);
  };
  return { read, write };
}

function readTaggedFields(r: Reader, o: Obj, known: Map<number, TaggedCodec>): void {
  const count = r.checkedLength(r.unsignedVarint(), 'tagged fields');
  for (let i = 0; i < count; i++) {
    const tag = r.unsignedVarint();
    const size = r.checkedLength(r.unsignedVarint(), 'tagged field');
    const field = known.get(tag);
    if (field) {
      const end = r.pos + size;
      const outerEnd = r.end;
      r.end = end;
      try {
        o[field.f.name] = field.codec.read(r);
      } finally {
        r.end = outerEnd;
      }
      r.pos = end;
    } else {
      (o._unknownTaggedFields ??= []).push({ tag, data: r.bytes(size) });
    }
  }
}

function writeTaggedFields(w: Writer, o: Obj, known: [number, TaggedCodec][]): void {
  let present: TaggedField[] | null = null;
  for (let i = 0; i < known.length; i++) {
    const [tag, { f, codec, isDefault }] = known[i];
    const v = o[f.name];
    if (isDefault(v)) continue;
    const sub = new Writer(64);
    codec.write(sub, v);
    (present ??= []).push({ tag, data: sub.toBuffer() });
  }
  const unknown = o._unknownTaggedFields;
  if (unknown?.length) {
    present = present === null ? [...unknown] : [...present, ...unknown];
    present.sort((a, b) => a.tag - b.tag);
  }
  if (present === null) return w.unsignedVarint(0);
  w.unsignedVarint(present.length);
  for (const t of present) {
    w.unsignedVarint(t.tag);
    w.unsignedVarint(t.data.length);
    w.raw(t.data);
  }
}

function fieldCodec(f: FieldSchema, version: number, flexible: boolean): FieldCodec {
  const nullable = inRange(parseRange(f.nullableVersions), version);
  if (f.type.startsWith('[]')) {
    const elemType = f.type.slice(2);
    const elem = PRIMITIVES.has(elemType)
      ? primitiveCodec(f.name, elemType, false, flexible)
      : structValueCodec(f, version, flexible);
    return arrayCodec(f.name, elem, nullable, flexible);
  }
  if (PRIMITIVES.has(f.type)) return primitiveCodec(f.name, f.type, nullable, flexible);
  const struct = structValueCodec(f, version, flexible);
  if (!nullable) return struct;
  return {
    read: (r) => (r.int8() < 0 ? null : struct.read(r)),
    write: (w, v) => {
      if (v === null) return w.int8(-1);
      w.int8(1);
      struct.write(w, v);
    },
  };
}

function structValueCodec(f: FieldSchema, version: number, flexible: boolean): FieldCodec {
  if (!f.fields) throw new Error(`struct type ${f.type} of ${f.name} has no fields`);
  const c = structCodec(f.fields, version, flexible);
  return { read: c.read, write: (w, v) => c.write(w, v as Obj) };
}

function nullError(name: string): Error {
  return new ProtocolError(`non-nullable field ${name} was serialized as null`);
}

function arrayCodec(name: string, elem: FieldCodec, nullable: boolean, flexible: boolean): FieldCodec {
  const readLen = flexible ? (r: Reader) => r.unsignedVarint() - 1 : (r: Reader) => r.int32();
  const writeLen = flexible ? (w: Writer, n: number) => w.unsignedVarint(n + 1) : (w: Writer, n: number) => w.int32(n);
  return {
    read: (r) => {
      const n = r.checkedLength(readLen(r), `array ${name}`);
      if (n < 0) {
        if (nullable) return null;
        throw nullError(name);
      }
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = elem.read(r);
      return out;
    },
    write: (w, v) => {
      if (v === null) {
        if (!nullable) throw new Error(`${name} is null in a version where it is not nullable`);
        return writeLen(w, -1);
      }
      const a = v as unknown[];
      writeLen(w, a.length);
      for (let i = 0; i < a.length; i++) elem.write(w, a[i]);
    },
  };
}

function primitiveCodec(name: string, type: string, nullable: boolean, flexible: boolean): FieldCodec {
  switch (type) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'uint16':
      return { read: (r) => r.uint16(), write: (w, v) => w.uint16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as bigint) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'uuid':
      return {
        read: (r) => r.bytes(16, 'uuid').toString('base64url'),
        write: (w, v) => {
          const b = Buffer.from(v as string, 'base64url');
          if (b.length !== 16) throw new Error(`${name}: ${String(v)} is not a 22-character base64url uuid`);
          w.raw(b);
        },
      };
    case 'string':
      return stringCodec(name, nullable, flexible);
    default: // bytes, records
      return bytesCodec(name, nullable, flexible);
  }
}

function stringCodec(name: string, nullable: boolean, flexible: boolean): FieldCodec {
  return {
    read: (r) => {
      const n = r.checkedLength(flexible ? r.unsignedVarint() - 1 : r.int16(), `string ${name}`);
      if (n < 0) {
        if (nullable) return null;
        throw nullError(name);
      }
      return r.utf8(n);
    },
    write: (w, v) => {
      if (v === null) {
        if (!nullable) throw new Error(`${name} is null in a version where it is not nullable`);
        return flexible ? w.unsignedVarint(0) : w.int16(-1);
      }
      const s = v as string;
      const n = Buffer.byteLength(s, 'utf8');
      if (flexible) w.unsignedVarint(n + 1);
      else {
        if (n > 0x7fff) throw new Error(`${name}: string of ${n} bytes is longer than 32767`);
        w.int16(n);
      }
      w.utf8(s, n);
    },
  };
}

function bytesCodec(name: string, nullable: boolean, flexible: boolean): FieldCodec {
  return {
    read: (r) => {
      const n = r.checkedLength(flexible ? r.unsignedVarint() - 1 : r.int32(), `bytes ${name}`);
      if (n < 0) {
        if (nullable) return null;
        throw nullError(name);
      }
      return r.bytes(n);
    },
    write: (w, v) => {
      if (v === null) {
        if (!nullable) throw new Error(`${name} is null in a version where it is not nullable`);
        return flexible ? w.unsignedVarint(0) : w.int32(-1);
      }
      if (isFileRegion(v)) {
        if (flexible) w.unsignedVarint(v.size + 1);
        else w.int32(v.size);
        return w.region(v);
      }
      const b = v as Buffer;
      if (flexible) w.unsignedVarint(b.length + 1);
      else w.int32(b.length);
      w.raw(b);
    },
  };
}
