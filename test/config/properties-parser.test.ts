import { describe, expect, it } from 'vitest';
import { parseProperties } from '../../src/config/properties-parser.js';

describe('parseProperties (java.util.Properties format)', () => {
  it('reads key=value, key: value and key value, trimming around the separator', () => {
    const p = parseProperties('a=1\nb : 2\nc   3\n  d=  4  \n');
    expect([...p]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4  '],
    ]);
  });

  it('skips blank lines and # or ! comments', () => {
    const p = parseProperties('# comment\n\n   ! another\nnode.id=3\n\t\n');
    expect([...p]).toEqual([['node.id', '3']]);
  });

  it('joins lines ending in an odd number of backslashes and strips the next line\'s indent', () => {
    const p = parseProperties('listeners=PLAINTEXT://a:1,\\\n    PLAINTEXT2://b:2\npath=c:\\\\\nnext=x\n');
    expect(p.get('listeners')).toBe('PLAINTEXT://a:1,PLAINTEXT2://b:2');
    expect(p.get('path')).toBe('c:\\');
    expect(p.get('next')).toBe('x');
  });

  it('does not treat a comment-looking continuation line as a comment', () => {
    expect(parseProperties('a=1\\\n# not a comment\n').get('a')).toBe('1# not a comment');
  });

  it('unescapes \\t \\n \\uXXXX, escaped separators in keys, and any other escaped char', () => {
    const p = parseProperties('my\\=key\\:x=v\\tw\\n\\u0041\\q\n');
    expect(p.get('my=key:x')).toBe('v\tw\nAq');
  });

  it('handles CRLF and CR line endings, later keys win, and a key with no value', () => {
    const p = parseProperties('a=1\r\nb=2\ra=3\nempty\n');
    expect(p.get('a')).toBe('3');
    expect(p.get('b')).toBe('2');
    expect(p.get('empty')).toBe('');
  });

  it('rejects a malformed \\u escape', () => {
    expect(() => parseProperties('a=\\u12x4\n')).toThrow(/Malformed/);
  });
});
