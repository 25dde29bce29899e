/**
 * The parquet reader on files pyarrow wrote (test/python/make_parquet.py: the bulk-import
 * layout, no milvusdm metadata, types inferred or named in `field_types`) and on files the
 * parquet writer wrote (schema restored exactly, nulls and `$meta` included); resuming from every
 * cursor; empty, truncated and mistyped files.
 */
import { copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MilvusdmError,
  runJob,
  schemaToJson,
  silentLogger,
  sliceBatch,
  z,
  type CollectionSchema,
  type Column,
  type ColumnBatch,
} from '@milvusdm/core';
import { ALL_FIELD_TYPES, concatBatches, generateBatch, schemaFor } from '@milvusdm/plugin-kit';
import { drain, runPython, tempDir, testContext } from '@milvusdm/testing';
import parquetWriter from '@milvusdm/writer-parquet';
import plugin, { parquetReaderOptions } from '../src/index.js';

const MAKE = join(import.meta.dirname, 'python', 'make_parquet.py');

async function open(dir: string, options: Record<string, unknown>) {
  return plugin.open(parquetReaderOptions.parse(options), testContext(dir));
}

async function readAll(dir: string, options: Record<string, unknown>, batchRows = 1000) {
  const source = await open(dir, options);
  try {
    const dataset = source.datasets[0]!;
    const batches = await drain(dataset.batches({ batchRows }));
    return { dataset, batches, all: concatBatches(batches) };
  } finally {
    await source.close();
  }
}

const hexOf = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
const f32bits = (v: Float32Array) => [...new Uint32Array(v.buffer, v.byteOffset, v.length)];

/** Writes `batch` with the parquet writer (several parts and row groups) into `<dir>/out`. */
async function writeWithWriter(dir: string, schema: CollectionSchema, batch: ColumnBatch, writerOptions: Record<string, unknown> = {}) {
  // These rows as a reader yields them, in batches of `batchRows`.
  const reader = {
    kind: 'reader' as const,
    name: 'rows',
    options: z.looseObject({}),
    async open() {
      const dataset = {
        key: 'books/_default',
        collection: 'books',
        schema,
        origin: 'test rows',
        rows: batch.numRows,
        async *batches({ batchRows }: { batchRows: number }) {
          for (let s = 0; s < batch.numRows; s += batchRows)
            yield { ...sliceBatch(batch, s, Math.min(batch.numRows, s + batchRows)), cursor: s };
        },
      };
      return { datasets: [dataset], close: async () => {} };
    },
  };
  await runJob({
    reader,
    readerOptions: {},
    writer: parquetWriter,
    writerOptions: { dir: join(dir, 'out'), ...writerOptions },
    run: { batchRows: 7, prefetch: 1 },
    context: { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} },
  });
  return join(dir, 'out', 'books', '_default');
}

/** Values compared bit for bit, rows that are null on both sides excepted (Parquet stores no value there). */
function expectSameColumn(name: string, actual: Column, expected: Column) {
  expect(actual.type, name).toBe(expected.type);
  expect(actual.valid ? [...actual.valid] : undefined, `${name} nulls`).toEqual(
    expected.valid && expected.valid.includes(0) ? [...expected.valid] : undefined,
  );
  const rows = actual.valid?.length ?? (Array.isArray(actual.values) ? actual.values.length : 0);
  if (Array.isArray(expected.values)) {
    const norm = (v: unknown) =>
      JSON.stringify(v, (_k, x: unknown) => (ArrayBuffer.isView(x) ? [...(x as Uint8Array)] : typeof x === 'bigint' ? `${x}n` : x));
    (expected.values as unknown[]).forEach((v, i) => {
      if (expected.valid && !expected.valid[i]) return;
      expect(norm((actual.values as unknown[])[i]), `${name} row ${i}`).toBe(norm(v));
    });
  } else {
    const per = (expected.values as ArrayLike<number>).length / Math.max(1, expected.valid?.length ?? rows);
    const a = actual.values as unknown as ArrayLike<number>;
    const e = expected.values as unknown as ArrayLike<number>;
    if (!expected.valid) expect(hexOf(actual.values as ArrayBufferView), name).toBe(hexOf(expected.values as ArrayBufferView));
    else
      for (let i = 0; i < expected.valid.length; i++) {
        if (!expected.valid[i]) continue;
        for (let j = 0; j < per; j++)
          expect(Object.is(a[i * per + j], e[i * per + j]) || a[i * per + j] === e[i * per + j], `${name} row ${i}`).toBe(true);
      }
  }
}

