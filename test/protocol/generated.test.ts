// Guards against drift: the committed message files must be exactly what the generator makes from the specs.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateProtocolFiles, stripJsonComments } from '../../scripts/generate-protocol.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const specDir = process.env.SLUICE_SPEC_DIR ?? resolve(repo, '../shared/kafka-protocol/message');
const messagesDir = join(repo, 'src/protocol/messages');

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

describe('stripJsonComments', () => {
  it('removes line and block comments but keeps // inside strings', () => {
    const text = '// head\n{ "a": "http://x", /* b */ "c": 1 } // tail';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: 'http://x', c: 1 });
  });
});
