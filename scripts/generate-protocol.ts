// Generates src/protocol/messages/*.ts (types, defaults, schema tables) from Kafka's JSON specs,
// and src/protocol/coordinator-records.ts from the __consumer_offsets record specs.
// Usage: npx tsx scripts/generate-protocol.ts <spec-dir> [out-dir]
//        npx tsx scripts/generate-protocol.ts --records <group-coordinator-spec-dir> [out-file]
// The spec folders are Kafka's clients/src/main/resources/common/message and
// group-coordinator/src/main/resources/common/message; their prose is never copied.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The API keys Sluice speaks (issue 2 plus the group APIs that come next). */
export const GENERATED_API_KEYS = [
  0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22, 23, 32, 33, 35, 37, 42, 44, 47, 60,
];

interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number | string;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: SpecField[];
}

interface Spec {
  apiKey?: number;
  /** 'request'/'response' for messages, 'data' for the record schemas. */
  type: string;
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: SpecField[];
  commonStructs?: { name: string; versions: string; fields: SpecField[] }[];
}

const PRIMITIVES = new Set(['int8', 'int16', 'int32', 'int64', 'uint16', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

/** Removes // and /* comments outside strings (Kafka's specs are JSON with comments). */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
      if (i === 0) break;
    } else out += c;
  }
  return out;
}

function readSpecs(specDir: string): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  for (const file of readdirSync(specDir).sort()) {
    if (!file.endsWith('.json')) continue;
    const spec = JSON.parse(stripJsonComments(readFileSync(join(specDir, file), 'utf8'))) as Spec;
    specs.set(spec.name, spec);
  }
  return specs;
}

const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);
const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** Kafka's API name for a request spec name, e.g. ProduceRequest → Produce. */
function apiName(spec: Spec): string {
  return spec.name.replace(/Request$/, '');
}

/** The TS name of a struct: the message name prefix, unless the spec already starts with it. */
function structTypeName(messageName: string, structName: string): string {
  return structName.startsWith(messageName) ? structName : messageName + structName;
}

function elementType(type: string): string {
  return type.startsWith('[]') ? type.slice(2) : type;
}

interface Struct {
  typeName: string;
  fields: SpecField[];
}

/** Resolves struct definitions (inline or commonStructs) of one message, in first-seen order. */
function collectStructs(spec: Spec): Map<string, Struct> {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const structs = new Map<string, Struct>();
  const visit = (fields: SpecField[]) => {
    for (const f of fields) {
      if (f.flexibleVersions !== undefined) {
        throw new Error(`${spec.name}.${f.name}: field-level flexibleVersions is not supported`);
      }
      const t = elementType(f.type);
      if (PRIMITIVES.has(t)) continue;
      const fields = f.fields ?? common.get(t);
      if (!fields) throw new Error(`${spec.name}.${f.name}: unknown struct type ${t}`);
      if (structs.has(t)) {
        if (f.fields && structs.get(t)!.fields !== f.fields) throw new Error(`${spec.name}: struct ${t} defined twice`);
        continue;
      }
      structs.set(t, { typeName: structTypeName(spec.name, t), fields });
      visit(fields);
    }
  };
  visit(spec.fields);
  return structs;
}

function isNullableAnywhere(f: SpecField): boolean {
  return f.nullableVersions !== undefined && f.nullableVersions !== 'none';
}

function tsType(f: SpecField, structs: Map<string, Struct>): string {
  const t = elementType(f.type);
  let base: string;
  switch (t) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'float64':
      base = 'number';
      break;
    case 'int64':
      base = 'bigint';
      break;
    case 'bool':
      base = 'boolean';
      break;
    case 'string':
    case 'uuid':
      base = 'string';
      break;
    case 'bytes':
    case 'records':
      base = 'Buffer';
      break;
    default:
      base = structs.get(t)!.typeName;
  }
  const full = f.type.startsWith('[]') ? `${base}[]` : base;
  return isNullableAnywhere(f) || (t === 'records' && !f.type.startsWith('[]')) ? `${full} | null` : full;
}

/** The spec default as a TS literal, or undefined when the type's implicit default applies. */
function defaultLiteral(f: SpecField, where: string): string | undefined {
  if (f.default === undefined) return undefined;
  const d = String(f.default);
  if (d === 'null') {
    if (!isNullableAnywhere(f)) throw new Error(`${where}: default null on a non-nullable field`);
    return 'null';
  }
  switch (f.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'float64': {
      const n = Number(d);
      if (!Number.isFinite(n)) throw new Error(`${where}: bad default ${d}`);
      return String(n);
    }
    case 'int64':
      return `${BigInt(d)}n`;
    case 'bool':
      if (d !== 'true' && d !== 'false') throw new Error(`${where}: bad default ${d}`);
      return d;
    case 'string':
      return JSON.stringify(d).replace(/^"|"$/g, "'");
    default:
      throw new Error(`${where}: unsupported default ${d} for type ${f.type}`);
  }
}

