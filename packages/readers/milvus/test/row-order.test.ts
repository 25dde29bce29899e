/**
 * The live reader hands each range's rows out in primary-key order: the key column is sorted
 * and every other column is moved the same way. These tests build rows whose every field is a
 * function of the row's key, shuffle them as a server would return them, reorder them, and
 * check that each key still carries its own vector, scalars, validity bit and text — for int64
 * and VarChar keys (whose byte order differs from JS string order), and for every column kind.
 */
import { describe, expect, it } from 'vitest';
import { compareKeys, type KeyValue } from '@milvusdm/milvus-client';
import type { Column } from '@milvusdm/core';
import { batchBounds, keysOf, permute, sortOrder } from '../src/row-order.js';

/** A deterministic shuffle (the order a server returned). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A number derived from a key, so a row's other fields tell which key they were stored with. */
function tag(key: KeyValue): number {
  const text = String(key);
  let h = 2166136261;
  for (const ch of Buffer.from(text, 'utf8')) h = Math.imul(h ^ ch, 16777619);
  return h >>> 0;
}

const DIM = 4;

function rowsFor(keys: readonly KeyValue[], keyColumn: Column): Map<string, Column> {
  const n = keys.length;
  const tags = keys.map(tag);
  const valid = Uint8Array.from(tags, (t) => t & 1);
  return new Map<string, Column>([
    ['pk', keyColumn],
    [
      'vec',
      {
        type: 'float_vector',
        dim: DIM,
        values: Float32Array.from({ length: n * DIM }, (_, i) => tags[Math.floor(i / DIM)]! + (i % DIM) / 8),
      },
    ],
    [
      'bin',
      { type: 'binary_vector', dim: 16, values: Uint8Array.from({ length: n * 2 }, (_, i) => (tags[i >> 1]! >> (8 * (i & 1))) & 0xff) },
    ],
    ['f16', { type: 'float16_vector', dim: 2, values: Uint16Array.from({ length: n * 2 }, (_, i) => (tags[i >> 1]! + i) & 0xffff) }],
    ['i32', { type: 'int32', values: Int32Array.from(tags, (t) => t | 0) }],
    ['big', { type: 'int64', values: BigInt64Array.from(tags, (t) => BigInt.asIntN(64, BigInt(t) * 4294967296n + 7n)) }],
    ['d', { type: 'double', values: Float64Array.from(tags, (t) => t / 3) }],
    ['flag', { type: 'bool', values: Uint8Array.from(tags, (t) => (t >> 3) & 1) }],
    ['title', { type: 'varchar', values: tags.map((t) => `title ${t}`) }],
    ['meta', { type: 'json', values: tags.map((t) => JSON.stringify({ t })) }],
    ['tags', { type: 'array', values: tags.map((t) => [t, t + 1]) }],
    [
      'sparse',
      { type: 'sparse_float_vector', values: tags.map((t) => ({ indices: Uint32Array.of(t % 1000), values: Float32Array.of(t) })) },
    ],
    ['maybe', { type: 'int16', valid, values: Int16Array.from(tags, (t) => (t & 1 ? t & 0x7fff : 0)) }],
  ]);
}

/** Every field of row r, as the key it was derived from would have made it. */
function checkRow(columns: Map<string, Column>, r: number, key: KeyValue) {
  const t = tag(key);
  const at = (name: string) => columns.get(name)!;
  const v = at('vec').values as Float32Array;
  expect(Array.from(v.subarray(r * DIM, r * DIM + DIM)), `vector of ${String(key)}`).toEqual(
    [0, 1, 2, 3].map((i) => Math.fround(t + i / 8)),
  );
  const b = at('bin').values as Uint8Array;
  expect([b[r * 2], b[r * 2 + 1]], `binary vector of ${String(key)}`).toEqual([t & 0xff, (t >> 8) & 0xff]);
  expect((at('i32').values as Int32Array)[r], `int32 of ${String(key)}`).toBe(t | 0);
  expect((at('big').values as BigInt64Array)[r]).toBe(BigInt.asIntN(64, BigInt(t) * 4294967296n + 7n));
  expect((at('d').values as Float64Array)[r]).toBe(t / 3);
  expect((at('flag').values as Uint8Array)[r]).toBe((t >> 3) & 1);
  expect((at('title').values as string[])[r]).toBe(`title ${t}`);
  expect((at('meta').values as string[])[r]).toBe(JSON.stringify({ t }));
  expect((at('tags').values as number[][])[r]).toEqual([t, t + 1]);
  expect((at('sparse').values as readonly { values: Float32Array }[])[r]!.values[0]).toBe(Math.fround(t));
  expect(at('maybe').valid![r], `validity of ${String(key)}`).toBe(t & 1);
  if (t & 1) expect((at('maybe').values as Int16Array)[r]).toBe(t & 0x7fff);
}

