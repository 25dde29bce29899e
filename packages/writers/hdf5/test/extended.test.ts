/**
 * The extended layout, end to end without a server: every field type Milvus stores is written by
 * the hdf5 writer and read back by the hdf5 reader (different batch sizes on each side), and
 * every value comes back bit for bit — float16/bfloat16 NaN payloads, -0, int64 extremes,
 * strings outside the BMP, empty arrays and sparse rows, nulls — with the schema restored whole
 * from the file attribute. h5py checks the dtypes and attributes h5py users see. Also: an empty
 * dataset, a resumed partial file with arrays and sparse rows, and malformed files.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaToJson, type CollectionSchema, type Column, type ColumnBatch, type DatasetInfo, type DatasetWriter } from '@milvusdm/core';
import { batchesOf, drain, runPython, tempDir, testContext } from '@milvusdm/testing';
import plugin, { hdf5WriterOptions } from '../src/index.js';
// The reader is a sibling package, not a dependency: its source is imported as it is.
import reader, { hdf5ReaderOptions } from '../../../readers/hdf5/src/index.js';

const SCHEMA: CollectionSchema = {
  description: 'every field type',
  enableDynamicField: true,
  fields: [
    { name: 'pk', type: 'varchar', isPrimaryKey: true, maxLength: 64, description: 'the key' },
    { name: 'vec', type: 'float_vector', dim: 4, metric: 'COSINE' },
    { name: 'bin', type: 'binary_vector', dim: 16, metric: 'HAMMING' },
    { name: 'f16', type: 'float16_vector', dim: 3, metric: 'L2' },
    { name: 'bf16', type: 'bfloat16_vector', dim: 3, metric: 'IP' },
    { name: 'i8v', type: 'int8_vector', dim: 5, metric: 'L2' },
    { name: 'sparse', type: 'sparse_float_vector', metric: 'IP' },
    { name: 'b', type: 'bool' },
    { name: 'i8', type: 'int8' },
    { name: 'i16', type: 'int16', nullable: true, defaultValue: 7 },
    { name: 'i32', type: 'int32', isPartitionKey: true },
    { name: 'i64', type: 'int64', nullable: true, defaultValue: String(2n ** 60n + 1n) },
    { name: 'f', type: 'float' },
    { name: 'd', type: 'double', nullable: true },
    { name: 'title', type: 'varchar', maxLength: 200, nullable: true, defaultValue: 'none' },
    { name: 'meta', type: 'json', nullable: true },
    { name: 'ab', type: 'array', elementType: 'bool', maxCapacity: 4 },
    { name: 'a8', type: 'array', elementType: 'int8', maxCapacity: 4 },
    { name: 'a16', type: 'array', elementType: 'int16', maxCapacity: 4 },
    { name: 'a32', type: 'array', elementType: 'int32', maxCapacity: 4 },
    { name: 'a64', type: 'array', elementType: 'int64', maxCapacity: 4, nullable: true },
    { name: 'af', type: 'array', elementType: 'float', maxCapacity: 4 },
    { name: 'ad', type: 'array', elementType: 'double', maxCapacity: 4 },
    { name: 'as', type: 'array', elementType: 'varchar', maxCapacity: 4, maxLength: 20 },
    // A scalar called like the seed's datasets steps aside.
    { name: 'ids', type: 'int32' },
  ],
  numShards: 1,
  consistencyLevel: 'Strong',
  properties: { 'collection.ttl.seconds': '86400' },
  indexes: [{ field: 'vec', name: 'vec', type: 'HNSW', metric: 'COSINE', params: { M: '16' } }],
};

const f32 = (x: number) => Math.fround(x);

/** Deterministic rows with the edge values each type has. */
function columns(n: number): Map<string, Column> {
  const seq = <T>(f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
  const valid = (k: number) => Uint8Array.from(seq((i) => (i % k === 0 ? 0 : 1)));
  const bits16 = new Uint16Array(n * 3);
  for (let i = 0; i < bits16.length; i++) bits16[i] = (i * 40503 + 0x7c01) & 0xffff; // NaN payloads, subnormals, -0…
  const vec = new Float32Array(n * 4).map((_, i) => f32(Math.sin(i) * 1e30));
  vec[1] = -0;
  const i64 = BigInt64Array.from(seq((i) => (i % 3 === 1 ? 2n ** 63n - 1n - BigInt(i) : -(2n ** 63n) + BigInt(i))));
  const i64valid = valid(4);
  const strings = seq((i) => (i % 5 === 0 ? '' : `t «${i}» 😀 \u00e9\u0301 "q" \\`));
  const titleValid = valid(3);
  return new Map<string, Column>([
    ['pk', { type: 'varchar', values: seq((i) => `k${i}${i % 7 === 0 ? '\uFF5E😀' : ''}`) }],
    ['vec', { type: 'float_vector', dim: 4, values: vec }],
    ['bin', { type: 'binary_vector', dim: 16, values: Uint8Array.from(seq((i) => i * 37).flatMap((x) => [x & 0xff, (x >> 8) & 0xff])) }],
    ['f16', { type: 'float16_vector', dim: 3, values: bits16 }],
    ['bf16', { type: 'bfloat16_vector', dim: 3, values: bits16.map((x) => x ^ 0x8000) }],
    ['i8v', { type: 'int8_vector', dim: 5, values: Int8Array.from({ length: n * 5 }, (_, i) => ((i * 29) % 256) - 128) }],
    [
      'sparse',
      {
        type: 'sparse_float_vector',
        values: seq((i) => ({
          indices: Uint32Array.from({ length: i % 4 }, (_, j) => (j === 2 ? 2 ** 32 - 2 : j * 1000 + i)),
          values: Float32Array.from({ length: i % 4 }, (_, j) => f32(0.1 * (i + 1) * (j + 1))),
        })),
      },
    ],
    ['b', { type: 'bool', values: Uint8Array.from(seq((i) => i % 2)) }],
    ['i8', { type: 'int8', values: Int8Array.from(seq((i) => (i % 2 ? -128 : 127 - i))) }],
    ['i16', { type: 'int16', values: Int16Array.from(seq((i) => (i % 6 === 0 ? 0 : -32768 + i))), valid: valid(6) }],
    ['i32', { type: 'int32', values: Int32Array.from(seq((i) => (i % 2 ? -(2 ** 31) : 2 ** 31 - 1 - i))) }],
    ['i64', { type: 'int64', values: i64.map((v, i) => (i64valid[i] ? v : 0n)), valid: i64valid }],
    ['f', { type: 'float', values: Float32Array.from(seq((i) => f32(i / 3))) }],
    ['d', { type: 'double', values: Float64Array.from(seq((i) => (i % 2 ? 0 : Math.PI * 10 ** (i % 300)))), valid: valid(2) }],
    ['title', { type: 'varchar', values: strings.map((s, i) => (titleValid[i] ? s : '')), valid: titleValid }],
    [
      'meta',
      {
        type: 'json',
        values: seq((i) => (i % 4 === 0 ? '' : JSON.stringify({ i, nested: { list: [1, 2.5, i], s: 'x'.repeat(i % 5) }, nul: null }))),
        valid: valid(4),
      },
    ],
    ['ab', { type: 'array', values: seq((i) => seq((j) => (i + j) % 2).slice(0, i % 5)) }],
    ['a8', { type: 'array', values: seq((i) => [-128, 127, i % 100].slice(0, i % 4)) }],
    ['a16', { type: 'array', values: seq((i) => [-32768, 32767, i].slice(0, i % 4)) }],
    ['a32', { type: 'array', values: seq((i) => [-(2 ** 31), 2 ** 31 - 1, i].slice(0, i % 4)) }],
    [
      'a64',
      {
        type: 'array',
        values: seq((i) => (i % 5 === 0 ? [] : [2n ** 63n - 1n, -(2n ** 63n), BigInt(i)].slice(0, i % 4))),
        valid: valid(5),
      },
    ],
    ['af', { type: 'array', values: seq((i) => [f32(1 / 3), -0, f32(i * 1.1)].slice(0, i % 4)) }],
    ['ad', { type: 'array', values: seq((i) => [1 / 3, Number.MIN_VALUE, i * 1.1].slice(0, i % 4)) }],
    ['as', { type: 'array', values: seq((i) => ['', 'ü😀', `s${i}`].slice(0, i % 4)) }],
    ['ids', { type: 'int32', values: Int32Array.from(seq((i) => i * 3)) }],
    ['$meta', { type: 'json', values: seq((i) => (i % 3 ? JSON.stringify({ extra: `dyn-${i}` }) : '{}')) }],
  ]);
}

function slice(all: Map<string, Column>, start: number, end: number): Map<string, Column> {
  const out = new Map<string, Column>();
  for (const [name, c] of all) {
    const per = 'dim' in c ? (c.type === 'binary_vector' ? c.dim / 8 : c.dim) : 1;
    const values = Array.isArray(c.values) ? c.values.slice(start, end) : (c.values as Uint8Array).subarray(start * per, end * per);
    out.set(name, { ...c, values, ...(c.valid ? { valid: c.valid.subarray(start, end) } : {}) } as Column);
  }
  return out;
}

function batches(all: Map<string, Column>, rows: number, size: number): ColumnBatch[] {
  const out: ColumnBatch[] = [];
  for (let s = 0; s < rows; s += size)
    out.push({ numRows: Math.min(size, rows - s), columns: slice(all, s, Math.min(rows, s + size)), cursor: s });
  return out;
}

function info(schema: CollectionSchema, rows: number, partition = 'p1'): DatasetInfo {
  return { key: `rich/${partition}`, collection: 'rich', partition, schema, origin: 'test rich', rows };
}

async function write(schema: CollectionSchema, all: Map<string, Column>, rows: number, dir = tempDir(), partition = 'p1') {
  const sink = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
  try {
    const writer = (await sink.begin(info(schema, rows, partition))) as DatasetWriter;
    await writer.write(batchesOf(batches(all, rows, 7)), { committed: () => {} });
    await sink.finish();
  } finally {
    await sink.close();
  }
  return join(dir, 'rich', `${partition}.h5`);
}

async function read(path: string, batchRows: number, extra: Record<string, unknown> = {}) {
  const source = await reader.open(hdf5ReaderOptions.parse({ path, ...extra }), testContext(tempDir()));
  try {
    const dataset = source.datasets[0]!;
    return { dataset, batches: await drain(dataset.batches({ batchRows })) };
  } finally {
    await source.close();
  }
}

/** One column's rows as comparable values: bytes in hex for typed arrays, bigint as text. */
function comparable(c: Column, rows: number): unknown[] {
  const per = 'dim' in c ? (c.type === 'binary_vector' ? c.dim / 8 : c.dim) : 1;
  const out: unknown[] = [];
  for (let i = 0; i < rows; i++) {
    let v: unknown;
    if (c.type === 'sparse_float_vector') {
      const r = c.values[i]!;
      v = [
        Buffer.from(r.indices.buffer, r.indices.byteOffset, r.indices.byteLength).toString('hex'),
        Buffer.from(r.values.buffer, r.values.byteOffset, r.values.byteLength).toString('hex'),
      ];
    } else if (c.type === 'array') {
      v = c.values[i]!.map((x) =>
        typeof x === 'bigint' ? `${x}n` : typeof x === 'number' ? Buffer.from(new Float64Array([x]).buffer).toString('hex') : x,
      );
    } else if (Array.isArray(c.values)) v = c.values[i];
    else {
      const t = (c.values as Uint8Array).subarray(i * per, (i + 1) * per) as unknown as ArrayBufferView;
      v = Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('hex');
    }
    out.push(c.valid ? [c.valid[i], c.valid[i] ? v : null] : v);
  }
  return out;
}

function joined(list: readonly ColumnBatch[], name: string): unknown[] {
  return list.flatMap((b) => comparable(b.columns.get(name)!, b.numRows));
}

describe('hdf5 extended layout: every field type, bit for bit', { timeout: 120_000 }, () => {
  const rows = 61;
  const all = columns(rows);

  it('writes every field and reads it back exactly, with the whole schema', async () => {
    const path = await write(SCHEMA, all, rows);
    const { dataset, batches: got } = await read(path, 5);
    expect(dataset.schema).toEqual(JSON.parse(JSON.stringify(SCHEMA)));
    expect(dataset).toMatchObject({ collection: 'rich', partition: 'p1', rows });
    expect(got.map((b) => b.numRows).reduce((a, b) => a + b, 0)).toBe(rows);
    for (const name of all.keys()) expect(joined(got, name), name).toEqual(comparable(all.get(name)!, rows));
    expect([...got[0]!.columns.keys()].sort()).toEqual([...all.keys()].sort());

    // What h5py users see.
    const seen = await runPython<Record<string, { dtype: string; shape: number[]; attrs: Record<string, string> }>>('h5_describe.py', [
      path,
    ]);
    const dtypes = Object.fromEntries(
      Object.entries(seen)
        .filter(([k]) => !k.startsWith('@'))
        .map(([k, v]) => [k, [v.dtype, v.shape]]),
    );
    expect(dtypes).toEqual({
      ids: ['str', [rows]],
      embeddings: ['<f4', [rows, 4]],
      bin: ['|u1', [rows, 2]],
      f16: ['<u2', [rows, 3]],
      bf16: ['<u2', [rows, 3]],
      i8v: ['|i1', [rows, 5]],
      'sparse.end': ['<i8', [rows]],
      'sparse.indices': ['<u4', [expect.any(Number)]],
      'sparse.values': ['<f4', [expect.any(Number)]],
      b: ['|u1', [rows]],
      i8: ['|i1', [rows]],
      i16: ['<i2', [rows]],
      'i16.valid': ['|u1', [rows]],
      i32: ['<i4', [rows]],
      i64: ['<i8', [rows]],
      'i64.valid': ['|u1', [rows]],
      f: ['<f4', [rows]],
      d: ['<f8', [rows]],
      'd.valid': ['|u1', [rows]],
      title: ['str', [rows]],
      'title.valid': ['|u1', [rows]],
      meta: ['str', [rows]],
      'meta.valid': ['|u1', [rows]],
      ...Object.fromEntries(
        [
          ['ab', '|u1'],
          ['a8', '|i1'],
          ['a16', '<i2'],
          ['a32', '<i4'],
          ['a64', '<i8'],
          ['af', '<f4'],
          ['ad', '<f8'],
          ['as', 'str'],
        ].flatMap(([n, t]) => [
          [`${n}.end`, ['<i8', [rows]]],
          [`${n}.values`, [t, [expect.any(Number)]]],
        ]),
      ),
      'a64.valid': ['|u1', [rows]],
      'ids.field': ['<i4', [rows]],
      $meta: ['str', [rows]],
    });
    expect(seen['f16']!.attrs).toMatchObject({ milvus_field: 'f16', milvus_type: 'float16_vector', milvus_part: 'values' });
    expect(seen['as.values']!.attrs).toMatchObject({ milvus_field: 'as', milvus_type: 'array', milvus_element_type: 'varchar' });
    expect(seen['@file']!.attrs).toMatchObject({ milvusdm_layout: '1', collection: 'rich', partition: 'p1', metric: 'COSINE' });
    expect(JSON.parse(seen['@file']!.attrs['milvusdm_schema']!)).toEqual(JSON.parse(schemaToJson(SCHEMA)));
  });

  it('an empty dataset is a file with empty datasets, read back as no rows and the same schema', async () => {
    const path = await write(SCHEMA, slice(all, 0, 0), 0);
    const { dataset, batches: got } = await read(path, 10);
    expect(got).toEqual([]);
    expect(dataset.rows).toBe(0);
    expect(dataset.schema).toEqual(JSON.parse(JSON.stringify(SCHEMA)));
  });

  it('ids: false reads an int64 key as one the target assigns; reader options of the plain layout are refused', async () => {
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 4 },
        { name: 'tags', type: 'array', elementType: 'int64', maxCapacity: 4 },
      ],
    };
    const small = new Map([...slice(all, 0, 9)].filter(([k]) => ['vec', 'a64'].includes(k)));
    const cols = new Map<string, Column>([
      ['id', { type: 'int64', values: BigInt64Array.from({ length: 9 }, (_, i) => BigInt(i)) }],
      ['embedding', small.get('vec')!],
      // Not nullable here: the same rows without their validity mask.
      ['tags', { type: 'array', values: (small.get('a64')!.values as unknown[][]).map((r) => r) }],
    ]);
    const path = await write(schema, cols, 9);
    const { dataset, batches: got } = await read(path, 4, { ids: false });
    expect(dataset.schema.fields[0]).toEqual({ name: 'id', type: 'int64', isPrimaryKey: true, autoId: true });
    expect(got[0]!.columns.has('id')).toBe(false);
    expect(joined(got, 'tags')).toEqual(comparable(cols.get('tags')!, 9));
    // The seed's H2M jobs pass vector_type from their metric: fine when the file agrees.
    expect((await read(path, 4, { vector_type: 'float' })).dataset.rows).toBe(9);
    await expect(read(path, 4, { vector_type: 'binary' })).rejects.toThrow(
      /source\.vector_type: binary vectors were asked for, but .*p1\.h5 states its schema/,
    );
    await expect(read(path, 4, { vectors: 'embeddings' })).rejects.toThrow(
      /source\.vectors: .*p1\.h5 states its schema .*applies to files without one/,
    );
    // file_schema: false reads it as MilvusDM did: ids and one vector dataset.
    const plain = await read(path, 4, { file_schema: false });
    expect(plain.dataset.schema.fields.map((f) => `${f.name} ${f.type}`)).toEqual(['id int64', 'embedding float_vector']);
  });

  it('a folder of the partitions of one collection makes one dataset per partition; files that disagree on the schema are refused', async () => {
    const dir = tempDir();
    await write(SCHEMA, slice(all, 0, 20), 20, dir, 'p1');
    await write(SCHEMA, slice(all, 20, rows), rows - 20, dir, 'p2');
    const source = await reader.open(hdf5ReaderOptions.parse({ path: join(dir, 'rich') }), testContext(dir));
    try {
      expect(source.datasets.map((d) => [d.key, d.rows])).toEqual([
        ['rich/p1', 20],
        ['rich/p2', rows - 20],
      ]);
      const second = await drain(source.datasets[1]!.batches({ batchRows: 16 }));
      expect(joined(second, 'sparse')).toEqual(comparable(slice(all, 20, rows).get('sparse')!, rows - 20));
    } finally {
      await source.close();
    }
    // The job's partition puts both files into one dataset: their schemas must then agree.
    const other = { ...SCHEMA, description: 'another collection' };
    await write(other, slice(all, 0, 5), 5, dir, 'p3');
    await expect(reader.open(hdf5ReaderOptions.parse({ path: join(dir, 'rich'), partition: 'x' }), testContext(dir))).rejects.toThrow(
      /p3\.h5: its schema \(attribute "milvusdm_schema"\) differs from that of .*p1\.h5, whose rows go to the same collection and partition/,
    );
  });

  it('refuses a value HDF5 strings cannot hold (a NUL), naming the file, row and field', async () => {
    const schema: CollectionSchema = { fields: [{ name: 'pk', type: 'varchar', isPrimaryKey: true, maxLength: 8 }, SCHEMA.fields[1]!] };
    const cols = new Map<string, Column>([
      ['pk', { type: 'varchar', values: ['a', 'b\0c'] }],
      ['vec', slice(all, 0, 2).get('vec')!],
    ]);
    await expect(write(schema, cols, 2)).rejects.toThrow(/p1\.h5(\.partial)?: row 1: field "pk" holds a NUL character/);
  });

  it('resumes a partial file: element datasets are cut where the last committed row ends, and the result equals an uninterrupted write', async () => {
    const dir = tempDir();
    const sink = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    const writer = (await sink.begin(info(SCHEMA, rows))) as DatasetWriter;
    const first = batches(all, rows, 7);
    const token = writer.resumeToken;
    async function* failing() {
      yield* first.slice(0, 4);
      throw new Error('killed');
    }
    const committed: number[] = [];
    await expect(writer.write(failing(), { committed: (b) => committed.push(b.numRows) })).rejects.toThrow(/killed/);
    await sink.close();
    // All four batches were flushed when the failure came; the run's state recorded only three.
    expect(committed).toEqual([7, 7, 7, 7]);
    const again = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    try {
      const resumed = (await again.begin(info(SCHEMA, rows), {
        resume: { rows: 21, unrecordedRows: 7, token, complete: false },
      })) as DatasetWriter;
      await resumed.write(batchesOf(batches(slice(all, 21, rows), rows - 21, 9)), { committed: () => {} });
      await again.finish();
    } finally {
      await again.close();
    }
    const { batches: got } = await read(join(dir, 'rich', 'p1.h5'), 13);
    for (const name of all.keys()) expect(joined(got, name), name).toEqual(comparable(all.get(name)!, rows));
  });

  it('a resumed run whose state recorded no row of the file (stopped before its first commit) writes it from the start, and can be resumed again', async () => {
    // Ctrl-C between begin and the first commit: the state holds this file's token with 0 rows,
    // and the partial file was discarded. Seen in the M2H Ctrl-C kill test.
    const dir = tempDir();
    const sink = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    const writer = (await sink.begin(info(SCHEMA, rows))) as DatasetWriter;
    const token = writer.resumeToken;
    async function* stopped(): AsyncGenerator<ColumnBatch> {
      yield* [];
      throw new Error('interrupted by SIGINT');
    }
    await expect(writer.write(stopped(), { committed: () => {} })).rejects.toThrow(/SIGINT/);
    await sink.close();
    // Started over, and interrupted again once two batches are committed. The state keeps the
    // token the dataset was first begun with: the file must go on carrying what it names.
    const again = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    const committed: number[] = [];
    try {
      const restarted = (await again.begin(info(SCHEMA, rows), {
        resume: { rows: 0, unrecordedRows: 0, token, complete: false },
      })) as DatasetWriter;
      expect(restarted.resumeToken).toEqual(token);
      async function* interrupted(): AsyncGenerator<ColumnBatch> {
        yield* batches(all, rows, 9).slice(0, 2);
        throw new Error('interrupted by SIGINT again');
      }
      await expect(restarted.write(interrupted(), { committed: (b) => committed.push(b.numRows) })).rejects.toThrow(/again/);
    } finally {
      await again.close();
    }
    expect(committed).toEqual([9, 9]);
    const third = await plugin.open(hdf5WriterOptions.parse({ dir, h2m_yaml: false }), testContext(dir));
    try {
      const resumed = (await third.begin(info(SCHEMA, rows), {
        resume: { rows: 18, unrecordedRows: 0, token, complete: false },
      })) as DatasetWriter;
      await resumed.write(batchesOf(batches(slice(all, 18, rows), rows - 18, 9)), { committed: () => {} });
      await third.finish();
    } finally {
      await third.close();
    }
    const { batches: got } = await read(join(dir, 'rich', 'p1.h5'), 13);
    for (const name of all.keys()) expect(joined(got, name), name).toEqual(comparable(all.get(name)!, rows));
  });
});

