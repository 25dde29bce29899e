/**
 * H → Parquet killed (kill -9) at seeded points and resumed until it finishes, through the real
 * CLI with the kill harness of apps/cli: the finished folder holds every row once, in order, bit
 * for bit (pyarrow against h5py), no `.partial` file or folder is left, and the parts number from
 * 0 without a gap.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killAndResume, pythonToolsDir, runPython, tempDir, writeJob, type KillPlan } from '@milvusdm/testing';

const ROWS = 16_000;

describe('parquet writer: resumed after kill -9', { timeout: 600_000 }, () => {
  it('H → Parquet: every row once, bit for bit, nothing partial left', async () => {
    const source = join(tempDir(), 'source.h5');
    // Wide vectors make file-to-file slow enough for kills to land mid-run.
    await runPython(join(pythonToolsDir, 'write_h5.py'), ['--out', source, '--rows', String(ROWS), '--dim', '512', '--seed', '29']);
    const out = tempDir();
    const stateDir = tempDir('milvusdm-state-');
    const file = writeJob({
      source: { type: 'hdf5', path: source, collection: 'h2p' },
      target: { type: 'parquet', dir: out, file_rows: 1200 },
      // Capped (rows per second) so each run lasts a few seconds: H → Parquet can otherwise end
      // before a kill at a seeded delay lands.
      run: { batch_rows: 400, state_dir: stateDir, max_rows_per_second: 4000 },
    });
    const plan: KillPlan = { seed: 20261130, points: 3, signal: 'SIGKILL', totalRows: ROWS, byTimeMs: 1500 };
    const report = await killAndResume(['run', file, '--log-dir', tempDir()], stateDir, plan);
    const detail = JSON.stringify(report.runs.map((r) => ({ code: r.code, signal: r.signal, rows: r.rowsAtKill })));
    expect(report.final.code, `${report.final.stderr}\n${detail}`).toBe(0);
    expect(report.interrupted, detail).toBeGreaterThan(0);
    const folder = join(out, 'h2p', '_default');
    expect(existsSync(`${folder}.partial`)).toBe(false);
    const names = readdirSync(folder).sort();
    expect(names).toEqual(Array.from({ length: Math.ceil(ROWS / 1200) }, (_, i) => `part-${String(i).padStart(5, '0')}.parquet`));
    const v = await runPython<{ ok: boolean; rows: number }>(join(import.meta.dirname, 'python', 'compare_parquet_h5.py'), [
      '--h5',
      source,
      ...names.map((n) => join(folder, n)),
    ]);
    expect(v, detail).toMatchObject({ ok: true, rows: ROWS });
  });
});