describe('parquet reader: files written by pyarrow', { timeout: 120_000 }, () => {
  let dir: string;
  let expected: {
    every: Record<string, unknown>;
    varchar_pk: { pk: string[]; v: string };
    nulls: { n: (number | null)[]; t: (string | null)[]; fv: (number[] | null)[] };
  };
  beforeAll(async () => {
    dir = tempDir();
    expected = await runPython(MAKE, [dir, '50', '7']);
  });

  const everyOptions = () => ({
    path: join(dir, 'every.parquet'),
    field_types: { doc: 'json', darr: 'array', sp: 'sparse_float_vector', f16: 'float16_vector', bf16: 'bfloat16_vector' },
  });

  it('infers every type of the bulk-import layout and reads every value bit for bit', async () => {
    const { dataset, all, batches } = await readAll(dir, everyOptions(), 8);
    expect(batches.map((b) => b.numRows)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
    expect(dataset.rows).toBe(50);
    expect(dataset.collection).toBe('every');
    const types = Object.fromEntries(dataset.schema.fields.map((f) => [f.name, [f.type, f.dim ?? f.elementType ?? null]]));
    expect(types).toEqual({
      id: ['int64', null],
      b: ['bool', null],
      i8: ['int8', null],
      i16: ['int16', null],
      i32: ['int32', null],
      i64: ['int64', null],
      u8: ['int16', null],
      f32: ['float', null],
      f64: ['double', null],
      s: ['varchar', null],
      doc: ['json', null],
      arr: ['array', 'int32'],
      sarr: ['array', 'varchar'],
      darr: ['array', 'double'],
      fv: ['float_vector', 4],
      bv: ['binary_vector', 16],
      f16: ['float16_vector', 4],
      bf16: ['bfloat16_vector', 4],
      i8v: ['int8_vector', 4],
      sp: ['sparse_float_vector', null],
      spm: ['sparse_float_vector', null],
    });
    expect(dataset.schema.fields[0]!.isPrimaryKey).toBe(true);
    expect(dataset.schema.enableDynamicField).toBe(true);
    const e = expected.every;
    const col = (name: string) => all.columns.get(name)!;
    expect([...(col('id').values as BigInt64Array)].map(String)).toEqual(e['id']);
    expect([...(col('i64').values as BigInt64Array)].map(String)).toEqual(e['i64']);
    expect([...(col('b').values as Uint8Array)]).toEqual(e['b']);
    for (const name of ['i8', 'i16', 'i32', 'u8', 'f32', 'f64', 'fv', 'bv', 'f16', 'bf16', 'i8v']) {
      expect(hexOf(col(name).values as ArrayBufferView), name).toBe(e[name]);
    }
    for (const name of ['s', 'doc', 'arr', 'sarr', 'darr', '$meta']) expect(col(name).values, name).toEqual(e[name]);
    for (const name of ['sp', 'spm']) {
      const c = col(name);
      if (c.type !== 'sparse_float_vector') throw new Error(name);
      expect(
        c.values.map((r) => ({ indices: [...r.indices], values: f32bits(r.values) })),
        name,
      ).toEqual(e[name]);
    }
  });

  it('a string primary key named by primary_key, and a fixed_size_list vector', async () => {
    const { dataset, all } = await readAll(dir, { path: join(dir, 'varchar_pk.parquet'), primary_key: 'pk' });
    expect(dataset.schema.fields).toEqual([
      { name: 'pk', type: 'varchar', maxLength: 65535, isPrimaryKey: true },
      { name: 'v', type: 'float_vector', dim: 3 },
    ]);
    expect(all.columns.get('pk')!.values).toEqual(expected.varchar_pk.pk);
    expect(hexOf(all.columns.get('v')!.values as Float32Array)).toBe(expected.varchar_pk.v);
  });

  it('nulls where the options declare nullable columns, and a one-line error naming the row where they do not', async () => {
    const { all } = await readAll(dir, { path: join(dir, 'nulls.parquet'), nullable: ['n', 't', 'fv'] });
    const n = all.columns.get('n')!;
    expect([...n.valid!].map((v, i) => (v ? (n.values as Int32Array)[i] : null))).toEqual(expected.nulls.n);
    const t = all.columns.get('t')!;
    expect((t.values as string[]).map((v, i) => (t.valid![i] ? v : null))).toEqual(expected.nulls.t);
    const fv = all.columns.get('fv')!;
    expect([...fv.valid!].map((v, i) => (v ? [...(fv.values as Float32Array).subarray(i * 2, i * 2 + 2)] : null))).toEqual(
      expected.nulls.fv,
    );
    const err = await readAll(dir, { path: join(dir, 'nulls.parquet') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MilvusdmError);
    expect((err as Error).message).toMatch(/nulls\.parquet: row 3: field "n": is null, and the field is not nullable/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a folder (sub-folders included), a glob and a list read their files as one dataset, in path order', async () => {
    const folder = join(tempDir(), 'many');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    copyFileSync(join(dir, 'varchar_pk.parquet'), join(folder, 'a.parquet'));
    copyFileSync(join(dir, 'varchar_pk.parquet'), join(folder, 'sub', 'b.parquet'));
    writeFileSync(join(folder, 'notes.txt'), 'not parquet');
    mkdirSync(join(folder, 'left.partial'));
    copyFileSync(join(dir, 'every.parquet'), join(folder, 'left.partial', 'part-00000.parquet'));
    const keys = expected.varchar_pk.pk;
    for (const path of [folder, join(folder, '**', '*.parquet'), [join(folder, 'a.parquet'), join(folder, 'sub')]]) {
      const { dataset, all } = await readAll(dir, { path, primary_key: 'pk', collection: 'many' }, 30);
      expect(dataset.rows, JSON.stringify(path)).toBe(100);
      expect(dataset.origin).toMatch(/^2 Parquet files/);
      expect(all.columns.get('pk')!.values).toEqual([...keys, ...keys]);
    }
    await expect(open(dir, { path: join(dir, 'nulls.parquet'), field_types: { nope: 'json' } })).rejects.toThrow(
      /nulls\.parquet: source options name column "nope", which the file does not have/,
    );
    await expect(open(dir, { path: join(dir, 'varchar_pk.parquet'), field_types: { pk: 'float_vector' } })).rejects.toThrow(
      /varchar_pk\.parquet: column "pk" is Utf8; a float_vector field is stored as a list/,
    );
    await expect(open(dir, { path: [join(dir, 'varchar_pk.parquet'), join(dir, 'nulls.parquet')], primary_key: 'pk' })).rejects.toThrow(
      /nulls\.parquet: source\.primary_key: the file has no column "pk"/,
    );
  });

  it('a column whose type does not fit the field it is named as stops with the file, field and types', async () => {
    const source = await open(dir, { path: join(dir, 'varchar_pk.parquet'), field_types: { pk: 'int32' } });
    await expect(drain(source.datasets[0]!.batches({ batchRows: 100 }))).rejects.toThrow(
      /varchar_pk\.parquet: field "pk": is int32 in the schema, the file stores Utf8/,
    );
  });
});

describe('parquet reader: files written by the parquet writer', { timeout: 120_000 }, () => {
  const base = schemaFor(ALL_FIELD_TYPES);
  // Nullable fields of every kind, dynamic fields, and field properties the stored schema must keep.
  const schema: CollectionSchema = {
    ...base,
    enableDynamicField: true,
    description: 'books',
    fields: base.fields.map((f, i) =>
      f.isPrimaryKey
        ? { ...f, description: 'the key' }
        : i % 3 === 0
          ? { ...f, nullable: true }
          : i % 3 === 1
            ? { ...f, properties: { 'mmap.enabled': 'true' } }
            : f,
    ),
  };
  function rows(n: number): ColumnBatch {
    const batch = generateBatch(schema, n);
    const columns = new Map(batch.columns);
    columns.set('$meta', { type: 'json', values: Array.from({ length: n }, (_, i) => JSON.stringify({ extra: i })) });
    return { numRows: n, columns };
  }

  it('restores the exact schema and every value, nulls and $meta included, across parts and row groups', async () => {
    const dir = tempDir();
    const batch = rows(45);
    const folder = await writeWithWriter(dir, schema, batch, { file_rows: 20 });
    const { dataset, all } = await readAll(dir, { path: folder }, 6);
    expect(JSON.parse(schemaToJson(dataset.schema))).toEqual(JSON.parse(schemaToJson(schema)));
    expect(dataset.collection).toBe('books');
    expect(dataset.partition).toBeUndefined();
    expect(dataset.rows).toBe(45);
    for (const [name, column] of batch.columns) expectSameColumn(name, all.columns.get(name)!, column);
  });

  it('resumes from every cursor with exactly the rows after it', async () => {
    const dir = tempDir();
    const batch = rows(40);
    const folder = await writeWithWriter(dir, schema, batch, { file_rows: 14 });
    const source = await open(dir, { path: folder });
    try {
      const dataset = source.datasets[0]!;
      const batches = await drain(dataset.batches({ batchRows: 5 }));
      expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(40);
      let done = 0;
      for (const b of batches) {
        done += b.numRows;
        const rest = await drain(dataset.batches({ batchRows: 5, resumeFrom: JSON.parse(JSON.stringify(b.cursor)) }));
        const got = rest.reduce((n, r) => n + r.numRows, 0);
        expect(got, `after ${done}`).toBe(40 - done);
        if (got > 0) {
          const ids = concatBatches(rest).columns.get('id')!.values as BigInt64Array;
          expect(hexOf(ids)).toBe(hexOf((batch.columns.get('id')!.values as BigInt64Array).subarray(done)));
        }
      }
      await expect(drain(dataset.batches({ batchRows: 5, resumeFrom: { file: 9, path: 'x', row: 0 } }))).rejects.toThrow(/resume position/);
    } finally {
      await source.close();
    }
  });

  it('an empty dataset: its schema, zero rows, no batch', async () => {
    const dir = tempDir();
    const folder = await writeWithWriter(dir, schema, { numRows: 0, columns: rows(0).columns });
    const { dataset, batches } = await readAll(dir, { path: folder });
    expect(dataset.rows).toBe(0);
    expect(batches).toEqual([]);
    expect(JSON.parse(schemaToJson(dataset.schema))).toEqual(JSON.parse(schemaToJson(schema)));
  });

  it('a truncated or corrupt file fails at open with one line naming it', async () => {
    const dir = tempDir();
    const folder = await writeWithWriter(dir, schemaFor(['float_vector']), generateBatch(schemaFor(['float_vector']), 30));
    const good = join(folder, 'part-00000.parquet');
    const truncated = join(dir, 'truncated.parquet');
    copyFileSync(good, truncated);
    truncateSync(truncated, Math.floor(readFileSync(good).length / 2));
    const garbage = join(dir, 'garbage.parquet');
    writeFileSync(garbage, 'PAR1 this is not parquet PAR1');
    for (const path of [truncated, garbage]) {
      const err = await open(dir, { path }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(MilvusdmError);
      expect((err as MilvusdmError).code).toBe('MDM_SOURCE');
      expect((err as Error).message).toContain(`${path}: not a readable Parquet file`);
      expect((err as Error).message).not.toContain('\n');
    }
    await expect(open(dir, { path: join(dir, 'missing.parquet') })).rejects.toThrow(/missing\.parquet does not exist/);
  });
});
