/**
 * The live-Milvus channels of resume.integration.test.ts, with Milvus 2.3 as the live end:
 * H2M, H2M into autoid, M2M (a live collection on Milvus Lite into Milvus 2.3), M2H (a live
 * collection on Milvus 2.3 into HDF5) and F2M, each killed (kill -9, Ctrl-C) at seeded moments,
 * run again until complete, then compared bit for bit by pymilvus / h5py. Milvus 2.3 keeps every
 * copy of a key an insert repeats, so a doubled row shows there as it would not on Milvus Lite.
 *
 * Part of the soak (scripts/soak.sh --milvus23, or MILVUSDM_KILL_MILVUS23=1); skipped otherwise,
 * as CI already runs H2M into Milvus 2.3 in resume.integration.test.ts. Same knobs:
 * MILVUSDM_KILL_POINTS, MILVUSDM_KILL_ROWS, MILVUSDM_KILL_SEED.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import {
  checkResumedCleanly,
  killAndResume,
  pythonToolsDir,
  repoRoot,
  runPython,
  tempDir,
  uniqueName,
  writeJob,
  type KillPlan,
} from '@milvusdm/testing';

const ENABLED = process.env['MILVUSDM_KILL_MILVUS23'] === '1';
const POINTS = Number(process.env['MILVUSDM_KILL_POINTS'] ?? 2);
const SEED = Number(process.env['MILVUSDM_KILL_SEED'] ?? 20261130);
const ROWS = Number(process.env['MILVUSDM_KILL_ROWS'] ?? 16_000);
const BATCH = Math.max(200, Math.floor(ROWS / 40));
const faissPython = join(repoRoot, 'packages', 'readers', 'faiss', 'test', 'python');

interface Verdict {
  readonly ok: boolean;
  readonly expected: number;
  readonly counted?: number;
  readonly actual?: number;
}

function job(source: Record<string, unknown>, target: Record<string, unknown>) {
  const stateDir = tempDir('milvusdm-state-');
  const file = writeJob({ source, target, run: { batch_rows: BATCH, state_dir: stateDir } });
  return { file, stateDir, args: ['run', file, '--log-dir', tempDir()] };
}

async function h5Source(rows: number, seed: number, ids = 'int64'): Promise<string> {
  const file = join(tempDir(), 'source.h5');
  await runPython(join(pythonToolsDir, 'write_h5.py'), [
    ...['--out', file, '--rows', String(rows), '--dim', '8', '--seed', String(seed), '--ids', ids],
  ]);
  return file;
}

async function liveSource(uri: string, token: string, rows: number, seed: number): Promise<{ collection: string; expected: string }> {
  const collection = uniqueName('kill23_src');
  const expected = tempDir();
  await runPython(join(pythonToolsDir, 'make_collection.py'), [
    ...['--uri', uri, '--token', token, '--collection', collection, '--rows', String(rows), '--dim', '8'],
    ...['--partitions', 'p1,p2', '--seed', String(seed), '--expected', expected],
  ]);
  return { collection, expected };
}

async function verifyMilvus(uri: string, token: string, collection: string, h5: string): Promise<void> {
  const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_milvus.py'), [
    ...['--uri', uri, '--token', token, '--collection', collection, '--h5', h5],
  ]);
  expect(v, JSON.stringify(v)).toMatchObject({ ok: true, expected: v.expected, counted: v.expected });
}

async function verifyH5(actual: string, expected: string): Promise<void> {
  const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_h5.py'), [
    ...['--actual', actual, '--expected', expected, '--dtype', 'float32'],
  ]);
  expect(v, JSON.stringify(v)).toMatchObject({ ok: true, actual: v.expected });
}

const signals = [
  ['kill -9', 'SIGKILL'],
  ['Ctrl-C', 'SIGINT'],
] as const;

describe.runIf(ENABLED).each(signals)('resume after %s, Milvus 2.3 as the live end', (_label, signal) => {
  const plan = (seed: number): KillPlan => ({
    seed: SEED + 2300 + seed + (signal === 'SIGINT' ? 1000 : 0),
    points: signal === 'SIGINT' ? Math.max(1, POINTS - 1) : POINTS,
    signal,
    totalRows: ROWS,
    ...(signal === 'SIGINT' ? { spread: 0.6, jitterMs: 20 } : {}),
  });
  const m23 = () => {
    const uri = inject('milvus23Uri');
    if (!uri) throw new Error('Milvus 2.3 is not running (MILVUSDM_SKIP_MILVUS23=1?): the soak with --milvus23 needs it');
    return { uri, token: inject('milvus23Token') };
  };

  it('H2M: HDF5 into Milvus 2.3', async () => {
    const { uri, token } = m23();
    const source = await h5Source(ROWS, 51);
    const collection = uniqueName('kill23_h2m');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri, token, collection, mode: 'append' });
    const p = plan(1);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(uri, token, collection, source);
  });

  it('H2M into a Milvus 2.3 collection whose keys the server assigns (autoid)', async () => {
    const { uri, token } = m23();
    const source = await h5Source(ROWS, 57, 'none');
    const collection = uniqueName('kill23_autoid');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri, token, collection, mode: 'append' });
    const p = plan(7);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    const v = await runPython<Verdict & { missing?: number; extra?: number }>(join(pythonToolsDir, 'verify_autoid.py'), [
      ...['--uri', uri, '--token', token, '--collection', collection, '--h5', source],
    ]);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, counted: ROWS, missing: 0, extra: 0 });
  });

  it('M2M: a live collection on Milvus Lite into Milvus 2.3', async () => {
    const { uri, token } = m23();
    const lite = inject('milvusLiteUri');
    const src = await liveSource(lite, '', ROWS, 53);
    const collection = uniqueName('kill23_m2m');
    const j = job({ type: 'milvus', uri: lite, collection: src.collection }, { type: 'milvus', uri, token, collection, mode: 'overwrite' });
    const p = plan(3);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(uri, token, collection, join(src.expected, 'all.h5'));
  });

  it('M2H: a live collection on Milvus 2.3 into HDF5', async () => {
    const { uri, token } = m23();
    const src = await liveSource(uri, token, ROWS, 54);
    const out = tempDir();
    const j = job({ type: 'milvus', uri, token, collection: src.collection }, { type: 'hdf5', dir: out });
    const p = plan(4);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    for (const part of ['p1', 'p2']) await verifyH5(join(out, src.collection, `${part}.h5`), join(src.expected, `${part}.h5`));
  });

  it('F2M: a Faiss index into Milvus 2.3', async () => {
    const { uri, token } = m23();
    const index = join(tempDir(), 'source.index');
    await runPython(join(faissPython, 'make_index.py'), [
      ...[index, '--kind', 'idmap2_ivfflat', '--n', String(ROWS), '--d', '8', '--nlist', '16', '--seed', '55'],
    ]);
    const expected = join(tempDir(), 'expected.h5');
    await runPython(join(faissPython, 'faiss_expected.py'), [index, expected]);
    const collection = uniqueName('kill23_f2m');
    const j = job({ type: 'faiss', path: index, collection }, { type: 'milvus', uri, token, mode: 'upsert' });
    const p = plan(5);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(uri, token, collection, expected);
  });
});

describe.skipIf(ENABLED)('resume with Milvus 2.3 as the live end', () => {
  it.skip('runs in the soak only (scripts/soak.sh --milvus23, or MILVUSDM_KILL_MILVUS23=1)', () => {});
});
