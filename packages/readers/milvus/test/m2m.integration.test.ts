/**
 * Milvus to Milvus with every kind of field the reader and writer carry: a VarChar key whose
 * byte order differs from JS string order, scalars, JSON, arrays, a nullable field and dynamic
 * fields; read in small pages so the key space is split many times.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

describe('M2M of a live collection', () => {
  it('copies every field of every row exactly (Milvus Lite)', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('rich');
    await runPython('make_rich_collection.py', ['--uri', uri, '--collection', source, '--rows', '2000']);
    const target = uniqueName('rich_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source },
        target: { type: 'milvus', uri, collection: target },
        run: { batch_rows: 97 },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /pk varchar pk, embedding float_vector\(8\) IP, count int32, big int64, score double, ratio float, flag bool, title varchar, meta json, tags array, maybe int16/,
    );
    const v = await runPython<{ ok: boolean; a: number; b: number }>('compare_collections.py', [
      '--uri',
      uri,
      '--a',
      source,
      '--b',
      target,
    ]);
    expect(v).toMatchObject({ ok: true, a: 2000, b: 2000 });
  });

  it('refuses to read a collection that does not exist, naming it', async () => {
    const uri = inject('milvusLiteUri');
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collection: 'no_such_collection' }, target: { type: 'hdf5', dir: tempDir() } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_SOURCE: source\.collection: "no_such_collection" does not exist on 127\.0\.0\.1:\d+/);
  });

  it('refuses partitions the collection does not have', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('nopart');
    await runPython('make_collection.py', ['--uri', uri, '--collection', source, '--rows', '10', '--expected', tempDir()]);
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collection: source, partitions: ['p9'] }, target: { type: 'hdf5', dir: tempDir() } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/source\.partitions: "p9" not in collection "[^"]+" \(it has _default\)/);
  });
});
