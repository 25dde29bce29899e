/**
 * Interrupted runs resumed: each channel into Milvus and into HDF5 is killed (kill -9, or Ctrl-C)
 * at seeded moments, run again until it completes, and the target is then compared bit for bit
 * with the source by an independent reader (pymilvus, h5py). Nothing missing, nothing doubled.
 *
 * CI runs a few kill points per channel (MILVUSDM_KILL_POINTS, default 2); scripts/soak.sh runs
 * the full set with more points and rows. MILVUSDM_KILL_SEED replays a sequence.
 */
import { existsSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkResumedCleanly,
  interrupt,
  killAndResume,
  pythonToolsDir,
  repoRoot,
  runCli,
  runPython,
  tempDir,
  uniqueName,
  writeJob,
  type KillPlan,
} from '@milvusdm/testing';

const POINTS = Number(process.env['MILVUSDM_KILL_POINTS'] ?? 2);
const SEED = Number(process.env['MILVUSDM_KILL_SEED'] ?? 20261130);
/** Rows per channel: about 200k over the whole file in CI. */
const ROWS = Number(process.env['MILVUSDM_KILL_ROWS'] ?? 16_000);
const BATCH = Math.max(200, Math.floor(ROWS / 40));
const faissPython = join(repoRoot, 'packages', 'readers', 'faiss', 'test', 'python');

interface Verdict {
  readonly ok: boolean;
  readonly expected: number;
  readonly counted?: number;
  readonly actual?: number;
  readonly mismatches?: unknown[];
}

let uri: string;
beforeAll(() => {
  uri = inject('milvusLiteUri');
});

/**
 * File to file runs in well under a second on an idle machine, too fast for a kill at a row count
 * to land reliably: those jobs are capped at this rate (rows per second), so each run lasts about
 * four seconds. The cap only spaces the batches out; they stay whole (run.max_rows_per_second).
 */
const FILE_TO_FILE_RATE = Math.max(1000, Math.floor(ROWS / 4));

/** A job with its own state folder, and the arguments that run it. */
function job(source: Record<string, unknown>, target: Record<string, unknown>, run: Record<string, unknown> = {}) {
  const stateDir = tempDir('milvusdm-state-');
  const file = writeJob({ source, target, run: { batch_rows: BATCH, state_dir: stateDir, ...run } });
  return { file, stateDir, args: ['run', file, '--log-dir', tempDir()] };
}

async function h5Source(rows: number, seed: number, dim = 8): Promise<string> {
  const file = join(tempDir(), 'source.h5');
  await runPython(join(pythonToolsDir, 'write_h5.py'), [
    '--out',
    file,
    '--rows',
    String(rows),
    '--dim',
    String(dim),
    '--seed',
    String(seed),
  ]);
  return file;
}

async function liveSource(rows: number, seed: number): Promise<{ collection: string; expected: string }> {
  const collection = uniqueName('kill_src');
  const expected = tempDir();
  await runPython(join(pythonToolsDir, 'make_collection.py'), [
    '--uri',
    uri,
    '--collection',
    collection,
    '--rows',
    String(rows),
    '--dim',
    '8',
    '--partitions',
    'p1,p2',
    '--seed',
    String(seed),
    '--expected',
    expected,
  ]);
  return { collection, expected };
}

async function faissSource(rows: number, seed: number, kind = 'idmap2_ivfflat', dim = 8): Promise<{ index: string; expected: string }> {
  const index = join(tempDir(), 'source.index');
  await runPython(join(faissPython, 'make_index.py'), [
    index,
    '--kind',
    kind,
    '--n',
    String(rows),
    '--d',
    String(dim),
    '--nlist',
    '16',
    '--seed',
    String(seed),
  ]);
  const expected = join(tempDir(), 'expected.h5');
  await runPython(join(faissPython, 'faiss_expected.py'), [index, expected]);
  return { index, expected };
}

async function verifyMilvus(collection: string, h5: string, idField = 'id', vectorField = 'embedding'): Promise<void> {
  const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_milvus.py'), [
    '--uri',
    uri,
    '--collection',
    collection,
    '--h5',
    h5,
    '--id-field',
    idField,
    '--vector-field',
    vectorField,
  ]);
  expect(v, JSON.stringify(v)).toMatchObject({ ok: true, expected: v.expected, counted: v.expected });
}

