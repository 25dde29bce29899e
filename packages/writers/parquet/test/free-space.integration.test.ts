/**
 * A disk too small for what the job will certainly write: refused before any row is written,
 * in one line naming the folder and both sizes, with nothing left behind. Needs a small file
 * system of its own (a tmpfs, which only root can mount): skipped, saying so, elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonToolsDir, runCli, runPython, tempDir, writeJob } from '@milvusdm/testing';

const mountPoint = join(tempDir(), 'small-disk');
let mounted = false;
beforeAll(() => {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    console.warn('free-space test skipped: cannot mount a 4 MiB tmpfs here (needs root)');
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
});

describe('a target folder without room', () => {
  it('is refused before writing: one line, exit 1, nothing left', async (ctx) => {
    if (!mounted) return ctx.skip();
    const source = join(tempDir(), 'big.h5');
    // 20,000 × 128 float32 = 10 MiB of vectors: more than the 4 MiB disk holds.
    await runPython(join(pythonToolsDir, 'write_h5.py'), ['--out', source, '--rows', '20000', '--dim', '128', '--seed', '3']);
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: source, collection: 'big' }, target: { type: 'parquet', dir: mountPoint } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error MDM_IO: .*small-disk\/big\/_default\.partial: .* \(20000 rows\) needs about 9\.\d MiB but only \d\.\d MiB is free/,
    );
    // Not even the collection's folder (made for the run's lock, removed with it).
    expect(readdirSync(mountPoint)).toEqual([]);
    // The hdf5 writer refuses the same way, before its file exists.
    const h = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: source, collection: 'big_h5' }, target: { type: 'hdf5', dir: mountPoint } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(h.code).toBe(1);
    expect(h.stderr).toMatch(/error MDM_IO: .*small-disk\/big_h5: .* \(20000 rows\) needs about 9\.\d MiB but only \d\.\d MiB is free/);
    expect(readdirSync(mountPoint)).toEqual([]);
  });
});