/** TS expression building the default value of a field (used by the defaultX() helpers). */
function defaultExpr(f: SpecField, structs: Map<string, Struct>, where: string): string {
  const lit = defaultLiteral(f, where);
  if (lit !== undefined) return lit;
  if (f.type.startsWith('[]')) return '[]';
  switch (f.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'float64':
      return '0';
    case 'int64':
      return '0n';
    case 'bool':
      return 'false';
    case 'string':
      return "''";
    case 'bytes':
      return 'Buffer.alloc(0)';
    case 'records':
      return 'null';
    case 'uuid':
      return "'AAAAAAAAAAAAAAAAAAAAAA'";
    default:
      return `default${structs.get(f.type)!.typeName}()`;
  }
}

function schemaFields(fields: SpecField[], spec: Spec, common: Map<string, SpecField[]>, indent: string): string {
  const lines: string[] = [];
  for (const f of fields) {
    const where = `${spec.name}.${f.name}`;
    const parts = [`name: '${lowerFirst(f.name)}'`, `type: '${f.type}'`, `versions: '${f.versions}'`];
    if (f.nullableVersions !== undefined) parts.push(`nullableVersions: '${f.nullableVersions}'`);
    if (f.taggedVersions !== undefined) {
      parts.push(`taggedVersions: '${f.taggedVersions}'`, `tag: ${Number(f.tag)}`);
    }
    const lit = defaultLiteral(f, where);
    if (lit !== undefined) parts.push(`default: ${lit}`);
    const t = elementType(f.type);
    const sub = PRIMITIVES.has(t) ? undefined : (f.fields ?? common.get(t));
    if (sub) {
      lines.push(`${indent}{ ${parts.join(', ')}, fields: [`);
      lines.push(schemaFields(sub, spec, common, indent + '  '));
      lines.push(`${indent}] },`);
    } else {
      lines.push(`${indent}{ ${parts.join(', ')} },`);
    }
  }
  return lines.join('\n');
}

function emitMessage(spec: Spec, out: string[]): void {
  const structs = collectStructs(spec);
  const emitInterface = (typeName: string, fields: SpecField[], doc: string) => {
    out.push(`/** ${doc} */`);
    out.push(`export interface ${typeName} {`);
    for (const f of fields) out.push(`  ${lowerFirst(f.name)}: ${tsType(f, structs)};`);
    out.push('  _unknownTaggedFields?: TaggedField[];');
    out.push('}');
    out.push('');
    out.push(`/** A ${typeName} holding every field's default. */`);
    out.push(`export function default${typeName}(): ${typeName} {`);
    out.push('  return {');
    for (const f of fields) {
      out.push(`    ${lowerFirst(f.name)}: ${defaultExpr(f, structs, `${spec.name}.${f.name}`)},`);
    }
    out.push('  };');
    out.push('}');
    out.push('');
  };
  const versions = `v${spec.validVersions}`;
  emitInterface(spec.name, spec.fields, `${spec.name} body, union of ${versions}.`);
  for (const [name, s] of structs) {
    emitInterface(s.typeName, s.fields, `${spec.name} ${name} element.`);
  }
}

function emitSchema(spec: Spec): string {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  return [
    '{',
    `    name: '${spec.name}',`,
    `    validVersions: '${spec.validVersions}',`,
    `    flexibleVersions: '${spec.flexibleVersions}',`,
    '    fields: [',
    schemaFields(spec.fields, spec, common, '      '),
    '    ],',
    '  }',
  ].join('\n');
}

/** Generates every message file and the registry, keyed by file name (relative to messages/). */
export function generateProtocolFiles(specDir: string, apiKeys: number[] = GENERATED_API_KEYS): Map<string, string> {
  const specs = readSpecs(specDir);
  const byKey = new Map<number, { request: Spec; response: Spec }>();
  for (const spec of specs.values()) {
    if (spec.type !== 'request' || spec.apiKey === undefined || !apiKeys.includes(spec.apiKey)) continue;
    const response = specs.get(spec.name.replace(/Request$/, 'Response'));
    if (!response) throw new Error(`no response spec for ${spec.name}`);
    byKey.set(spec.apiKey, { request: spec, response });
  }
  const files = new Map<string, string>();
  const registry: { key: number; api: string; module: string; constName: string }[] = [];
  for (const key of apiKeys) {
    const pair = byKey.get(key);
    if (!pair) throw new Error(`no request spec for api key ${key}`);
    const api = apiName(pair.request);
    const module = `${String(key).padStart(2, '0')}-${kebab(api)}`;
    const constName = `${lowerFirst(api)}Api`;
    const out: string[] = [
      `// Generated by scripts/generate-protocol.ts from Kafka's ${pair.request.name} and ${pair.response.name}`,
      '// specs. Do not edit: change the generator or the specs and regenerate.',
      "import type { ApiSchema, TaggedField } from '../schema.js';",
      '',
    ];
    emitMessage(pair.request, out);
    emitMessage(pair.response, out);
    out.push(`/** Wire layout of ${api} (api key ${key}) for the generic codec. */`);
    out.push(`export const ${constName}: ApiSchema = {`);
    out.push(`  apiKey: ${key},`);
    out.push(`  name: '${api}',`);
    out.push(`  request: ${emitSchema(pair.request)},`);
    out.push(`  response: ${emitSchema(pair.response)},`);
    out.push('};');
    out.push('');
    files.set(`${module}.ts`, out.join('\n'));
    registry.push({ key, api, module, constName });
  }
  files.set('index.ts', emitRegistry(registry, byKey));
  return files;
}