async function verifyH5(actual: string, expected: string): Promise<void> {
  expect(existsSync(`${actual}.partial`)).toBe(false);
  const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_h5.py'), [
    '--actual',
    actual,
    '--expected',
    expected,
    '--dtype',
    'float32',
  ]);
  expect(v, JSON.stringify(v)).toMatchObject({ ok: true, actual: v.expected });
}

const signals = [
  ['kill -9', 'SIGKILL'],
  ['Ctrl-C', 'SIGINT'],
] as const;

describe.each(signals)('resume after %s', (_label, signal) => {
  const plan = (seed: number, byTimeMs?: number): KillPlan => ({
    seed: SEED + seed + (signal === 'SIGINT' ? 1000 : 0),
    // Ctrl-C leaves a clean state (the batch in flight finishes); kill -9 is the harder case.
    points: signal === 'SIGINT' ? Math.max(1, POINTS - 1) : POINTS,
    signal,
    totalRows: ROWS,
    // Ctrl-C is handled between batches: it must land early enough, and soon after its point, to interrupt a fast job.
    ...(signal === 'SIGINT' ? { spread: 0.6, jitterMs: 20 } : {}),
    ...(byTimeMs ? { byTimeMs } : {}),
  });

  it('H2M: HDF5 into Milvus', async () => {
    const source = await h5Source(ROWS, 11);
    const collection = uniqueName('kill_h2m');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri, collection, mode: 'append' });
    const p = plan(1);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(collection, source);
  });

  it('H2M into a collection whose keys the server assigns (autoid)', async () => {
    const source = join(tempDir(), 'noids.h5');
    await runPython(join(pythonToolsDir, 'write_h5.py'), [
      '--out',
      source,
      '--rows',
      String(ROWS),
      '--dim',
      '8',
      '--ids',
      'none',
      '--seed',
      '17',
    ]);
    const collection = uniqueName('kill_autoid');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri, collection, mode: 'append' });
    const p = plan(7);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_autoid.py'), [
      '--uri',
      uri,
      '--collection',
      collection,
      '--h5',
      source,
    ]);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, counted: ROWS, missing: 0, extra: 0 });
  });

  it('H2H: HDF5 into HDF5', async () => {
    // File to file is fast: the rate cap, wide vectors and the harness's 10 ms saves make kills land mid-run.
    const source = await h5Source(ROWS, 12, 512);
    const out = tempDir();
    const j = job(
      { type: 'hdf5', path: source, collection: 'h2h' },
      { type: 'hdf5', dir: out },
      { max_rows_per_second: FILE_TO_FILE_RATE },
    );
    const p = plan(2);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyH5(join(out, 'h2h', '_default.h5'), source);
  });

  it('M2M: a live collection with partitions into Milvus', async () => {
    const src = await liveSource(ROWS, 13);
    const collection = uniqueName('kill_m2m');
    const j = job({ type: 'milvus', uri, collection: src.collection }, { type: 'milvus', uri, collection, mode: 'overwrite' });
    const p = plan(3);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(collection, join(src.expected, 'all.h5'));
  });

  it('M2H: a live collection with partitions into HDF5', async () => {
    const src = await liveSource(ROWS, 14);
    const out = tempDir();
    // Capped: reading Milvus Lite by pages, 16k rows land in HDF5 in about a second.
    const j = job(
      { type: 'milvus', uri, collection: src.collection },
      { type: 'hdf5', dir: out },
      { max_rows_per_second: FILE_TO_FILE_RATE },
    );
    const p = plan(4);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    for (const part of ['p1', 'p2']) await verifyH5(join(out, src.collection, `${part}.h5`), join(src.expected, `${part}.h5`));
  });

  it('F2M: a Faiss index into Milvus', async () => {
    const src = await faissSource(ROWS, 15);
    const collection = uniqueName('kill_f2m');
    const j = job({ type: 'faiss', path: src.index, collection }, { type: 'milvus', uri, mode: 'upsert' });
    const p = plan(5);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyMilvus(collection, src.expected);
  });

  it('F2H: a Faiss index into HDF5', async () => {
    const src = await faissSource(ROWS, 16, 'idmap_flat', 512);
    const out = tempDir();
    const j = job(
      { type: 'faiss', path: src.index, collection: 'f2h' },
      { type: 'hdf5', dir: out },
      { max_rows_per_second: FILE_TO_FILE_RATE },
    );
    const p = plan(6);
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    await verifyH5(join(out, 'f2h', '_default.h5'), src.expected);
  });
});

