/**
 * Indexes too large to commit, written by Faiss into a temporary folder when the test starts:
 * many batches, lists split across batches, random signed 64-bit ids through an IDMap2 over
 * IVFFlat. Migrated with the real CLI into HDF5 and Milvus Lite and compared bit for bit with
 * what Faiss itself reads from the same files.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runPython, tempDir, uniqueName } from '@milvusdm/testing';
import { pythonDir, runJob, type Verdict } from './helpers/jobs.js';

const dir = tempDir('milvusdm-faiss-large-');
const ivf = { index: join(dir, 'ivf_200k.index'), expected: join(dir, 'ivf_200k.h5'), rows: 200_000 };
const flat = { index: join(dir, 'flat_150k.index'), expected: join(dir, 'flat_150k.h5'), rows: 150_000 };

beforeAll(async () => {
  await runPython(join(pythonDir, 'make_index.py'), [
    ivf.index,
    '--kind',
    'idmap2_ivfflat',
    '--n',
    String(ivf.rows),
    '--d',
    '37',
    '--nlist',
    '256',
    '--expected',
    ivf.expected,
  ]);
  await runPython(join(pythonDir, 'make_index.py'), [
    flat.index,
    '--kind',
    'flat',
    '--n',
    String(flat.rows),
    '--d',
    '13',
    '--metric',
    'IP',
    '--expected',
    flat.expected,
  ]);
});

describe('large indexes', () => {
  it('F2H: IDMap2 > IVFFlat, 200k × 37, random signed ids, in odd-sized batches', async () => {
    const out = tempDir();
    const r = await runJob({ path: ivf.index }, { type: 'hdf5', dir: out }, ['--batch-rows', '7777']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('done: 200000 rows');
    const verdict = await runPython<Verdict>('verify_h5.py', [
      '--actual',
      join(out, 'ivf_200k', '_default.h5'),
      '--expected',
      ivf.expected,
      '--dtype',
      'float32',
    ]);
    expect(verdict).toMatchObject({ ok: true, expected: ivf.rows, actual: ivf.rows });
  });

  it('F2H: IndexFlatIP, 150k × 13, ids 0 … n-1', async () => {
    const out = tempDir();
    const r = await runJob({ path: flat.index, collection: 'flat' }, { type: 'hdf5', dir: out });
    expect(r.code, r.stderr).toBe(0);
    const verdict = await runPython<Verdict>('verify_h5.py', [
      '--actual',
      join(out, 'flat', '_default.h5'),
      '--expected',
      flat.expected,
      '--dtype',
      'float32',
    ]);
    expect(verdict).toMatchObject({ ok: true, expected: flat.rows, actual: flat.rows });
  });

  it('F2M: the 200k IVF index into Milvus Lite, every id and vector checked with pymilvus', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('faiss_large');
    const r = await runJob({ path: ivf.index }, { type: 'milvus', uri, collection });
    expect(r.code, r.stderr).toBe(0);
    const verdict = await runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--collection', collection, '--h5', ivf.expected]);
    expect(verdict).toMatchObject({ ok: true, expected: ivf.rows, counted: ivf.rows });
  });
});
