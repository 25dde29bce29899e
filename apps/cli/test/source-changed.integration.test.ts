/**
 * A source file another program rewrites while a run reads it (h5py writing rows in place).
 * Found this way: the run reported every row written, and its output mixed the file's old rows
 * with its new ones (the counts all agree). Now the run stops as the dataset's last batch is read
 * (MDM_SOURCE, naming the file and when it changed), a file target publishes nothing, the
 * interrupted run is not resumed over the changed file, and --restart copies the file as it is
 * now, bit for bit.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonToolsDir, runCli, runCliProcess, runPython, tempDir, writeJob } from '@milvusdm/testing';

const ROWS = 20_000;
let original = '';

beforeAll(async () => {
  original = join(tempDir(), 'original.h5');
  await runPython(join(pythonToolsDir, 'write_h5.py'), ['--out', original, '--rows', String(ROWS), '--dim', '32', '--seed', '47']);
});

async function appears(path: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each([
  { writer: 'hdf5', output: (dir: string) => join(dir, 'c', '_default.h5') },
  { writer: 'parquet', output: (dir: string) => join(dir, 'c', '_default') },
])('a source rewritten while a run reads it, into $writer', ({ writer, output }) => {
  it('stops the run in one line naming the file, publishes nothing, and --restart copies the file as it is now', async () => {
    const source = join(tempDir(), 'src.h5');
    copyFileSync(original, source);
    const out = join(tempDir(), 'out');
    const job = writeJob({
      source: { type: 'hdf5', path: source, collection: 'c' },
      target: { type: writer, dir: out },
      // 2,000 rows/s: 10 s, so the rewrite lands while rows are still being read, even on a loaded machine.
      run: { batch_rows: 1000, max_rows_per_second: 2000, state_dir: tempDir() },
    });
    const logs = tempDir();
    const run = runCliProcess(['run', job, '--log-dir', logs]);
    await appears(join(out, 'c'), 30_000);
    await new Promise((r) => setTimeout(r, 500));
    // Rows near the end: the run has not read them yet, so its output would hold the new ones.
    await runPython(join(import.meta.dirname, 'python', 'h5_overwrite_rows.py'), ['--file', source, '--start', '15000', '--stop', '16000']);
    const exit = await run.exit;
    const stderr = run.stderr();
    expect(exit.code, stderr).toBe(1);
    expect(stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error MDM_SOURCE: file ${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the source changed while this run read it \\(${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} was modified at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\)$`,
        ),
      ),
    ]);
    expect(stderr).toContain('hint: Its rows may mix the old and the new content.');
    expect(existsSync(output(out))).toBe(false);

    // Not resumed over the changed file: its cursors point into other content.
    const resumed = await runCli(['run', job, '--log-dir', logs]);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toMatch(/error MDM_RESUME: .*changed/);
    expect(existsSync(output(out))).toBe(false);

    const restarted = await runCli(['run', job, '--restart', '--log-dir', logs]);
    expect(restarted.code, restarted.stderr).toBe(0);
    const verdict =
      writer === 'hdf5'
        ? await runPython('verify_h5.py', ['--actual', output(out), '--expected', source, '--dtype', 'float32'])
        : await runPython(
            join(import.meta.dirname, '..', '..', '..', 'packages', 'writers', 'parquet', 'test', 'python', 'compare_parquet_h5.py'),
            ['--h5', source, join(output(out), 'part-00000.parquet')],
          );
    expect(verdict).toMatchObject(writer === 'hdf5' ? { ok: true, actual: ROWS } : { ok: true, rows: ROWS });
  });
});