function reorder(columns: Map<string, Column>): Map<string, Column> {
  const order = sortOrder(keysOf(columns.get('pk')!));
  return new Map([...columns].map(([name, c]) => [name, permute(c, order)]));
}

describe('live reader: rows reordered by key keep their fields', () => {
  it('int64 keys, the edges of int64 included', () => {
    const base = [2n ** 63n - 1n, -(2n ** 63n), 0n, -1n, 1n, 2n ** 53n + 1n, 2n ** 53n, -(2n ** 53n) - 1n];
    for (let i = 0; i < 200; i++) base.push(BigInt(i) * 7919n - 500000n);
    const keys = shuffled(base, 7);
    const out = reorder(rowsFor(keys, { type: 'int64', values: BigInt64Array.from(keys as bigint[]) }));
    const sorted = keysOf(out.get('pk')!);
    expect(sorted).toEqual([...keys].sort(compareKeys));
    sorted.forEach((k, r) => checkRow(out, r, k));
  });

  it('VarChar keys in UTF-8 byte order (not JS order), quotes and backslashes included', () => {
    const base = ['\u{1F600}', '\uFF5E', 'a', 'B', '', 'a"b', 'a\\b', 'zz', 'é', 'e\u0301'];
    for (let i = 0; i < 150; i++) base.push(`k${String(i).padStart(4, '0')}`);
    const keys = shuffled(base, 3);
    const out = reorder(rowsFor(keys, { type: 'varchar', values: keys as string[] }));
    const sorted = keysOf(out.get('pk')!);
    expect(sorted).toEqual([...keys].sort(compareKeys));
    expect(sorted.indexOf('\uFF5E')).toBeLessThan(sorted.indexOf('\u{1F600}'));
    sorted.forEach((k, r) => checkRow(out, r, k));
  });

  it('an already ordered batch is unchanged, and one row is one row', () => {
    const keys = [1n, 2n, 3n];
    const cols = rowsFor(keys, { type: 'int64', values: BigInt64Array.from(keys) });
    expect(Array.from(sortOrder(keys))).toEqual([0, 1, 2]);
    const out = reorder(cols);
    keys.forEach((k, r) => checkRow(out, r, k));
    const one = reorder(rowsFor(['x'], { type: 'varchar', values: ['x'] }));
    checkRow(one, 0, 'x');
  });
});

describe('batchBounds: a page cut into batches', () => {
  const cut = (keys: KeyValue[], rows: number) => [...batchBounds(sortOrder(keys), keys, rows)];

  it('cuts whole batches and a short last one, covering every row once', () => {
    const keys = shuffled(
      Array.from({ length: 10 }, (_, i) => BigInt(i * 3)),
      5,
    );
    expect(cut(keys, 4)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    expect(cut(keys, 10)).toEqual([[0, 10]]);
    expect(cut(keys, 1)).toHaveLength(10);
  });

  it('never separates rows that share a key (a resume starts after the cursor key)', () => {
    // Sorted: 1 2 2 2 3 4 4 5 — a cut after 2 rows would fall between two copies of key 2.
    const keys: KeyValue[] = [4n, 2n, 5n, 2n, 1n, 3n, 2n, 4n];
    const order = sortOrder(keys);
    const bounds = [...batchBounds(order, keys, 2)];
    expect(bounds).toEqual([
      [0, 4],
      [4, 7],
      [7, 8],
    ]);
    for (const [start, end] of bounds) {
      if (end < order.length) expect(compareKeys(keys[order[end - 1]!]!, keys[order[end]!]!)).toBeLessThan(0);
      expect(end).toBeGreaterThan(start);
    }
  });

  it('yields nothing for an empty page', () => {
    expect(cut([], 5)).toEqual([]);
  });
});
