/**
 * Parquet through the real CLI: H → Parquet → Milvus Lite (each step checked by an independent
 * reader: h5py and pyarrow, then `--verify`), a live Milvus Lite collection with every kind of
 * field dumped to Parquet and read back by pyarrow against pymilvus, then loaded into another
 * collection and compared with the first; and a corrupt file failing with one line, exit 1.
 */
import { copyFileSync, existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, seedDir, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

const PY = join(import.meta.dirname, 'python');
const parts = (folder: string) =>
  readdirSync(folder)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => join(folder, f));

describe('parquet through the CLI', { timeout: 600_000 }, () => {
  it('H → Parquet → Milvus Lite: the seed file, exact at every step', async () => {
    const uri = inject('milvusLiteUri');
    const seed = join(seedDir, 'float_example.h5');
    const out = tempDir();
    const toParquet = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: seed }, target: { type: 'parquet', dir: out, file_rows: 2000 }, run: { batch_rows: 700 } }),
      '--log-dir',
      tempDir(),
      '--verify',
    ]);
    expect(toParquet.code, toParquet.stderr).toBe(0);
    const folder = join(out, 'float_example', '_default');
    expect(parts(folder).map((p) => p.slice(folder.length + 1))).toEqual([
      'part-00000.parquet',
      'part-00001.parquet',
      'part-00002.parquet',
    ]);
    const h5 = await runPython<{ ok: boolean; rows: number; vector_type: string; id_type: string }>(join(PY, 'compare_parquet_h5.py'), [
      '--h5',
      seed,
      ...parts(folder),
    ]);
    expect(h5).toEqual({ ok: true, rows: 5000, vector_type: 'list<element: float not null>', id_type: 'int64' });

    const collection = uniqueName('from_parquet');
    const toMilvus = await runCli([
      'run',
      writeJob({ source: { type: 'parquet', path: folder }, target: { type: 'milvus', uri, collection } }),
      '--log-dir',
      tempDir(),
      '--verify',
    ]);
    expect(toMilvus.code, toMilvus.stderr).toBe(0);
    expect(toMilvus.stdout + toMilvus.stderr).toMatch(/verify: source and target are equal/);
    const v = await runPython<{ ok: boolean; parquet: number; milvus: number }>(join(PY, 'compare_parquet_milvus.py'), [
      '--uri',
      uri,
      '--collection',
      collection,
      '--key',
      'id',
      ...parts(folder),
    ]);
    expect(v).toMatchObject({ ok: true, parquet: 5000, milvus: 5000 });
  });

  it('Milvus Lite → Parquet → Milvus Lite: VarChar keys, scalars, JSON, arrays, nulls and dynamic fields', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('rich');
    await runPython('make_rich_collection.py', ['--uri', uri, '--collection', source, '--rows', '1500']);
    const out = tempDir();
    const dump = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collection: source }, target: { type: 'parquet', dir: out }, run: { batch_rows: 400 } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(dump.code, dump.stderr).toBe(0);
    const folder = join(out, source, '_default');
    const byPyarrow = await runPython<{ ok: boolean; parquet: number; milvus: number; types: Record<string, string>; diffs: unknown[] }>(
      join(PY, 'compare_parquet_milvus.py'),
      ['--uri', uri, '--collection', source, '--key', 'pk', ...parts(folder)],
    );
    expect(byPyarrow.diffs).toEqual([]);
    expect(byPyarrow).toMatchObject({ ok: true, parquet: 1500, milvus: 1500 });
    expect(byPyarrow.types).toMatchObject({
      pk: 'string',
      embedding: 'list<element: float not null>',
      meta: 'string',
      tags: 'list<element: int64>',
      maybe: 'int16',
      $meta: 'string',
    });

    const copy = uniqueName('rich_back');
    const load = await runCli([
      'run',
      writeJob({ source: { type: 'parquet', path: out }, target: { type: 'milvus', uri, collection: copy } }),
      '--log-dir',
      tempDir(),
      '--verify',
    ]);
    expect(load.code, load.stderr).toBe(0);
    const same = await runPython<{ ok: boolean; a: number; b: number }>('compare_collections.py', [
      '--uri',
      uri,
      '--a',
      source,
      '--b',
      copy,
    ]);
    expect(same).toMatchObject({ ok: true, a: 1500, b: 1500 });

    const inspect = await runCli(['inspect', out]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(new RegExp(`dataset ${source}/_default: 1500 rows`));
  });

  it('a truncated Parquet file: one line naming it, exit 1, nothing written', async () => {
    const out = tempDir();
    const made = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: join(seedDir, 'float_example.h5') }, target: { type: 'parquet', dir: out } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(made.code, made.stderr).toBe(0);
    const bad = join(tempDir(), 'cut.parquet');
    const good = join(out, 'float_example', '_default', 'part-00000.parquet');
    copyFileSync(good, bad);
    truncateSync(bad, Math.floor(readFileSync(good).length * 0.6));
    const target = tempDir();
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'parquet', path: bad }, target: { type: 'parquet', dir: target } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => /error/i.test(l));
    expect(errors.join('\n')).toContain(`${bad}: not a readable Parquet file`);
    expect(existsSync(join(target, 'cut'))).toBe(false);
  });
});