describe('hdf5 extended layout: malformed files stop the reader with one line naming the file and dataset', { timeout: 120_000 }, () => {
  const rows = 12;
  const all = columns(rows);
  const cases: [string, string[], RegExp][] = [
    [
      'a dataset the schema lists is missing',
      ['delete', 'title'],
      /: dataset "title" \(field "title", varchar\) is missing; the file's schema attribute lists the field$/,
    ],
    [
      'a dataset of the wrong type',
      ['retype', 'i32', 'float64'],
      /: dataset "i32" \(field "i32", int32\) holds float64; the layout stores this field as int32$/,
    ],
    [
      'strings stored as fixed-length bytes',
      ['retype', 'meta', 'S8'],
      /: dataset "meta" \(field "meta", json\) holds fixed-length strings of 8 bytes; the layout stores this field as variable-length UTF-8 strings$/,
    ],
    ['a dataset of the wrong length', ['truncate', 'f', '11'], /: dataset "f" \(field "f", float\) has 11 rows but dataset "ids" has 12$/],
    [
      'a vector of the wrong dimension',
      ['retype', 'embeddings', 'float32', '3'],
      /: dataset "embeddings" \(field "vec", float_vector\) has shape \[12, 3\]; the schema says \[rows, 4\]$/,
    ],
    [
      'element offsets that overrun their values',
      ['truncate', 'a32.values', '2'],
      /: dataset "a32\.values" holds 2 elements but "a32\.end" says the rows end at \d+$/,
    ],
    [
      'a schema attribute that is not a schema',
      ['attr', 'milvusdm_schema', '{"format":"milvusdm-schema","version":1,"fields":[{"name":"x","type":"vector"}]}'],
      /: attribute "milvusdm_schema": schema document: fields\.0\.type: /,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const good = await write(SCHEMA, all, rows);
      const bad = join(tempDir(), 'bad.h5');
      copyFileSync(good, bad);
      await runPython('h5_tamper.py', [bad, ...args]);
      const error = await read(bad, 5).then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
      expect(error, 'the reader accepted a malformed file').toBeDefined();
      expect(error!.message.split('\n')).toHaveLength(1);
      expect(error!.message.startsWith(bad)).toBe(true);
      expect(error!.message).toMatch(message);
      expect(error!.code).toBe('MDM_SOURCE');
    });
  }
});
