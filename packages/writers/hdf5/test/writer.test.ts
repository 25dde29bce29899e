/**
 * The hdf5 writer driven directly (no CLI, no server), its files read back by h5py: the stored
 * dtypes are the MilvusDM layout's (ids int64, float vectors float32, binary vectors uint8
 * rows), and every byte equals what was written — ids at the edges of int64 included, so an id
 * passed through a JS number, or vectors widened to float64, fail here.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, Column, ColumnBatch, DatasetInfo, DatasetWriter } from '@milvusdm/core';
import { batchesOf, dumpH5, tempDir, testContext } from '@milvusdm/testing';
import plugin, { hdf5WriterOptions } from '../src/index.js';

/** Ids a double cannot hold, and both ends of int64. */
const EDGE_IDS = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 62n + 7n, 0n, -1n, 1234567890123456789n];

function ids(n: number): BigInt64Array {
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = EDGE_IDS[i % EDGE_IDS.length]! + BigInt(Math.floor(i / EDGE_IDS.length)) * (i % 2 ? -1n : 1n) * 3n;
  return out;
}

/** float32 values whose bit patterns a float64 round trip or a rounding would change visibly. */
function floats(n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(Math.sin(i * 12.9898) * 43758.5453) / 7 + (i % 3 === 0 ? 1e-38 : 0);
  out[1] = -0;
  out[2] = 3.4028234663852886e38;
  return out;
}

function slices(columns: Record<string, Column>, rows: number, batchRows: number): ColumnBatch[] {
  const out: ColumnBatch[] = [];
  for (let s = 0; s < rows; s += batchRows) {
    const e = Math.min(rows, s + batchRows);
    const map = new Map<string, Column>();
    for (const [name, c] of Object.entries(columns)) {
      const per = 'dim' in c ? (c.type === 'binary_vector' ? c.dim / 8 : c.dim) : 1;
      map.set(name, { ...c, values: (c.values as Float32Array).subarray(s * per, e * per) } as Column);
    }
    out.push({ numRows: e - s, columns: map, cursor: { row: e } });
  }
  return out;
}

function info(schema: CollectionSchema, rows: number, partition?: string): DatasetInfo {
  return {
    key: `books/${partition ?? '_default'}`,
    collection: 'books',
    ...(partition ? { partition } : {}),
    schema,
    origin: 'test books',
    rows,
  };
}

async function writeOne(dataset: DatasetInfo, batches: ColumnBatch[], options: Record<string, unknown> = {}) {
  const dir = tempDir();
  const sink = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false, ...options }), testContext(dir));
  const committed: number[] = [];
  try {
    const writer = (await sink.begin(dataset)) as DatasetWriter;
    const { rows } = await writer.write(batchesOf(batches), { committed: (b) => committed.push(b.numRows) });
    await sink.finish();
    return { dir, rows, committed, file: join(dir, 'books', `${dataset.partition ?? '_default'}.h5`) };
  } finally {
    await sink.close();
  }
}

const bytesOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

