import { describe, expect, it } from 'vitest';
import { compareKeys, everyRowExpr, quoteString, rangeExpr } from '../src/expr.js';
import { parseMilvusUri } from '../src/address.js';

describe('key-range expressions', () => {
  it('writes bounds, and never the literal -2^63 (Milvus 2.3 cannot parse it)', () => {
    expect(rangeExpr('id', {})).toBe('');
    expect(rangeExpr('id', { lower: { value: 5n, inclusive: false }, upper: { value: 9n, inclusive: true } })).toBe('id > 5 && id <= 9');
    expect(rangeExpr('id', { lower: { value: -(2n ** 63n), inclusive: true } })).toBe('');
    expect(rangeExpr('id', { lower: { value: -(2n ** 63n), inclusive: false } })).toBe('id >= -9223372036854775807');
    expect(rangeExpr('id', { upper: { value: -(2n ** 63n), inclusive: true } })).toBe('id < -9223372036854775807');
    expect(rangeExpr('id', { upper: { value: -(2n ** 63n), inclusive: false } })).not.toContain('9223372036854775808');
  });
  it('quotes strings safely', () => {
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(rangeExpr('pk', { lower: { value: 'x"', inclusive: true } })).toBe('pk >= "x\\""');
    expect(everyRowExpr('pk', 'varchar')).toBe('pk >= ""');
  });
  it('orders string keys by UTF-8 bytes, as Milvus does', () => {
    // U+FF5E sorts before U+1F600 in UTF-16 units, after it in bytes.
    expect(compareKeys('\uFF5E', '\u{1F600}')).toBeLessThan(0);
    expect(['b', 'a', '\u{1F600}', '\uFF5E'].sort(compareKeys)).toEqual(['a', 'b', '\uFF5E', '\u{1F600}']);
    expect(compareKeys(-1n, 1n)).toBeLessThan(0);
  });
});

describe('uri', () => {
  it('tells servers from Milvus Lite folders', () => {
    expect(parseMilvusUri('http://localhost:19530', '/b')).toEqual({ kind: 'server', address: 'localhost:19530', ssl: false });
    expect(parseMilvusUri('https://in01-x.zillizcloud.com', '/b')).toEqual({
      kind: 'server',
      address: 'in01-x.zillizcloud.com:443',
      ssl: true,
    });
    expect(parseMilvusUri('db.internal:19531', '/b')).toEqual({ kind: 'server', address: 'db.internal:19531', ssl: false });
    expect(parseMilvusUri('./data/milvus', '/jobs')).toEqual({ kind: 'lite', dataDir: '/jobs/data/milvus' });
    expect(parseMilvusUri('/srv/milvus.db', '/jobs')).toEqual({ kind: 'lite', dataDir: '/srv/milvus.db' });
  });
});

describe('string literals cannot be escaped from', () => {
  it('escapes quotes, backslashes, line breaks and control characters', () => {
    expect(quoteString('x" || pk != "')).toBe('"x\\" || pk != \\""');
    expect(quoteString('a\\" or 1==1')).toBe('"a\\\\\\" or 1==1"');
    expect(quoteString('l1\nl2\r\t\u0001')).toBe('"l1\\nl2\\r\\t\u0001"');
    expect(quoteString("it's")).toBe('"it\'s"');
    // Whatever the value, the literal has exactly two unescaped quotes: its own.
    for (const nasty of ['"', '\\', '\\"', '"")', '\n"', 'a"b"c', '\\\\"']) {
      const q = quoteString(nasty);
      const unescaped = q.replace(/\\./g, '').match(/"/g) ?? [];
      expect(unescaped.length, q).toBe(2);
    }
  });
});
