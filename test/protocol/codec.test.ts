// The schema interpreter on synthetic tables: constructs the real specs in use today do not exercise.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateProtocolFiles } from '../../scripts/generate-protocol.js';
import { defaultStruct, messageCodec } from '../../src/protocol/codec.js';
import { Reader } from '../../src/protocol/reader.js';
import type { MessageSchema } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

const schema: MessageSchema = {
  name: 'SyntheticRequest',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'ratio', type: 'float64', versions: '0+' },
    { name: 'port', type: 'uint16', versions: '0+' },
    { name: 'leader', type: 'Leader', versions: '1+', nullableVersions: '1+', fields: [
      { name: 'id', type: 'int32', versions: '0+', default: -1 },
    ] },
    { name: 'ids', type: '[]int64', versions: '0+' },
    { name: 'note', type: 'string', versions: '2+', taggedVersions: '2+', tag: 4, default: 'x' },
  ],
};

const roundTrip = (version: number, value: Record<string, unknown>) => {
  const w = new Writer();
  messageCodec(schema, version).write(w, value);
  const bytes = w.toBuffer();
  return { bytes, back: messageCodec(schema, version).read(new Reader(bytes)) };
};

describe('schema interpreter', () => {
  it('writes a nullable struct as an int8 marker (-1 null, 1 present)', () => {
    const none = roundTrip(1, { ratio: 0.5, port: 65535, leader: null, ids: [1n] });
    expect(none.bytes.toString('hex')).toBe('3fe0000000000000' + 'ffff' + 'ff' + '00000001' + '0000000000000001');
    expect(none.back).toEqual({ ratio: 0.5, port: 65535, leader: null, ids: [1n], note: 'x' });
    const some = roundTrip(1, { ratio: 0, port: 1, leader: { id: 7 }, ids: [] });
    expect(some.bytes.subarray(10).toString('hex')).toBe('01' + '00000007' + '00000000');
    expect(some.back.leader).toEqual({ id: 7 });
  });

  it('leaves a tagged field out when it equals its non-empty default, and writes it otherwise', () => {
    const base = { ratio: 0, port: 0, leader: null, ids: [] };
    expect(roundTrip(2, { ...base, note: 'x' }).bytes.at(-1)).toBe(0);
    const tagged = roundTrip(2, { ...base, note: 'hi' });
    // tagged section: 1 field, tag 4, size 3, compact string "hi"
    expect(tagged.bytes.subarray(-6).toString('hex')).toBe('01' + '04' + '03' + '036869');
    expect(tagged.back.note).toBe('hi');
  });

  it('defaults cover every version', () => {
    expect(defaultStruct(schema.fields)).toEqual({ ratio: 0, port: 0, leader: { id: -1 }, ids: [], note: 'x' });
  });
});

describe('generator on a synthetic spec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-spec-'));
  // api key 0 so the generator picks it up; a response with commonStructs and hex/null defaults.
  writeFileSync(join(dir, 'ProduceRequest.json'), `// comment
  { "apiKey": 0, "type": "request", "name": "ProduceRequest", "validVersions": "0-1", "flexibleVersions": "1+",
    "fields": [ { "name": "Acks", "type": "int16", "versions": "0+", "about": "secret prose" } ] }`);
  writeFileSync(join(dir, 'ProduceResponse.json'), `
  { "apiKey": 0, "type": "response", "name": "ProduceResponse", "validVersions": "0-1", "flexibleVersions": "1+",
    "fields": [
      { "name": "Max", "type": "int32", "versions": "0+", "default": "0x7fffffff" },
      { "name": "Epoch", "type": "int64", "versions": "0+", "default": "-1" },
      { "name": "Rack", "type": "string", "versions": "0+", "nullableVersions": "0+", "default": "null" },
      { "name": "Ends", "type": "[]Shared", "versions": "0+" },
      { "name": "Last", "type": "Shared", "versions": "1+", "taggedVersions": "1+", "tag": "0" }
    ],
    "commonStructs": [ { "name": "Shared", "versions": "0+", "fields": [
      { "name": "Offset", "type": "int64", "versions": "0+", "default": -1 } ] } ] }`);

  it('resolves commonStructs, converts defaults, and never copies prose', () => {
    const text = generateProtocolFiles(dir, [0]).get('00-produce.ts')!;
    expect(text).toContain('max: 2147483647,');
    expect(text).toContain('epoch: -1n,');
    expect(text).toContain('rack: null,');
    expect(text).toContain('export interface ProduceResponseShared {');
    expect(text).toContain('last: defaultProduceResponseShared(),');
    expect(text).toContain("{ name: 'last', type: 'Shared', versions: '1+', taggedVersions: '1+', tag: 0, fields: [");
    expect(text).not.toContain('secret prose');
  });

  it('fails clearly when a requested api has no spec', () => {
    expect(() => generateProtocolFiles(dir, [0, 1])).toThrow(/no request spec for api key 1/);
  });
});
