/**
 * idColumn against a reference that reads every id as a BigInt through a DataView (the way it
 * was done before the fast paths): every width and sign HDF5 ids come in, negative and extreme
 * values, unaligned input, and the refusal of unsigned ids above 2^63 − 1.
 */
import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../src/h5.js';
import { idColumn } from '../src/layout.js';

type Width = 1 | 2 | 4 | 8;

function layout(size: Width, signed: boolean) {
  const dataset: DatasetInfo = { name: 'ids', shape: [0], typeClass: 0, size, signed, vlen: false, attrs: {} };
  return { dataset, rows: 0 };
}

/** Little-endian bytes of `values` at `size` bytes each, starting `pad` bytes into the buffer. */
function encode(values: readonly bigint[], size: Width, pad = 0): Uint8Array {
  const out = new Uint8Array(pad + values.length * size);
  const view = new DataView(out.buffer, pad);
  values.forEach((v, i) => {
    const u = BigInt.asUintN(size * 8, v);
    for (let b = 0; b < size; b++) view.setUint8(i * size + b, Number((u >> BigInt(8 * b)) & 0xffn));
  });
  return out.subarray(pad);
}

function reference(bytes: Uint8Array, size: Width, signed: boolean, rows: number): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: rows }, (_, i) => {
    const u = Array.from({ length: size }, (_, b) => BigInt(view.getUint8(i * size + b)) << BigInt(8 * b)).reduce((a, c) => a | c, 0n);
    return signed ? BigInt.asIntN(size * 8, u) : u;
  });
}

/** Extremes of each width, zero, ±1 and some seeded values in between. */
function samples(size: Width, signed: boolean): bigint[] {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : size === 8 ? (1n << 63n) - 1n : (1n << bits) - 1n;
  const out = [min, max, 0n, 1n, min + 1n, max - 1n];
  if (signed) out.push(-1n);
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < 50; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    const span = max - min + 1n;
    out.push(min + (x % span));
  }
  return out;
}

describe('hdf5 ids: idColumn widens every width exactly', () => {
  for (const size of [1, 2, 4, 8] as const) {
    for (const signed of [true, false]) {
      for (const pad of [0, 3]) {
        it(`${signed ? 'int' : 'uint'}${size * 8}${pad ? ', unaligned' : ''}`, () => {
          const values = samples(size, signed);
          const bytes = encode(values, size, pad);
          const column = idColumn(layout(size, signed), bytes, values.length, 'f.h5', 0);
          expect(column.type).toBe('int64');
          expect([...(column.values as BigInt64Array)]).toEqual(reference(bytes, size, signed, values.length));
          expect([...(column.values as BigInt64Array)]).toEqual(values);
        });
      }
    }
  }

  it('refuses an unsigned 64-bit id above 2^63 − 1, naming the file and its row', () => {
    const values = [5n, (1n << 63n) - 1n, 1n << 63n, 7n];
    const bytes = encode(values, 8);
    expect(() => idColumn(layout(8, false), bytes, values.length, 'data/f.h5', 100)).toThrow(
      `data/f.h5: id at row 102 (${1n << 63n}) does not fit a Milvus int64 key`,
    );
  });

  it('reads only the rows asked for, not the bytes beyond them', () => {
    const bytes = encode([1n, 2n, -3n, 1n << 62n], 8);
    expect([...(idColumn(layout(8, true), bytes, 3, 'f.h5', 0).values as BigInt64Array)]).toEqual([1n, 2n, -3n]);
  });
});
