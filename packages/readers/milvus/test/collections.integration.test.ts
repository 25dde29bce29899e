/**
 * One run reading several collections of a live server (`collections:`): each collection's
 * partitions become datasets of their own, written where they belong, every row exactly once.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  expected: number;
  actual: number;
}

describe('reading several collections in one run', () => {
  it('M2H of two collections, one with partitions: one exact file per partition of each', async () => {
    const uri = inject('milvusLiteUri');
    const made = [
      { name: uniqueName('many_a'), rows: 3000, partitions: 'p1,p2', files: ['p1', 'p2'] },
      { name: uniqueName('many_b'), rows: 1200, partitions: '', files: ['_default'] },
    ];
    const expected = new Map<string, string>();
    for (const [i, c] of made.entries()) {
      const dir = tempDir();
      expected.set(c.name, dir);
      const args = [
        '--uri',
        uri,
        '--collection',
        c.name,
        '--rows',
        String(c.rows),
        '--dim',
        '8',
        '--seed',
        String(i + 3),
        '--expected',
        dir,
      ];
      await runPython('make_collection.py', c.partitions ? [...args, '--partitions', c.partitions] : args);
    }
    const out = tempDir();
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collections: made.map((c) => c.name) },
        target: { type: 'hdf5', dir: out, h2m_yaml: false },
        run: { batch_rows: 500 },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    for (const c of made) {
      for (const f of c.files) {
        const actual = join(out, c.name, `${f}.h5`);
        // make_collection writes <partition>.h5 per partition, and all.h5 for a collection without them.
        const want = join(expected.get(c.name)!, f === '_default' ? 'all.h5' : `${f}.h5`);
        const v = await runPython<Verdict>('verify_h5.py', ['--actual', actual, '--expected', want, '--dtype', 'float32']);
        expect(v, `${c.name}/${f}`).toMatchObject({ ok: true });
      }
    }
  });

  it('refuses a job naming both collection and collections, or partitions with several collections', async () => {
    const uri = inject('milvusLiteUri');
    const both = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collection: 'a', collections: ['b'] }, target: { type: 'hdf5', dir: tempDir() } }),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/source\.collection: name either collection or collections/);
    const parts = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collections: ['a', 'b'], partitions: ['p'] }, target: { type: 'hdf5', dir: tempDir() } }),
    ]);
    expect(parts.code).toBe(2);
    expect(parts.stderr).toMatch(/source\.partitions: partitions can be chosen for one collection only/);
  });

  it('names a listed collection that does not exist', async () => {
    const uri = inject('milvusLiteUri');
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'milvus', uri, collections: [uniqueName('nope')] }, target: { type: 'hdf5', dir: tempDir() } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_SOURCE: source\.collections: "nope_\w+" does not exist/);
  });
});
