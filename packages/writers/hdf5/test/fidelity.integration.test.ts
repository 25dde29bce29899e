/**
 * M2H then H2M keeps every field: a collection with every field type a server stores, built by
 * pymilvus, is dumped with `milvusdm run` (milvus → hdf5), checked by `milvusdm verify` (the file
 * read back through its schema attribute), read independently with h5py against what pymilvus
 * returns, loaded back (hdf5 → milvus) into a new collection, and compared with the source row by
 * row, field by field, bit for bit, descriptions included — all with pymilvus.
 *
 * Milvus Lite 2.5.1 stores float16, bfloat16, sparse and binary vectors but refuses nullable
 * fields; Milvus Lite 3.2.2 stores nullable fields and default values but only float vectors:
 * each is tested with what it stores.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { killAndResume, runCli, runLite25Python, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface RowsVerdict {
  ok: boolean;
  a: number;
  b: number;
  differences: unknown[];
  schema?: { equal: boolean; a: { fields: { name: string; nullable?: boolean; default_value?: unknown }[] }; b: unknown };
}

function lite25(): string {
  const uri = inject('milvusLite25Uri');
  expect(uri, 'Milvus Lite 2.5.1 is needed: run scripts/setup-python.sh (it builds .venv-lite25)').not.toBe('');
  return uri;
}

const ROWS = 500;

const cases = [
  {
    name: 'Milvus Lite 2.5.1, varchar keys, float/binary/float16/bfloat16/sparse vectors',
    uri: lite25,
    python: runLite25Python,
    args: ['--pk', 'varchar', '--no-nullable'],
  },
  {
    name: 'Milvus Lite 2.5.1, int64 keys, float16 first, two float vectors, sparse',
    uri: lite25,
    python: runLite25Python,
    args: ['--pk', 'int64', '--no-nullable', '--vectors', 'f16,fv,sparse,fv2', '--seed', '9'],
  },
  {
    name: 'Milvus Lite 3.2.2, nullable fields with nulls and default values, two float vectors',
    uri: () => inject('milvusLiteUri'),
    python: runPython,
    args: ['--pk', 'varchar', '--vectors', 'fv,fv2', '--seed', '13'],
  },
] as const;

describe('M2H then H2M keeps every field of the collection', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const uri = c.uri();
      const source = uniqueName('every');
      await c.python('make_every_field_collection.py', ['--uri', uri, '--collection', source, '--rows', String(ROWS), ...c.args]);

      // M2H, in small pages and batches so the file grows over many appends.
      const dir = tempDir();
      const m2h = writeJob({
        source: { type: 'milvus', uri, collection: source, page_rows: 64 },
        target: { type: 'hdf5', dir },
        run: { batch_rows: 45 },
      });
      const dumped = await runCli(['run', m2h, '--log-dir', tempDir()]);
      expect(dumped.code, dumped.stderr).toBe(0);
      expect(dumped.stderr).toMatch(new RegExp(`done: ${ROWS} rows`));
      const file = join(dir, source, '_default.h5');

      // milvusdm's own check: the source against the file, every field compared by key.
      const verified = await runCli(['verify', m2h, '--log-dir', tempDir()]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(/verify: source and target are equal/);
      expect(verified.stdout).not.toMatch(/not compared/);

      // h5py, following the README's layout table, against pymilvus.
      const rows = join(tempDir(), 'rows.json');
      await c.python('dump_collection_rows.py', ['--uri', uri, '--collection', source, '--out', rows]);
      const h5 = await runPython<{ ok: boolean; rows: number; differences: unknown[] }>('verify_h5_rows.py', [
        '--file',
        file,
        '--rows',
        rows,
      ]);
      expect(h5, JSON.stringify(h5.differences)).toMatchObject({ ok: true, rows: ROWS });

      // H2M into a new collection, created from the schema stored in the file.
      const target = uniqueName('every_back');
      const loaded = await runCli([
        'run',
        writeJob({ source: { type: 'hdf5', path: file }, target: { type: 'milvus', uri, collection: target }, run: { batch_rows: 70 } }),
        '--log-dir',
        tempDir(),
      ]);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(loaded.stderr).toMatch(new RegExp(`done: ${ROWS} rows`));
      const v = await c.python<RowsVerdict>('compare_rows.py', ['--uri', uri, '--a', source, '--b', target, '--describe', '--prepare-b']);
      expect(v.differences).toEqual([]);
      expect(v).toMatchObject({ a: ROWS, b: ROWS });
      // The whole description, default values included (the writer creates them from the file's schema).
      expect(v.schema?.b, 'the descriptions differ').toEqual(v.schema?.a);
      expect(v).toMatchObject({ ok: true, schema: { equal: true } });
      if (!(c.args as readonly string[]).includes('--no-nullable')) {
        // The file keeps default values in its schema attribute, read by h5py here.
        const seen = await runPython<Record<string, { attrs: Record<string, string> }>>('h5_describe.py', [file]);
        const stored = JSON.parse(seen['@file']!.attrs['milvusdm_schema']!) as {
          fields: { name: string; defaultValue?: unknown; nullable?: boolean }[];
        };
        const byName = Object.fromEntries(stored.fields.map((f) => [f.name, f]));
        expect(byName['n_i64']).toMatchObject({ nullable: true, defaultValue: String(2n ** 60n + 1n) });
        expect(byName['n_d']).toMatchObject({ nullable: true, defaultValue: 1.5 });
        expect(byName['n_s']).toMatchObject({ nullable: true, defaultValue: 'none' });
        expect(byName['dflt']).toMatchObject({ defaultValue: -7 });
        // The properties this case exists for reached the target.
        const fields = Object.fromEntries((v.schema!.b as NonNullable<RowsVerdict['schema']>['a']).fields.map((f) => [f.name, f]));
        expect(fields['n_i32']).toMatchObject({ nullable: true });
        expect(fields['n_json']).toMatchObject({ nullable: true });
        expect(fields['dflt']?.default_value).toBeDefined();
      }
    });
  }
});

describe('M2H of every field resumes after kill -9', () => {
  it('a file of every field type, killed while it grows and run again, holds every row once, exactly', async () => {
    const uri = lite25();
    const rows = 3000;
    const source = uniqueName('every_kill');
    await runLite25Python('make_every_field_collection.py', [
      '--uri',
      uri,
      '--collection',
      source,
      '--rows',
      String(rows),
      '--no-nullable',
    ]);
    const dir = tempDir();
    const stateDir = tempDir('milvusdm-state-');
    // existing: fail (the default): a kill after the run wrote everything leaves its state marked
    // finished, so the next run finds the file its own and does not refuse it.
    const file = writeJob({
      source: { type: 'milvus', uri, collection: source, page_rows: 100 },
      target: { type: 'hdf5', dir },
      run: { batch_rows: 100, state_dir: stateDir },
    });
    const report = await killAndResume(['run', file, '--log-dir', tempDir()], stateDir, {
      seed: 4242,
      points: 3,
      signal: 'SIGKILL',
      totalRows: rows,
    });
    const detail = JSON.stringify(report.runs.map((r) => ({ threshold: r.threshold, code: r.code, signal: r.signal, rows: r.rowsAtKill })));
    expect(report.final.code, `${report.final.stderr}\nruns: ${detail}`).toBe(0);
    expect(report.interrupted, detail).toBeGreaterThan(0);
    const dumped = join(tempDir(), 'rows.json');
    await runLite25Python('dump_collection_rows.py', ['--uri', uri, '--collection', source, '--out', dumped]);
    const h5 = await runPython<{ ok: boolean; rows: number; differences: unknown[] }>('verify_h5_rows.py', [
      '--file',
      join(dir, source, '_default.h5'),
      '--rows',
      dumped,
    ]);
    expect(h5, JSON.stringify(h5.differences)).toMatchObject({ ok: true, rows });
  });
});
