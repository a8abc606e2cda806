// Guards against drift: the committed message files must be exactly what the generator makes from the specs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCoordinatorRecords, generateProtocolFiles, stripJsonComments } from '../../scripts/generate-protocol.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specDir = process.env.SLUICE_SPEC_DIR ?? resolve(repo, '../shared/kafka-protocol/message');
const messagesDir = join(repo, 'src/protocol/messages');
const recordSpecDir = process.env.SLUICE_RECORD_SPEC_DIR ?? resolve(repo, '../shared/kafka-protocol/group-coordinator');

describe('generated protocol messages', () => {
  const generated = generateProtocolFiles(specDir);

  it('has exactly the committed files', () => {
    expect([...generated.keys()].sort()).toEqual(readdirSync(messagesDir).filter((f) => f.endsWith('.ts')).sort());
  });

  for (const [name, text] of generated) {
    it(`${name} matches the specs`, () => {
      expect(readFileSync(join(messagesDir, name), 'utf8')).toBe(text);
    });
  }

  it('never copies documentation prose from the specs', () => {
    for (const text of generated.values()) expect(text).not.toMatch(/about/);
  });
});

describe('generated __consumer_offsets record schemas', () => {
  const generated = generateCoordinatorRecords(recordSpecDir);

  it('src/protocol/coordinator-records.ts matches the specs', () => {
    expect(readFileSync(join(repo, 'src/protocol/coordinator-records.ts'), 'utf8')).toBe(generated);
  });

  it('never copies documentation prose from the specs', () => {
    expect(generated).not.toMatch(/about|KIP-915/);
  });

  it('refuses a name that is not a record spec', () => {
    expect(() => generateCoordinatorRecords(recordSpecDir, ['NoSuchRecord'])).toThrow(/no data spec named NoSuchRecord/);
  });
});

describe('stripJsonComments', () => {
  it('removes line and block comments but keeps // inside strings', () => {
    const text = '// head\n{ "a": "http://x", /* b */ "c": 1 } // tail';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: 'http://x', c: 1 });
  });
});
