/**
 * The hdf5 reader driven directly (no CLI, no server) on files written by h5py: every row is
 * yielded exactly once, in order, whatever the batch size, and ids and vectors equal what h5py
 * and numpy read from the same file, byte for byte (float16/float64 converted to float32 by
 * numpy as the reference). A reader that dropped or repeated a row at a batch boundary, or
 * rounded an id, fails here.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBatch, type ColumnBatch } from '@milvusdm/core';
import { columnBytes, drain, dumpH5, runPython, tempDir, testContext, type DumpedFile } from '@milvusdm/testing';
import plugin, { hdf5ReaderOptions } from '../src/index.js';

const dir = tempDir();

async function h5(name: string, args: string[]): Promise<{ path: string; dump: DumpedFile }> {
  const path = join(dir, `${name}.h5`);
  await runPython('write_h5.py', ['--out', path, ...args]);
  return { path, dump: await dumpH5(path) };
}

async function open(options: Record<string, unknown>) {
  const source = await plugin.open(hdf5ReaderOptions.parse(options), testContext(dir));
  expect(source.datasets).toHaveLength(1);
  return { source, dataset: source.datasets[0]! };
}

async function readAll(options: Record<string, unknown>, batchRows: number) {
  const { source, dataset } = await open(options);
  try {
    const batches = await drain(dataset.batches({ batchRows }));
    for (const b of batches) {
      checkBatch(dataset.schema, b, dataset.origin);
      expect(b.numRows).toBeGreaterThan(0);
      expect(b.numRows).toBeLessThanOrEqual(batchRows);
    }
    return { dataset, batches, rows: batches.reduce((n, b) => n + b.numRows, 0) };
  } finally {
    await source.close();
  }
}

function eq(actual: Uint8Array, expected: Uint8Array | undefined, what: string) {
  expect(expected, `${what}: the reference is missing`).toBeDefined();
  expect(actual.byteLength, `${what}: byte length`).toBe(expected!.byteLength);
  // Buffer.compare keeps the failure message short for large arrays.
  expect(Buffer.compare(Buffer.from(actual), Buffer.from(expected!)), `${what}: bytes differ`).toBe(0);
}

let f32: Awaited<ReturnType<typeof h5>>;
let f64: Awaited<ReturnType<typeof h5>>;
let f16: Awaited<ReturnType<typeof h5>>;
let bytesS: Awaited<ReturnType<typeof h5>>;
let u8: Awaited<ReturnType<typeof h5>>;
let ann: Awaited<ReturnType<typeof h5>>;
let parts: Awaited<ReturnType<typeof h5>>[];

beforeAll(async () => {
  [f32, f64, f16, bytesS, u8, ann] = await Promise.all([
    h5('f32', ['--rows', '101', '--dim', '5', '--dtype', 'float32', '--chunks', '13']),
    h5('f64', ['--rows', '64', '--dim', '3', '--dtype', 'float64', '--id-offset', String(2n ** 62n)]),
    h5('f16', ['--rows', '40', '--dim', '4', '--dtype', 'float16', '--ids', 'int32']),
    h5('bytes', ['--rows', '30', '--dim', '64', '--dtype', 'S']),
    h5('u8', ['--rows', '30', '--dim', '24', '--dtype', 'uint8']),
    h5('ann', ['--rows', '25', '--dim', '6', '--layout', 'ann', '--dtype', 'float32']),
  ]);
  parts = await Promise.all(
    [0, 1, 2].map((i) =>
      h5(`part${i}`, [
        '--rows',
        String(10 + i * 7),
        '--dim',
        '4',
        '--dtype',
        'float32',
        '--seed',
        String(i),
        '--id-offset',
        String(i * 1_000_000),
      ]),
    ),
  );
}, 120_000);

describe('hdf5 reader: every row once, exact', { timeout: 60_000 }, () => {
  for (const batchRows of [1, 7, 13, 100, 101, 1000]) {
    it(`float32, 101 rows in batches of ${batchRows}: ids and vectors byte for byte`, async () => {
      const { dataset, batches, rows } = await readAll({ path: f32.path }, batchRows);
      expect(dataset.rows).toBe(101);
      expect(rows).toBe(101);
      expect(batches).toHaveLength(Math.ceil(101 / batchRows));
      eq(columnBytes(batches, 'id'), f32.dump.datasets['ids']!.raw, 'ids');
      eq(columnBytes(batches, 'embedding'), f32.dump.datasets['embeddings']!.raw, 'vectors');
    });
  }

  it('float64 vectors become float32 as numpy rounds them; ids above 2^62 stay exact', async () => {
    const { batches, rows } = await readAll({ path: f64.path }, 10);
    expect(rows).toBe(64);
    expect(f64.dump.datasets['embeddings']!.dtype).toBe('<f8');
    eq(columnBytes(batches, 'id'), f64.dump.datasets['ids']!.raw, 'ids');
    eq(columnBytes(batches, 'embedding'), f64.dump.datasets['embeddings']!.float32, 'vectors');
    const first = (batches[0]!.columns.get('id')!.values as BigInt64Array)[0]!;
    expect(first > 2n ** 62n - 10n ** 17n).toBe(true);
  });

  it('float16 vectors and int32 ids widen exactly', async () => {
    const { dataset, batches, rows } = await readAll({ path: f16.path }, 9);
    expect(rows).toBe(40);
    expect(dataset.schema.fields.map((f) => f.type)).toEqual(['int64', 'float_vector']);
    eq(columnBytes(batches, 'id'), f16.dump.datasets['ids']!.int64, 'ids');
    eq(columnBytes(batches, 'embedding'), f16.dump.datasets['embeddings']!.float32, 'vectors');
  });

  it('binary vectors stored as byte strings keep every byte, NULs included', async () => {
    const { dataset, batches, rows } = await readAll({ path: bytesS.path }, 4);
    expect(rows).toBe(30);
    expect(dataset.schema.fields[1]).toMatchObject({ type: 'binary_vector', dim: 64 });
    eq(columnBytes(batches, 'embedding'), bytesS.dump.datasets['embeddings']!.rows, 'vectors');
    eq(columnBytes(batches, 'id'), bytesS.dump.datasets['ids']!.raw, 'ids');
  });

  it('binary vectors stored as uint8 rows', async () => {
    const { dataset, batches } = await readAll({ path: u8.path }, 8);
    expect(dataset.schema.fields[1]).toMatchObject({ type: 'binary_vector', dim: 24 });
    eq(columnBytes(batches, 'embedding'), u8.dump.datasets['embeddings']!.raw, 'vectors');
  });

  it('ann-benchmarks layout: no id column (the server assigns them), vectors from "train", metric from "distance"', async () => {
    const { dataset, batches, rows } = await readAll({ path: ann.path }, 6);
    expect(rows).toBe(25);
    expect(dataset.schema.fields[0]).toMatchObject({ name: 'id', autoId: true });
    expect(dataset.schema.fields[1]).toMatchObject({ metric: 'COSINE', dim: 6 });
    for (const b of batches) expect(b.columns.has('id')).toBe(false);
    eq(columnBytes(batches, 'embedding'), ann.dump.datasets['train']!.raw, 'vectors');
  });

  it('several files are one dataset, read file after file, in the order given', async () => {
    const { dataset, batches, rows } = await readAll({ path: parts.map((p) => p.path) }, 5);
    expect(dataset.rows).toBe(10 + 17 + 24);
    expect(rows).toBe(51);
    eq(columnBytes(batches, 'id'), Buffer.concat(parts.map((p) => p.dump.datasets['ids']!.raw)), 'ids');
    eq(columnBytes(batches, 'embedding'), Buffer.concat(parts.map((p) => p.dump.datasets['embeddings']!.raw)), 'vectors');
  });
});

describe('hdf5 reader: resume from a batch cursor', { timeout: 60_000 }, () => {
  it('resuming after any batch yields exactly the rows after it', async () => {
    const { batches } = await readAll({ path: parts.map((p) => p.path) }, 4);
    const allIds = columnBytes(batches, 'id');
    let before = 0;
    for (const [i, b] of batches.entries()) {
      before += b.numRows;
      expect(b.cursor, `batch ${i} has a cursor`).toBeDefined();
      const { source, dataset } = await open({ path: parts.map((p) => p.path) });
      // The cursor crosses a JSON state file in a real resume.
      const rest: ColumnBatch[] = await drain(dataset.batches({ batchRows: 4, resumeFrom: JSON.parse(JSON.stringify(b.cursor)) }));
      await source.close();
      eq(columnBytes(rest, 'id'), allIds.subarray(before * 8), `ids after batch ${i}`);
    }
  });

  it('refuses a cursor from another file list', async () => {
    const { batches } = await readAll({ path: parts.map((p) => p.path) }, 4);
    const { source, dataset } = await open({ path: [parts[1]!.path, parts[0]!.path] });
    await expect(drain(dataset.batches({ batchRows: 4, resumeFrom: batches[1]!.cursor }))).rejects.toThrow(
      /resume position does not match/,
    );
    await source.close();
  });
});