function emitRegistry(
  registry: { key: number; api: string; module: string; constName: string }[],
  byKey: Map<number, { request: Spec; response: Spec }>,
): string {
  const out: string[] = [
    '// Generated by scripts/generate-protocol.ts: the registry of every generated API. Do not edit.',
    "import type { ApiSchema } from '../schema.js';",
  ];
  for (const r of registry) {
    const { request, response } = byKey.get(r.key)!;
    out.push(`import { ${r.constName}, type ${request.name}, type ${response.name} } from './${r.module}.js';`);
  }
  out.push('');
  for (const r of registry) out.push(`export * from './${r.module}.js';`);
  out.push('');
  out.push('/** Kafka API keys by Kafka name. */');
  out.push('export const ApiKey = {');
  for (const r of registry) out.push(`  ${r.api}: ${r.key},`);
  out.push('} as const;');
  out.push('');
  out.push('/** One of the API keys the codec knows. */');
  out.push('export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];');
  out.push('');
  out.push('/** Request body type by API key. */');
  out.push('export interface RequestBodies {');
  for (const r of registry) out.push(`  ${r.key}: ${byKey.get(r.key)!.request.name};`);
  out.push('}');
  out.push('');
  out.push('/** Response body type by API key. */');
  out.push('export interface ResponseBodies {');
  for (const r of registry) out.push(`  ${r.key}: ${byKey.get(r.key)!.response.name};`);
  out.push('}');
  out.push('');
  out.push('/** Schema of every generated API by key. */');
  out.push('export const apiSchemas: ReadonlyMap<number, ApiSchema> = new Map([');
  for (const r of registry) out.push(`  [${r.key}, ${r.constName}],`);
  out.push(']);');
  out.push('');
  return out.join('\n');
}

/** The classic group coordinator's __consumer_offsets record schemas (KIP-848 records come later). */
export const GENERATED_COORDINATOR_RECORDS = ['OffsetCommitKey', 'OffsetCommitValue', 'GroupMetadataKey', 'GroupMetadataValue'];

/** Generates the one module holding the record schemas' types, defaults and schema tables. */
export function generateCoordinatorRecords(specDir: string, names: string[] = GENERATED_COORDINATOR_RECORDS): string {
  const specs = readSpecs(specDir);
  const out: string[] = [
    `// Generated by scripts/generate-protocol.ts from Kafka's ${names.join(', ')} record specs.`,
    '// Do not edit: change the generator or the specs and regenerate.',
    "import type { MessageSchema, TaggedField } from './schema.js';",
    '',
  ];
  for (const name of names) {
    const spec = specs.get(name);
    if (!spec || spec.type !== 'data') throw new Error(`no data spec named ${name}`);
    emitMessage(spec, out);
    out.push(`/** Layout of ${name} (v${spec.validVersions}) for the generic codec. */`);
    // emitSchema indents for nesting inside an ApiSchema; a top-level constant sits one level up.
    const schema = emitSchema(spec)
      .split('\n')
      .map((line, i) => (i === 0 ? line : line.slice(2)))
      .join('\n');
    out.push(`export const ${lowerFirst(name)}Schema: MessageSchema = ${schema};`);
    out.push('');
  }
  return out.join('\n');
}

function main(): void {
  const repo = resolve(fileURLToPath(import.meta.url), '../..');
  const args = process.argv.slice(2);
  if (args[0] === '--records' && args[1]) {
    const outFile = args[2] ?? join(repo, 'src/protocol/coordinator-records.ts');
    writeFileSync(outFile, generateCoordinatorRecords(args[1]));
    console.log(`wrote ${outFile}`);
    return;
  }
  const [specDir, outDirArg] = args;
  if (!specDir || specDir.startsWith('--')) {
    console.error('usage: npx tsx scripts/generate-protocol.ts <spec-dir> [out-dir]');
    console.error('       npx tsx scripts/generate-protocol.ts --records <group-coordinator-spec-dir> [out-file]');
    process.exit(2);
  }
  const outDir = outDirArg ?? join(repo, 'src/protocol/messages');
  mkdirSync(outDir, { recursive: true });
  const files = generateProtocolFiles(specDir);
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  console.log(`wrote ${files.size} files to ${outDir}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
