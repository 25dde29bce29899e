/**
 * The row hashing behind `milvusdm verify`: values compare as the bits a store holds, int64 never
 * passes through a JS number, JSON compares in canonical form, arrays by element, nulls by tag.
 */
import { describe, expect, it } from 'vitest';
import { RowHasher, canonicalJson, type Column, type ComparePlan } from '../src/index.js';

const plan: ComparePlan = { keyField: 'id', fields: [{ name: 'v' }] };

async function hashOf(key: Column, value: Column, p: ComparePlan = plan): Promise<bigint> {
  const h = await RowHasher.create(p);
  return h.rowHash(key, [value], 0);
}

const id = (v: bigint): Column => ({ type: 'int64', values: BigInt64Array.of(v) });
const floats = (bits: number[]): Column => ({
  type: 'float_vector',
  dim: bits.length,
  values: new Float32Array(Uint32Array.from(bits).buffer),
});

describe('row hashes', () => {
  it('tell -0.0 from 0.0 in vectors and scalars', async () => {
    expect(await hashOf(id(1n), floats([0x00000000]))).not.toBe(await hashOf(id(1n), floats([0x80000000])));
    const d = (x: number): Column => ({ type: 'double', values: Float64Array.of(x) });
    expect(await hashOf(id(1n), d(0))).not.toBe(await hashOf(id(1n), d(-0)));
    expect(await hashOf(id(1n), d(-0))).toBe(await hashOf(id(1n), d(-0)));
  });

  it('compare NaN payloads as bits', async () => {
    const quiet = await hashOf(id(1n), floats([0x7fc00000]));
    expect(await hashOf(id(1n), floats([0x7fc00000]))).toBe(quiet);
    expect(await hashOf(id(1n), floats([0x7fc00001]))).not.toBe(quiet);
    expect(await hashOf(id(1n), floats([0xffc00000]))).not.toBe(quiet);
  });

  it('keep int64 keys and values beyond 2^53 exact', async () => {
    const big = 2n ** 53n;
    const v = floats([1]);
    expect(await hashOf(id(big), v)).not.toBe(await hashOf(id(big + 1n), v));
    const i64 = (x: bigint): Column => ({ type: 'int64', values: BigInt64Array.of(x) });
    expect(await hashOf(id(1n), i64(2n ** 63n - 1n))).not.toBe(await hashOf(id(1n), i64(2n ** 63n - 2n)));
    const h = await RowHasher.create(plan);
    expect(h.keyText(id(-(2n ** 63n)), 0)).toBe('-9223372036854775808');
    expect(h.keyText(id(2n ** 53n + 1n), 0)).toBe('9007199254740993');
  });

  it('treat an integer the same whatever its column width', async () => {
    const i32: Column = { type: 'int32', values: Int32Array.of(-5) };
    const i64: Column = { type: 'int64', values: BigInt64Array.of(-5n) };
    expect(await hashOf(id(1n), i32)).toBe(await hashOf(id(1n), i64));
    const f: Column = { type: 'float', values: Float32Array.of(1.5) };
    const dbl: Column = { type: 'double', values: Float64Array.of(1.5) };
    // A float stored as a double is a different value (the float64-for-float32 bug).
    expect(await hashOf(id(1n), f)).not.toBe(await hashOf(id(1n), dbl));
  });

  it('compare JSON in canonical form', () => {
    expect(canonicalJson('{ "b": 1, "a": [1.0, 2e0, "x"] }')).toBe('{"a":[1,2,"x"],"b":1}');
    expect(canonicalJson('{"a":{"z":null,"y":true}}')).toBe('{"a":{"y":true,"z":null}}');
    // JSON.parse would make these two equal.
    expect(canonicalJson('{"n":9007199254740993}')).not.toBe(canonicalJson('{"n":9007199254740992}'));
    expect(canonicalJson('{"n":9223372036854775807}')).toBe('{"n":9223372036854775807}');
    expect(canonicalJson('0.1')).toBe('0.1');
    expect(canonicalJson('"é\\u00e9"')).toBe(canonicalJson('"éé"'));
    expect(canonicalJson('{"a":')).not.toBe(canonicalJson('{"a":1}'));
  });

  it('hash JSON columns by canonical form', async () => {
    const j = (s: string): Column => ({ type: 'json', values: [s] });
    expect(await hashOf(id(1n), j('{"a":1,"b":2}'))).toBe(await hashOf(id(1n), j('{"b": 2, "a": 1.0}')));
    expect(await hashOf(id(1n), j('{"a":1}'))).not.toBe(await hashOf(id(1n), j('{"a":"1"}')));
  });

  it('compare arrays element by element in order, int64 elements exactly', async () => {
    const p: ComparePlan = { keyField: 'id', fields: [{ name: 'v', elementType: 'int64' }] };
    const arr = (...xs: unknown[]): Column => ({ type: 'array', values: [xs] });
    expect(await hashOf(id(1n), arr(1n, 2n), p)).not.toBe(await hashOf(id(1n), arr(2n, 1n), p));
    expect(await hashOf(id(1n), arr('9223372036854775807'), p)).toBe(await hashOf(id(1n), arr(2n ** 63n - 1n), p));
    expect(await hashOf(id(1n), arr(1n), p)).not.toBe(await hashOf(id(1n), arr(1n, 1n), p));
    const pv: ComparePlan = { keyField: 'id', fields: [{ name: 'v', elementType: 'varchar' }] };
    // Length prefixes: ["ab"] is not ["a","b"].
    expect(await hashOf(id(1n), arr('ab'), pv)).not.toBe(await hashOf(id(1n), arr('a', 'b'), pv));
  });

  it('ignore what a store keeps in a null slot, but tell null from a value', async () => {
    const n = (x: number, valid: number): Column => ({ type: 'int32', values: Int32Array.of(x), valid: Uint8Array.of(valid) });
    expect(await hashOf(id(1n), n(0, 0))).toBe(await hashOf(id(1n), n(77, 0)));
    expect(await hashOf(id(1n), n(0, 0))).not.toBe(await hashOf(id(1n), n(0, 1)));
    const s = (x: string, valid: number): Column => ({ type: 'varchar', values: [x], valid: Uint8Array.of(valid) });
    expect(await hashOf(id(1n), s('', 0))).not.toBe(await hashOf(id(1n), s('', 1)));
  });

  it('separate fields, so a byte cannot move from one field to the next', async () => {
    const p: ComparePlan = { keyField: 'id', fields: [{ name: 'a' }, { name: 'b' }] };
    const h = await RowHasher.create(p);
    const s = (x: string): Column => ({ type: 'varchar', values: [x] });
    expect(h.rowHash(id(1n), [s('ab'), s('')], 0)).not.toBe(h.rowHash(id(1n), [s('a'), s('b')], 0));
  });

  it('hash varchar keys apart from int64 keys with the same text', async () => {
    const h = await RowHasher.create(plan);
    expect(h.keyHash({ type: 'varchar', values: ['1'] }, 0)).not.toBe(h.keyHash(id(1n), 0));
  });
});
