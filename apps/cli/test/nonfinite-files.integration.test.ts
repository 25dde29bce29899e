/**
 * Files keep NaN and ±Infinity: a job whose target is a file (HDF5, Parquet) copies such vectors
 * bit for bit instead of refusing them — the refusal is for servers that cannot store them
 * (Milvus 2.3; see packages/writers/milvus/test/guard.integration.test.ts), and a later load of
 * the file into such a server refuses them then. Checked by h5py and pyarrow, byte for byte.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { pythonToolsDir, repoRoot, runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

const GUARD_TOOLS = join(repoRoot, 'packages', 'writers', 'milvus', 'test', 'helpers', 'guard_tools.py');
const COMPARE_PARQUET = join(repoRoot, 'packages', 'writers', 'parquet', 'test', 'python', 'compare_parquet_h5.py');

let source: string;
beforeAll(async () => {
  source = join(tempDir(), 'nonfinite.h5');
  // NaN in row 700, +Inf in row 3, -Inf in row 999, spread over several batches.
  await runPython(GUARD_TOOLS, [
    'write',
    '--out',
    source,
    '--rows',
    '1000',
    '--dim',
    '8',
    '--nan-row',
    '700',
    '--inf-row',
    '3',
    '--neg-inf-row',
    '999',
  ]);
});

function run(target: Record<string, unknown>) {
  return runCli([
    'run',
    writeJob({ source: { type: 'hdf5', path: source, collection: 'nf' }, target, run: { batch_rows: 300 } }),
    '--log-dir',
    tempDir(),
  ]);
}

describe('NaN and ±Infinity into files', () => {
  it('H2H copies them bit for bit', async () => {
    const out = tempDir();
    const r = await run({ type: 'hdf5', dir: out, h2m_yaml: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/MDM_INVALID_DATA|skipped/);
    const v = await runPython<{ ok: boolean; actual: number; expected: number }>(join(pythonToolsDir, 'verify_h5.py'), [
      '--actual',
      join(out, 'nf', '_default.h5'),
      '--expected',
      source,
      '--dtype',
      'float32',
    ]);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, actual: 1000, expected: 1000 });
  });

  it('H → Parquet copies them bit for bit', async () => {
    const out = tempDir();
    const r = await run({ type: 'parquet', dir: out });
    expect(r.code, r.stderr).toBe(0);
    const folder = join(out, 'nf', '_default');
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.parquet'))
      .map((f) => join(folder, f));
    const v = await runPython<{ ok: boolean; rows: number }>(COMPARE_PARQUET, ['--h5', source, ...files]);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, rows: 1000 });
  });

  it('the same file into Milvus is still refused, naming the row', async () => {
    // The screen runs before a batch is sent, and the first bad row (row 3, +Inf) is in the first batch.
    const collection = uniqueName('nonfinite');
    const r = await run({ type: 'milvus', uri: inject('milvusLiteUri'), collection });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 3 \(id \S+\): vector field "embedding" holds Infinity/);
    expect(r.stderr).toMatch(new RegExp(`dropped collection "${collection}"`));
  });
});
