/**
 * The parquet writer driven directly (no CLI, no server), its files read back by pyarrow
 * (test/python/dump_parquet.py): the stored Arrow types are the layout Milvus bulk import reads,
 * and every byte equals what was written. Also its part files, `.partial` handling, `existing`,
 * and resuming part by part.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFromJson, type CollectionSchema, type Column, type ColumnBatch, type DatasetInfo, type DatasetWriter } from '@milvusdm/core';
import { ALL_FIELD_TYPES, generateBatch, schemaFor } from '@milvusdm/plugin-kit';
import { batchesOf, runPython, tempDir, testContext } from '@milvusdm/testing';
import { sliceBatch } from '@milvusdm/core';
import plugin, { parquetWriterOptions } from '../src/index.js';

const DUMP = join(import.meta.dirname, 'python', 'dump_parquet.py');

interface Dumped {
  path: string;
  rows: number;
  row_groups: number[];
  metadata: Record<string, string>;
  nullable: Record<string, boolean>;
  columns: Record<string, { type: string; nulls: number[] | null; hex?: string; rows?: (string | string[] | null)[] }>;
}

const dump = (paths: string[]) => runPython<Dumped[]>(DUMP, paths);

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

function split(batch: ColumnBatch, size: number): ColumnBatch[] {
  const out: ColumnBatch[] = [];
  for (let s = 0; s < batch.numRows; s += size) {
    const e = Math.min(batch.numRows, s + size);
    out.push({ ...sliceBatch(batch, s, e), cursor: e });
  }
  return out;
}

async function writeAll(dir: string, dataset: DatasetInfo, batches: ColumnBatch[], options: Record<string, unknown> = {}) {
  const sink = await plugin.open(parquetWriterOptions.parse({ dir, ...options }), testContext(dir));
  const committed: number[] = [];
  try {
    const writer = await sink.begin(dataset);
    if ('skipped' in writer) return { skipped: writer.skipped, rows: 0, committed };
    const { rows } = await writer.write(batchesOf(batches), { committed: (b) => committed.push(b.numRows) });
    await sink.finish();
    return { rows, committed, token: writer.resumeToken };
  } finally {
    await sink.close();
  }
}

const hexOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
const partsOf = (folder: string) => readdirSync(folder).sort();

describe('parquet writer: the bulk-import layout, exact', { timeout: 120_000 }, () => {
  it('stores every field type as Milvus bulk import reads it, bit for bit, with the schema in the metadata', async () => {
    const dir = tempDir();
    const base = schemaFor(ALL_FIELD_TYPES);
    const schema: CollectionSchema = { ...base, enableDynamicField: true };
    const n = 60;
    const batch = generateBatch(base, n);
    const columns = new Map(batch.columns);
    columns.set('$meta', { type: 'json', values: Array.from({ length: n }, (_, i) => JSON.stringify({ extra: i, ü: [i] })) });
    const { rows, committed } = await writeAll(dir, info(schema, n), split({ numRows: n, columns }, 16));
    expect(rows).toBe(n);
    expect(committed).toEqual([16, 16, 16, 12]);
    const folder = join(dir, 'books', '_default');
    expect(partsOf(folder)).toEqual(['part-00000.parquet']);
    const [d] = await dump([join(folder, 'part-00000.parquet')]);
    expect(d!.rows).toBe(n);
    expect(schemaFromJson(d!.metadata['milvusdm.schema']!, 'test')).toEqual(schema);
    expect(d!.metadata).toMatchObject({ 'milvusdm.collection': 'books', 'milvusdm.partition': '_default', 'milvusdm.first_row': '0' });
    const types = Object.fromEntries(Object.entries(d!.columns).map(([k, c]) => [k, c.type]));
    expect(types).toEqual({
      id: 'int64',
      f_bool: 'bool',
      f_int8: 'int8',
      f_int16: 'int16',
      f_int32: 'int32',
      f_int64: 'int64',
      f_float: 'float',
      f_double: 'double',
      f_varchar: 'string',
      f_json: 'string',
      f_array: 'list<element: int32>',
      f_float_vector: 'list<element: float not null>',
      f_binary_vector: 'list<element: uint8 not null>',
      f_float16_vector: 'list<element: uint8 not null>',
      f_bfloat16_vector: 'list<element: uint8 not null>',
      f_int8_vector: 'list<element: int8 not null>',
      f_sparse_float_vector: 'string',
      $meta: 'string',
    });
    const col = (name: string) => columns.get(name)!;
    for (const name of ['id', 'f_int8', 'f_int16', 'f_int32', 'f_int64', 'f_float', 'f_double', 'f_bool']) {
      expect(d!.columns[name]!.hex, name).toBe(hexOf(col(name).values as ArrayBufferView));
    }
    for (const name of ['f_float_vector', 'f_binary_vector', 'f_float16_vector', 'f_bfloat16_vector', 'f_int8_vector']) {
      expect((d!.columns[name]!.rows as string[]).join(''), name).toBe(hexOf(col(name).values as ArrayBufferView));
    }
    for (const name of ['f_varchar', 'f_json', '$meta']) expect(d!.columns[name]!.rows, name).toEqual(col(name).values);
    const arrays = col('f_array').values as number[][];
    expect(d!.columns['f_array']!.rows).toEqual(arrays.map((r) => hexOf(Int32Array.from(r))));
    const sparse = col('f_sparse_float_vector');
    if (sparse.type !== 'sparse_float_vector') throw new Error('sparse');
    d!.columns['f_sparse_float_vector']!.rows!.forEach((text, i) => {
      const doc = JSON.parse(text as string) as { indices: number[]; values: number[] };
      expect(doc.indices).toEqual([...sparse.values[i]!.indices]);
      expect(hexOf(Float32Array.from(doc.values))).toBe(hexOf(sparse.values[i]!.values));
    });
  });

  it('stores nulls as Parquet nulls, in scalars, text, arrays and vectors', async () => {
    const dir = tempDir();
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'n', type: 'int32', nullable: true },
        { name: 't', type: 'varchar', maxLength: 16, nullable: true },
        { name: 'a', type: 'array', elementType: 'varchar', maxCapacity: 4, nullable: true },
        { name: 'v', type: 'float_vector', dim: 2, nullable: true },
      ],
    };
    const n = 12;
    const valid = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 0 : 1));
    const columns = new Map<string, Column>([
      ['id', { type: 'int64', values: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)) }],
      ['n', { type: 'int32', values: Int32Array.from({ length: n }, (_, i) => i * 7), valid }],
      ['t', { type: 'varchar', values: Array.from({ length: n }, (_, i) => `t${i}`), valid }],
      ['a', { type: 'array', values: Array.from({ length: n }, (_, i) => [`x${i}`]), valid }],
      ['v', { type: 'float_vector', dim: 2, values: Float32Array.from({ length: n * 2 }, (_, i) => i / 3), valid }],
    ]);
    await writeAll(dir, info(schema, n), [{ numRows: n, columns, cursor: n }]);
    const [d] = await dump([join(dir, 'books', '_default', 'part-00000.parquet')]);
    const flags = [...valid].map((v) => 1 - v);
    for (const name of ['n', 't', 'a', 'v']) {
      expect(d!.columns[name]!.nulls, name).toEqual(flags);
      expect(d!.nullable[name], name).toBe(true);
    }
    expect(d!.nullable['id']).toBe(false);
    expect(d!.columns['t']!.rows).toEqual(Array.from({ length: n }, (_, i) => (valid[i] ? `t${i}` : null)));
    expect(d!.columns['n']!.hex).toBe(hexOf(Int32Array.from({ length: n }, (_, i) => i * 7).filter((_, i) => valid[i])));
  });

  it('starts a new part file every file_rows rows, and writes an empty dataset as one part of zero rows', async () => {
    const dir = tempDir();
    const schema = schemaFor(['float_vector']);
    const batch = generateBatch(schema, 100);
    await writeAll(dir, info(schema, 100), split(batch, 10), { file_rows: 30 });
    const folder = join(dir, 'books', '_default');
    expect(partsOf(folder)).toEqual(['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet', 'part-00003.parquet']);
    const dumped = await dump(partsOf(folder).map((p) => join(folder, p)));
    expect(dumped.map((d) => d.rows)).toEqual([30, 30, 30, 10]);
    expect(dumped.map((d) => d.metadata['milvusdm.first_row'])).toEqual(['0', '30', '60', '90']);
    expect(dumped.map((d) => d.columns['id']!.hex).join('')).toBe(hexOf(batch.columns.get('id')!.values as BigInt64Array));

    const empty = await writeAll(dir, info(schema, 0, 'none'), []);
    expect(empty.rows).toBe(0);
    const [e] = await dump([join(dir, 'books', 'none', 'part-00000.parquet')]);
    expect(e!.rows).toBe(0);
    expect(Object.keys(e!.columns)).toEqual(['id', 'f_float_vector']);
    expect(schemaFromJson(e!.metadata['milvusdm.schema']!, 'test')).toEqual(schema);
  });

  it('existing: fail names the folder, skip leaves it, overwrite replaces it', async () => {
    const dir = tempDir();
    const schema = schemaFor(['int32']);
    const first = generateBatch(schema, 5);
    await writeAll(dir, info(schema, 5), [first]);
    await expect(writeAll(dir, info(schema, 5), [first])).rejects.toThrow(/books\/_default already exists/);
    expect((await writeAll(dir, info(schema, 5), [first], { existing: 'skip' })).skipped).toMatch(/exists/);
    const second = generateBatch(schema, 3, { start: 100 });
    await writeAll(dir, info(schema, 3), [second], { existing: 'overwrite' });
    const [d] = await dump([join(dir, 'books', '_default', 'part-00000.parquet')]);
    expect(d!.columns['id']!.hex).toBe(hexOf(second.columns.get('id')!.values as BigInt64Array));
    expect(readdirSync(join(dir, 'books')).sort()).toEqual(['_default']);
  });

  it('same-named collections of two databases (source.databases) go to folders of their own, each exact', async () => {
    const dir = tempDir();
    const a = { ...schemaFor(['int32']), database: 'shop' };
    const b = { ...schemaFor(['int32']), database: 'archive' };
    const rowsA = generateBatch(a, 4);
    const rowsB = generateBatch(b, 6, { start: 100 });
    await writeAll(dir, { ...info(a, 4), key: 'shop/books/_default' }, [rowsA]);
    await writeAll(dir, { ...info(b, 6), key: 'archive/books/_default' }, [rowsB]);
    expect(readdirSync(dir).sort()).toEqual(['archive', 'shop']);
    const [da] = await dump([join(dir, 'shop', 'books', '_default', 'part-00000.parquet')]);
    const [db] = await dump([join(dir, 'archive', 'books', '_default', 'part-00000.parquet')]);
    expect(da!.columns['id']!.hex).toBe(hexOf(rowsA.columns.get('id')!.values as BigInt64Array));
    expect(db!.columns['id']!.hex).toBe(hexOf(rowsB.columns.get('id')!.values as BigInt64Array));
    expect(schemaFromJson(db!.metadata['milvusdm.schema']!, 'test').database).toBe('archive');
  });

  it('a failure keeps only complete parts in the .partial folder, and a resumed run redoes the rest exactly', async () => {
    const dir = tempDir();
    const schema = schemaFor(['float_vector', 'varchar']);
    const all = generateBatch(schema, 100);
    const batches = split(all, 10);
    const options = parquetWriterOptions.parse({ dir, file_rows: 30 });
    const sink = await plugin.open(options, testContext(dir));
    const writer = (await sink.begin(info(schema, 100))) as DatasetWriter;
    async function* failing() {
      for (const b of batches.slice(0, 7)) yield b;
      throw new Error('the source broke');
    }
    const committed: number[] = [];
    await expect(writer.write(failing(), { committed: (b) => committed.push(b.numRows) })).rejects.toThrow(/the source broke/);
    await sink.close();
    // Parts 0 and 1 (60 rows) are complete; the third was being written and is gone.
    expect(committed.reduce((a, b) => a + b, 0)).toBe(60);
    const partial = join(dir, 'books', '_default.partial');
    expect(existsSync(join(dir, 'books', '_default'))).toBe(false);
    expect(partsOf(partial)).toEqual(['part-00000.parquet', 'part-00001.parquet']);

    // The state lagged one part behind: the resumed run removes part 1 and writes it again.
    const again = await plugin.open(options, testContext(dir));
    const resumed = (await again.begin(info(schema, 100), {
      resume: { rows: 30, unrecordedRows: 30, token: writer.resumeToken, complete: false },
    })) as DatasetWriter;
    const { rows } = await resumed.write(batchesOf(batches.slice(3)), { committed: () => {} });
    await again.finish();
    await again.close();
    expect(rows).toBe(70);
    const folder = join(dir, 'books', '_default');
    expect(existsSync(partial)).toBe(false);
    const dumped = await dump(partsOf(folder).map((p) => join(folder, p)));
    expect(dumped.map((d) => d.rows)).toEqual([30, 30, 30, 10]);
    expect(dumped.map((d) => d.columns['id']!.hex).join('')).toBe(hexOf(all.columns.get('id')!.values as BigInt64Array));
    expect(dumped.flatMap((d) => d.columns['f_varchar']!.rows)).toEqual(all.columns.get('f_varchar')!.values);
    expect(new Set(dumped.map((d) => d.metadata['milvusdm.write_id'])).size).toBe(1);
  });

  it('a resumed run whose state ends inside a part cuts that part back to the recorded rows', async () => {
    const dir = tempDir();
    const schema = schemaFor(['float_vector']);
    const all = generateBatch(schema, 100);
    const batches = split(all, 5);
    const options = parquetWriterOptions.parse({ dir, file_rows: 30 });
    const sink = await plugin.open(options, testContext(dir));
    const writer = (await sink.begin(info(schema, 100))) as DatasetWriter;
    async function* failing() {
      for (const b of batches.slice(0, 13)) yield b;
      throw new Error('killed');
    }
    await expect(writer.write(failing(), { committed: () => {} })).rejects.toThrow(/killed/);
    await sink.close();
    // The state was saved while part 1's batches were being reported: 45 rows recorded, part 1 holds 30..60.
    const again = await plugin.open(options, testContext(dir));
    const resumed = (await again.begin(info(schema, 100), {
      resume: { rows: 45, unrecordedRows: 15, token: writer.resumeToken, complete: false },
    })) as DatasetWriter;
    expect((await resumed.write(batchesOf(batches.slice(9)), { committed: () => {} })).rows).toBe(55);
    await again.close();
    const folder = join(dir, 'books', '_default');
    const dumped = await dump(partsOf(folder).map((p) => join(folder, p)));
    expect(dumped.map((d) => d.rows)).toEqual([30, 15, 30, 25]);
    expect(dumped.map((d) => d.metadata['milvusdm.first_row'])).toEqual(['0', '30', '45', '75']);
    expect(dumped.map((d) => d.columns['id']!.hex).join('')).toBe(hexOf(all.columns.get('id')!.values as BigInt64Array));
    expect(dumped.flatMap((d) => d.columns['f_float_vector']!.rows).join('')).toBe(
      hexOf(all.columns.get('f_float_vector')!.values as Float32Array),
    );
  });

  it('a failure before any part is complete leaves nothing behind', async () => {
    const dir = tempDir();
    const schema = schemaFor(['float_vector']);
    const sink = await plugin.open(parquetWriterOptions.parse({ dir }), testContext(dir));
    const writer = (await sink.begin(info(schema, 10))) as DatasetWriter;
    async function* failing(): AsyncGenerator<ColumnBatch> {
      yield generateBatch(schema, 5);
      throw new Error('the source broke');
    }
    await expect(writer.write(failing(), { committed: () => {} })).rejects.toThrow(/the source broke/);
    await sink.close();
    // Not even the collection's folder (the lock's, removed with it).
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a resumed run whose state recorded no row of the dataset (stopped before its first part) writes it from the start, and can be resumed again', async () => {
    // Ctrl-C between begin and the first commit: the state holds this dataset's token with 0
    // rows, and the partial folder was discarded. Seen in the M2H Ctrl-C kill test.
    const dir = tempDir();
    const schema = schemaFor(['float_vector']);
    const all = generateBatch(schema, 20);
    // Parts of 5 rows: the first run stops inside its first part, before anything is committed.
    const options = parquetWriterOptions.parse({ dir, file_rows: 5 });
    const sink = await plugin.open(options, testContext(dir));
    const writer = (await sink.begin(info(schema, 20))) as DatasetWriter;
    async function* stopped(): AsyncGenerator<ColumnBatch> {
      yield generateBatch(schema, 3);
      throw new Error('interrupted by SIGINT');
    }
    await expect(writer.write(stopped(), { committed: () => {} })).rejects.toThrow(/SIGINT/);
    await sink.close();
    expect(readdirSync(dir)).toEqual([]);
    // Started over, and interrupted again once two parts are committed. The state keeps the token
    // the dataset was first begun with: the parts must go on carrying what it names.
    const token = writer.resumeToken;
    const again = await plugin.open(options, testContext(dir));
    const restarted = (await again.begin(info(schema, 20), {
      resume: { rows: 0, unrecordedRows: 0, token, complete: false },
    })) as DatasetWriter;
    expect(restarted.resumeToken).toEqual(token);
    const committed: number[] = [];
    async function* interrupted(): AsyncGenerator<ColumnBatch> {
      yield* split(all, 5).slice(0, 2);
      throw new Error('interrupted by SIGINT again');
    }
    await expect(restarted.write(interrupted(), { committed: (b) => committed.push(b.numRows) })).rejects.toThrow(/again/);
    await again.close();
    // One part a batch: the first is committed once the second begins, the second may be too
    // before the interruption is seen.
    const done = committed.reduce((n, r) => n + r, 0);
    expect([5, 10]).toContain(done);
    const third = await plugin.open(options, testContext(dir));
    const resumed = (await third.begin(info(schema, 20), {
      resume: { rows: done, unrecordedRows: 0, token, complete: false },
    })) as DatasetWriter;
    const { rows } = await resumed.write(batchesOf(split(all, 5).slice(done / 5)), { committed: () => {} });
    await third.finish();
    await third.close();
    expect(rows).toBe(20 - done);
    const folder = join(dir, 'books', '_default');
    const dumped = await dump(partsOf(folder).map((p) => join(folder, p)));
    expect(dumped.map((d) => d.columns['id']!.hex).join('')).toBe(hexOf(all.columns.get('id')!.values as BigInt64Array));
  });

  it('a resumed run that finds the folder already renamed takes it as complete, and checks the count', async () => {
    const dir = tempDir();
    const schema = schemaFor(['int32']);
    const all = generateBatch(schema, 20);
    const { token } = await writeAll(dir, info(schema, 20), split(all, 5), { file_rows: 10 });
    const options = parquetWriterOptions.parse({ dir });
    const again = await plugin.open(options, testContext(dir));
    const resumed = (await again.begin(info(schema, 20), {
      resume: { rows: 10, unrecordedRows: 10, token, complete: false },
    })) as DatasetWriter;
    const committed: number[] = [];
    expect(await resumed.write(batchesOf(split(all, 5).slice(2)), { committed: (b) => committed.push(b.numRows) })).toEqual({ rows: 10 });
    expect(committed).toEqual([5, 5]);
    await again.close();
    const short = await plugin.open(options, testContext(dir));
    const w = (await short.begin(info(schema, 20), { resume: { rows: 10, unrecordedRows: 0, token, complete: false } })) as DatasetWriter;
    await expect(w.write(batchesOf(split(all, 5).slice(2, 3)), { committed: () => {} })).rejects.toThrow(
      /holds 20 rows but the source has 15/,
    );
    await short.close();
    expect(partsOf(join(dir, 'books', '_default'))).toEqual(['part-00000.parquet', 'part-00001.parquet']);
  });

  it('a field it cannot store is refused before anything is created', async () => {
    const dir = tempDir();
    const schema: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'tags', type: 'array' },
      ],
    };
    await expect(writeAll(dir, info(schema, 1), [])).rejects.toThrow(/field "tags": an array field needs its element type/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a resume whose parts were written by another run', async () => {
    const dir = tempDir();
    const schema = schemaFor(['int32']);
    const options = parquetWriterOptions.parse({ dir, file_rows: 5 });
    const sink = await plugin.open(options, testContext(dir));
    const writer = (await sink.begin(info(schema, 20))) as DatasetWriter;
    async function* failing() {
      yield generateBatch(schema, 5);
      throw new Error('stop');
    }
    await expect(writer.write(failing(), { committed: () => {} })).rejects.toThrow(/stop/);
    await sink.close();
    const again = await plugin.open(options, testContext(dir));
    const token = { ...(writer.resumeToken as object), writeId: 'another-run' };
    await expect(again.begin(info(schema, 20), { resume: { rows: 5, unrecordedRows: 0, token, complete: false } })).rejects.toThrow(
      /part-00000.parquet was not written by the interrupted run/,
    );
    await again.close();
  });
});