describe('resume after kill -9 on Milvus 2.3 (inserts there keep every copy of a key)', () => {
  // The default window of requests in flight, and the adaptive one (concurrency: auto), whose
  // resume must cover as many requests as it may ever have had in flight.
  it.for([
    ['H2M: HDF5 into Milvus 2.3, nothing doubled', {}, 31],
    ['H2M: HDF5 into Milvus 2.3 with concurrency auto, nothing doubled', { concurrency: 'auto', batch_bytes: 64 * 1024 }, 32],
  ] as const)('%s', async ([, extra, seed], ctx) => {
    const uri23 = inject('milvus23Uri');
    if (!uri23) return ctx.skip(); // MILVUSDM_SKIP_MILVUS23=1 (local runs only; CI always starts it)
    const token = inject('milvus23Token');
    const source = await h5Source(ROWS, seed);
    const collection = uniqueName('kill_h2m23');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri: uri23, token, collection, mode: 'append', ...extra });
    const p: KillPlan = { seed: SEED + seed, points: POINTS, signal: 'SIGKILL', totalRows: ROWS };
    checkResumedCleanly(await killAndResume(j.args, j.stateDir, p), p, j.stateDir);
    const v = await runPython<Verdict>(join(pythonToolsDir, 'verify_milvus.py'), [
      '--uri',
      uri23,
      '--token',
      token,
      '--collection',
      collection,
      '--h5',
      source,
    ]);
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, expected: ROWS, counted: ROWS });
  });
});

describe('resume refused or restarted', () => {
  it('a source changed since the interrupted run is refused with what changed; --restart starts over', async () => {
    const source = await h5Source(ROWS, 21);
    const collection = uniqueName('kill_changed');
    const j = job({ type: 'hdf5', path: source }, { type: 'milvus', uri, collection, mode: 'overwrite' });
    const killed = await interrupt(j.args, j.stateDir, ROWS / 3, 10, 'SIGKILL');
    expect(killed.interrupted, killed.stderr).toBe(true);
    utimesSync(source, new Date(), new Date(Date.now() + 10_000));
    const refused = await runCli(j.args);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(
      /error MDM_RESUME: the source of .*job\.yaml changed since its interrupted run .*: \/.*source\.h5 was modified at \d{4}-\d\d-\d\dT/,
    );
    expect(refused.stderr).toMatch(/hint: Run the same command with --restart/);
    const restarted = await runCli([...j.args, '--restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    await verifyMilvus(collection, source);
  });

  it('a job edited since the interrupted run is refused; --restart starts over', async () => {
    const source = await h5Source(ROWS, 22);
    const out = tempDir();
    const stateDir = tempDir('milvusdm-state-');
    const doc = {
      source: { type: 'hdf5', path: source, collection: 'edited' },
      target: { type: 'hdf5', dir: out },
      // Capped like the other file-to-file kill tests, so that the kill lands while the partial file is still being written.
      run: { batch_rows: BATCH, state_dir: stateDir, max_rows_per_second: FILE_TO_FILE_RATE },
    };
    const file = writeJob(doc);
    const args = ['run', file, '--log-dir', tempDir()];
    const killed = await interrupt(args, stateDir, ROWS / 3, 10, 'SIGKILL');
    expect(killed.interrupted, killed.stderr).toBe(true);
    writeFileSync(file, JSON.stringify({ ...doc, target: { ...doc.target, compression: 1 } }));
    const refused = await runCli(args);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/error MDM_RESUME: .*job\.yaml changed since its interrupted run/);
    // Refused before writing: the partial file is still the interrupted run's.
    expect(existsSync(join(out, 'edited', '_default.h5.partial'))).toBe(true);
    const restarted = await runCli([...args, '--restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    await verifyH5(join(out, 'edited', '_default.h5'), source);
  });

  it('the state file holds no secret', async () => {
    const src = await liveSource(4000, 23);
    const out = tempDir();
    const secret = 'Sup3r-s3cret-t0ken';
    // Capped, so that the kill lands before the run ends (and removes its state): 4,000 rows from
    // Milvus Lite are one page, into HDF5 in well under a second.
    const j = job(
      { type: 'milvus', uri, collection: src.collection, token: secret },
      { type: 'hdf5', dir: out },
      { max_rows_per_second: 2000 },
    );
    const killed = await interrupt(j.args, j.stateDir, 1, 0, 'SIGKILL');
    const files = readdirSync(j.stateDir).filter((f) => f.endsWith('.state.json'));
    expect(files.length, killed.stderr).toBe(1);
    const text = readFileSync(join(j.stateDir, files[0]!), 'utf8');
    expect(text).not.toContain(secret);
  });
});