// Each test reads its file back with h5py in a Python process: slow on a loaded machine.
describe('hdf5 writer: the MilvusDM layout, exact', { timeout: 120_000 }, () => {
  it('float vectors as float32 and ids as int64, byte for byte, the edges of int64 included', async () => {
    const n = 1000;
    const dim = 7;
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim, metric: 'IP' },
      ],
    };
    const columns = { id: { type: 'int64', values: ids(n) }, embedding: { type: 'float_vector', dim, values: floats(n, dim) } } as Record<
      string,
      Column
    >;
    const { rows, committed, file } = await writeOne(info(schema, n), slices(columns, n, 97));
    expect(rows).toBe(n);
    expect(committed).toEqual(slices(columns, n, 97).map((b) => b.numRows));
    const d = await dumpH5(file);
    expect(Object.keys(d.datasets).sort()).toEqual(['embeddings', 'ids']);
    expect(d.datasets['ids']).toMatchObject({ dtype: '<i8', shape: [n] });
    expect(d.datasets['embeddings']).toMatchObject({ dtype: '<f4', shape: [n, dim] });
    expect(Buffer.compare(Buffer.from(d.datasets['ids']!.raw), bytesOf(columns['id']!.values as BigInt64Array)), 'ids').toBe(0);
    expect(
      Buffer.compare(Buffer.from(d.datasets['embeddings']!.raw), bytesOf(columns['embedding']!.values as Float32Array)),
      'vectors',
    ).toBe(0);
    expect(d.attrs).toMatchObject({ metric: 'IP', collection: 'books', partition: '_default' });
  });

  it('binary vectors as uint8 rows of dim/8 bytes', async () => {
    const n = 50;
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'binary_vector', dim: 40, metric: 'HAMMING' },
      ],
    };
    const bits = Uint8Array.from({ length: n * 5 }, (_, i) => (i * 37 + 11) & 0xff);
    bits[0] = 0;
    bits[4] = 0;
    const columns = { id: { type: 'int64', values: ids(n) }, embedding: { type: 'binary_vector', dim: 40, values: bits } } as Record<
      string,
      Column
    >;
    const { file } = await writeOne(info(schema, n, 'p1'), slices(columns, n, 8));
    const d = await dumpH5(file);
    expect(d.datasets['embeddings']).toMatchObject({ dtype: '|u1', shape: [n, 5] });
    expect(Buffer.compare(Buffer.from(d.datasets['embeddings']!.raw), Buffer.from(bits))).toBe(0);
    expect(Buffer.compare(Buffer.from(d.datasets['ids']!.raw), bytesOf(columns['id']!.values as BigInt64Array))).toBe(0);
  });

  it('scalar fields keep their own widths', async () => {
    const n = 20;
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 2 },
        { name: 'i32', type: 'int32' },
        { name: 'i16', type: 'int16' },
        { name: 'i8', type: 'int8' },
        { name: 'd', type: 'double' },
        { name: 'f', type: 'float' },
        { name: 'b', type: 'bool' },
        { name: 'big', type: 'int64' },
      ],
    };
    const columns = {
      id: { type: 'int64', values: ids(n) },
      embedding: { type: 'float_vector', dim: 2, values: floats(n, 2) },
      i32: { type: 'int32', values: Int32Array.from({ length: n }, (_, i) => (i % 2 ? -(2 ** 31) : 2 ** 31 - 1 - i)) },
      i16: { type: 'int16', values: Int16Array.from({ length: n }, (_, i) => -32768 + i * 1000) },
      i8: { type: 'int8', values: Int8Array.from({ length: n }, (_, i) => -128 + i * 12) },
      d: { type: 'double', values: Float64Array.from({ length: n }, (_, i) => Math.PI * 10 ** (i - 10)) },
      f: { type: 'float', values: floats(n, 1) },
      b: { type: 'bool', values: Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)) },
      big: { type: 'int64', values: ids(n).reverse() },
    } as Record<string, Column>;
    const { file } = await writeOne(info(schema, n), slices(columns, n, 6));
    const d = await dumpH5(file);
    const want: Record<string, [string, string]> = {
      i32: ['i32', '<i4'],
      i16: ['i16', '<i2'],
      i8: ['i8', '|i1'],
      d: ['d', '<f8'],
      f: ['f', '<f4'],
      b: ['b', '|u1'],
      big: ['big', '<i8'],
    };
    for (const [dataset, [field, dtype]] of Object.entries(want)) {
      expect(d.datasets[dataset]?.dtype, dataset).toBe(dtype);
      expect(Buffer.compare(Buffer.from(d.datasets[dataset]!.raw), bytesOf(columns[field]!.values as ArrayBufferView)), dataset).toBe(0);
    }
  });

  it('a failure mid-dataset leaves no finished file, and its .partial only when rows were committed (for a resumed run)', async () => {
    const n = 30;
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 3 },
      ],
    };
    const columns = { id: { type: 'int64', values: ids(n) }, embedding: { type: 'float_vector', dim: 3, values: floats(n, 3) } } as Record<
      string,
      Column
    >;
    const good = slices(columns, n, 10);
    const dir = tempDir();
    const sink = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    const writer = (await sink.begin(info(schema, n))) as DatasetWriter;
    async function* failing() {
      yield good[0]!;
      yield good[1]!;
      throw new Error('the source broke');
    }
    const committed: number[] = [];
    await expect(writer.write(failing(), { committed: (b) => committed.push(b.numRows) })).rejects.toThrow(/the source broke/);
    await sink.close();
    expect(committed).toEqual([10, 10]);
    const left = existsSync(join(dir, 'books')) ? readdirSync(join(dir, 'books')) : [];
    expect(left.filter((f) => !f.endsWith('.partial'))).toEqual([]);
    expect(left.length).toBe(1);
  });
});
