/**
 * A key repeated in the source, into a file target (HDF5, Parquet). Such a target is published
 * (renamed from `.partial`) only once whole, so under the default `duplicates: fail` the keys are
 * checked once after the last row instead of batch by batch (packages/core/src/pipeline/
 * deferred-keys.ts). What must hold: the run fails naming the repeat's row, the earlier row and
 * the key; nothing is published; a run killed before the end and resumed still finds a repeat
 * whose first occurrence the killed run wrote; and `duplicates: first` (after `--restart`) writes
 * every other row, bit for bit (checked with h5py).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { interrupt, repoRoot, runCli, runPython, tempDir, writeJob } from '@milvusdm/testing';

const GUARD_TOOLS = join(repoRoot, 'packages', 'writers', 'milvus', 'test', 'helpers', 'guard_tools.py');

/** The first row (in file order) whose id an earlier row has, that earlier row, and how many rows repeat one. */
function firstRepeat(ids: readonly string[]): { row: number; earlier: number; id: string; repeats: number } {
  const seen = new Map<string, number>();
  let first: { row: number; earlier: number; id: string } | undefined;
  let repeats = 0;
  ids.forEach((id, row) => {
    const earlier = seen.get(id);
    if (earlier === undefined) seen.set(id, row);
    else {
      repeats++;
      first ??= { row, earlier, id };
    }
  });
  return { ...first!, repeats };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let shuffled: { path: string; ids: string[] };
let ascending: { path: string; ids: string[] };
beforeAll(async () => {
  const dir = tempDir();
  // Ids in no order, two of them repeated: the check leaves its ascending fast path at once.
  shuffled = await runPython(GUARD_TOOLS, [
    'write',
    '--out',
    join(dir, 'shuffled.h5'),
    '--rows',
    '5000',
    '--dim',
    '8',
    '--dup',
    '10:600',
    '--dup',
    '20:4900',
    '--shuffle',
    '--seed',
    '5',
  ]);
  // Ascending ids but for one repeat near the end, whose first occurrence is row 10.
  ascending = await runPython(GUARD_TOOLS, [
    'write',
    '--out',
    join(dir, 'ascending.h5'),
    '--rows',
    '60000',
    '--dim',
    '8',
    '--dup',
    '10:50000',
  ]);
});

function job(source: string, target: Record<string, unknown>, run: Record<string, unknown> = {}) {
  return writeJob({ source: { type: 'hdf5', path: source, collection: 'dups' }, target, run: { batch_rows: 700, ...run } });
}

/** count and SHA-256 over (id, vector) sorted by id, as guard_tools computes it (first row of each id kept). */
function digest(h5: string) {
  return runPython<{ count: number; digest: string }>(GUARD_TOOLS, ['expected', '--h5', h5, '--keep', 'first']);
}

describe('a repeated key into a file target', () => {
  it('HDF5: exit 1 naming the repeat, the earlier row and the id; nothing published; duplicates: first is exact', async () => {
    const out = tempDir();
    const r = await runCli(['run', job(shuffled.path, { type: 'hdf5', dir: out, h2m_yaml: false }), '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(1);
    const want = firstRepeat(shuffled.ids);
    expect(want.repeats).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `MDM_INVALID_DATA: .*row ${want.row} \\(id ${want.id}\\): the key occurs more than once in the source \\(row ${want.earlier} has it too; 2 keys occur more than once\\); the output was not published`,
      ),
    );
    expect(existsSync(join(out, 'dups', '_default.h5'))).toBe(false);

    const kept = tempDir();
    const ok = await runCli([
      'run',
      job(shuffled.path, { type: 'hdf5', dir: kept, h2m_yaml: false }, { duplicates: 'first' }),
      '--log-dir',
      tempDir(),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/2 repeated key\(s\) dropped/);
    expect(await digest(join(kept, 'dups', '_default.h5'))).toEqual(await digest(shuffled.path));
    expect((await digest(join(kept, 'dups', '_default.h5'))).count).toBe(4998);
  });

  it('Parquet: exit 1 naming the repeat; no folder published', async () => {
    const out = tempDir();
    const r = await runCli(['run', job(shuffled.path, { type: 'parquet', dir: out }), '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(1);
    const want = firstRepeat(shuffled.ids);
    expect(r.stderr).toMatch(new RegExp(`row ${want.row} \\(id ${want.id}\\): the key occurs more than once`));
    const folder = join(out, 'dups');
    expect(existsSync(folder) ? readdirSync(folder).filter((f) => !f.endsWith('.partial')) : []).toEqual([]);
  });

  it('killed mid-run and resumed: the repeat of a key the killed run wrote is still found; --restart with duplicates: first is exact', async () => {
    const out = tempDir();
    const stateDir = tempDir('milvusdm-state-');
    const target = { type: 'hdf5', dir: out, h2m_yaml: false };
    // Capped so the kill lands mid-run (about 4 s for 60,000 rows).
    const run = { batch_rows: 1000, state_dir: stateDir, max_rows_per_second: 15_000 };
    const file = job(ascending.path, target, run);
    const killed = await interrupt(['run', file, '--log-dir', tempDir()], stateDir, 20_000, 0, 'SIGKILL');
    expect(killed.interrupted, killed.stderr).toBe(true);
    expect(killed.rowsAtKill).toBeLessThan(50_000);

    const resumed = await runCli(['run', file, '--log-dir', tempDir()]);
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toMatch(/resuming/);
    expect(resumed.stderr).toMatch(
      new RegExp(`row 50000 \\(id ${escape(ascending.ids[10]!)}\\): the key occurs more than once in the source \\(row 10 has it too\\)`),
    );
    expect(existsSync(join(out, 'dups', '_default.h5'))).toBe(false);

    // The hint's way out: keep one row per key, and start over (the job changed).
    const fixed = job(ascending.path, target, { batch_rows: 1000, state_dir: stateDir, duplicates: 'first' });
    const again = await runCli(['run', fixed, '--log-dir', tempDir(), '--restart']);
    expect(again.code, again.stderr).toBe(0);
    expect(await digest(join(out, 'dups', '_default.h5'))).toEqual(await digest(ascending.path));
    expect((await digest(join(out, 'dups', '_default.h5'))).count).toBe(59_999);
  });
});
