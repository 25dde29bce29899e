/**
 * Key-range planning, the pure part: the live reader splits the key space at sampled keys into
 * ranges `(.., p1]`, `(p1, p2]`, …, `(pk, ..)` and resumes after a key with `(key, ..)`. The
 * filter each range becomes must select every key exactly once — the ends of int64 included,
 * whose literal -2^63 Milvus 2.3 cannot parse and which `rangeExpr` therefore rewrites. The
 * filters are evaluated here by a small interpreter of the comparisons they are made of.
 */
import { describe, expect, it } from 'vitest';
import { compareKeys, rangeExpr, type KeyRange, type KeyValue } from '@milvusdm/milvus-client';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** Evaluates `f > 5 && f <= 9` (what rangeExpr writes) for one key; '' selects everything. */
function selects(expr: string, key: KeyValue): boolean {
  if (expr === '') return true;
  return expr.split(' && ').every((part) => {
    const m = /^(\w+) (>=|<=|>|<) (.+)$/.exec(part);
    if (!m) throw new Error(`unexpected filter part: ${part}`);
    const literal = m[3]!;
    if (typeof key === 'bigint' && /^-?\d+$/.test(literal) && (BigInt(literal) < MIN || BigInt(literal) > MAX)) {
      throw new Error(`literal outside int64: ${literal}`);
    }
    const value: KeyValue = literal.startsWith('"') ? (JSON.parse(literal) as string) : BigInt(literal);
    const c = compareKeys(key, value);
    return m[2] === '>=' ? c >= 0 : m[2] === '<=' ? c <= 0 : m[2] === '>' ? c > 0 : c < 0;
  });
}

/** The ranges the scanner makes from split points, optionally after a resume key. */
function ranges(points: readonly KeyValue[], after?: KeyValue): KeyRange[] {
  const out: KeyRange[] = [];
  let lower: KeyRange['lower'] = after === undefined ? undefined : { value: after, inclusive: false };
  for (const p of points) {
    if (lower && compareKeys(p, lower.value) <= 0) continue;
    out.push({ ...(lower ? { lower } : {}), upper: { value: p, inclusive: true } });
    lower = { value: p, inclusive: false };
  }
  out.push(lower ? { lower } : {});
  return out;
}

function coverage(keys: readonly KeyValue[], rs: readonly KeyRange[]): number[] {
  const exprs = rs.map((r) => rangeExpr('id', r));
  for (const e of exprs) expect(e).not.toContain('9223372036854775808');
  return keys.map((k) => exprs.filter((e) => selects(e, k)).length);
}

const INT_KEYS = [MIN, MIN + 1n, MIN + 2n, -(2n ** 53n) - 1n, -1n, 0n, 1n, 2n ** 53n + 1n, MAX - 1n, MAX];

describe('key ranges select every key exactly once', () => {
  const splits: [string, bigint[]][] = [
    ['no split', []],
    ['ordinary points', [-5n, 0n, 7n]],
    ['the minimum as a split point', [MIN, 0n]],
    ['the maximum as a split point', [0n, MAX]],
    ['both ends', [MIN, MIN + 1n, MAX - 1n, MAX]],
  ];
  for (const [name, points] of splits) {
    it(`int64, ${name}`, () => {
      expect(coverage(INT_KEYS, ranges(points))).toEqual(INT_KEYS.map(() => 1));
    });
  }

  it('int64, resuming after each key reads exactly the keys above it', () => {
    for (const after of INT_KEYS) {
      const selected = coverage(INT_KEYS, ranges([0n], after));
      expect(selected, `after ${after}`).toEqual(INT_KEYS.map((k) => (k > after ? 1 : 0)));
    }
  });

  it('VarChar keys in byte order, quotes and backslashes included', () => {
    const keys = ['', 'a', 'a"b', 'a\\b', 'b', '\uFF5E', '\u{1F600}', 'zz'];
    const points = ['a"b', '\uFF5E'];
    expect(coverage(keys, ranges(points))).toEqual(keys.map(() => 1));
    expect(coverage(keys, ranges(points, 'a\\b'))).toEqual(keys.map((k) => (compareKeys(k, 'a\\b') > 0 ? 1 : 0)));
  });
});
