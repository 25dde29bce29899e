/**
 * Two runs writing one file target at the same time: the same job started twice, and two job
 * files with one target folder. Found this way: the second run took the first's `.partial`
 * output for an interrupted run's and wrote into it; the first then reported "done: 20000
 * rows" over an HDF5 file of 16,000. Now the second is refused before it writes (MDM_LOCKED,
 * naming the holder), and the first finishes exactly. A lock left by a killed run is taken over.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonToolsDir, runCli, runCliProcess, runPython, tempDir, writeJob } from '@milvusdm/testing';

const ROWS = 20_000;
let source = '';

beforeAll(async () => {
  source = join(tempDir(), 'src.h5');
  await runPython(join(pythonToolsDir, 'write_h5.py'), ['--out', source, '--rows', String(ROWS), '--dim', '32', '--seed', '43']);
});

/** Resolves once `path` exists, or fails after `ms`. */
async function appears(path: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as { name: string; parentPath: string; isFile(): boolean }[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function checkExact(writer: string, output: string): Promise<void> {
  const verdict =
    writer === 'hdf5'
      ? await runPython('verify_h5.py', ['--actual', output, '--expected', source, '--dtype', 'float32'])
      : await runPython(
          join(import.meta.dirname, '..', '..', '..', 'packages', 'writers', 'parquet', 'test', 'python', 'compare_parquet_h5.py'),
          [
            '--h5',
            source,
            ...readdirSync(output)
              .sort()
              .map((n) => join(output, n)),
          ],
        );
  expect(verdict).toMatchObject(writer === 'hdf5' ? { ok: true, actual: ROWS } : { ok: true, rows: ROWS });
}

describe.each([
  { writer: 'hdf5', output: (dir: string) => join(dir, 'c', '_default.h5') },
  { writer: 'parquet', output: (dir: string) => join(dir, 'c', '_default') },
])('two runs writing one $writer target at once', ({ writer, output }) => {
  it('refuses the second before it writes (the same job, and another job with the same target); the first ends exact', async () => {
    const out = join(tempDir(), 'out');
    const states = tempDir();
    const document = {
      source: { type: 'hdf5', path: source, collection: 'c' },
      target: { type: writer, dir: out },
      // 1,000 rows/s: 20 s, so the first run is still writing while the others start and fail,
      // however slow starting them is on a loaded machine (at 5,000 rows/s it once ended first).
      run: { batch_rows: 1000, max_rows_per_second: 1000, state_dir: states },
    };
    const job = writeJob(document);
    const otherJob = writeJob(document);
    const logs = tempDir();
    const first = runCliProcess(['run', job, '--log-dir', logs]);
    await appears(join(out, 'c'), 30_000);
    await new Promise((r) => setTimeout(r, 500));

    // Both at once, while the first writes.
    const [sameJob, sameTarget] = await Promise.all([
      runCli(['run', job, '--log-dir', logs]),
      runCli(['run', otherJob, '--log-dir', logs]),
    ]);
    expect(first.child.exitCode, 'the first run ended before the others were refused: the test proves nothing').toBeNull();
    expect(sameJob.code, sameJob.stderr).toBe(1);
    const held = new RegExp(
      `^error MDM_LOCKED: another milvusdm run is running the job ${escape(job)} \\(pid ${first.child.pid} on this host, started [^)]+\\); this run was refused before writing$`,
    );
    expect(errorLines(sameJob.stderr)).toEqual([expect.stringMatching(held)]);

    expect(sameTarget.code, sameTarget.stderr).toBe(1);
    expect(errorLines(sameTarget.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error MDM_LOCKED: another milvusdm run is writing ${escape(output(out))} \\(pid ${first.child.pid} on this host, started [^)]+\\); this run was refused before writing$`,
        ),
      ),
    ]);

    const exit = await first.exit;
    expect(exit.code, first.stderr()).toBe(0);
    expect(first.stderr()).toContain(`done: ${ROWS} rows`);
    await checkExact(writer, output(out));
    // No lock left behind, and the refused runs recorded nothing to resume.
    expect(filesUnder(out).filter((f) => f.endsWith('.lock') || f.includes('.partial'))).toEqual([]);
    expect(readdirSync(states)).toEqual([]);
  });

  it('takes over the locks a killed run left, says so, and finishes the job exactly', async () => {
    const out = join(tempDir(), 'out');
    const states = tempDir();
    const job = writeJob({
      source: { type: 'hdf5', path: source, collection: 'c' },
      target: { type: writer, dir: out },
      run: { batch_rows: 1000, max_rows_per_second: 5000, state_dir: states },
    });
    const logs = tempDir();
    const killed = runCliProcess(['run', job, '--log-dir', logs]);
    await appears(join(out, 'c'), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    killed.child.kill('SIGKILL');
    await killed.exit;
    const locks = [...filesUnder(out).filter((f) => f.endsWith('.lock')), ...readdirSync(states).filter((f) => f.endsWith('.lock'))];
    expect(locks).toHaveLength(2);

    const again = await runCli(['run', job, '--log-dir', logs]);
    expect(again.code, again.stderr).toBe(0);
    const takeovers = again.stderr.split('\n').filter((l) => l.startsWith('warn: taking over the lock'));
    expect(takeovers).toHaveLength(2);
    for (const line of takeovers)
      expect(line).toMatch(new RegExp(`: its run \\(pid ${killed.child.pid} on this host\\) is no longer running$`));
    await checkExact(writer, output(out));
    expect(filesUnder(out).filter((f) => f.endsWith('.lock'))).toEqual([]);
    expect(readdirSync(states)).toEqual([]);
  });

  it('with run: {lock: false}, takes no lock', async () => {
    const out = join(tempDir(), 'out');
    const job = writeJob({
      source: { type: 'hdf5', path: source, collection: 'c' },
      target: { type: writer, dir: out },
      run: { lock: false, state_dir: tempDir() },
    });
    // A lock file no run would take over (a live holder: this test's own process).
    const lockFile = `${output(out)}.lock`;
    mkdirSync(join(out, 'c'), { recursive: true });
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
    const run = await runCli(['run', job, '--log-dir', tempDir()]);
    expect(run.code, run.stderr).toBe(0);
    await checkExact(writer, output(out));
  });
});

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error'));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
