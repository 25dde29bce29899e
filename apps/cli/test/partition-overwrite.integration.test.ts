/**
 * `mode: overwrite` into a partition, killed (kill -9) at seeded moments and run again until it
 * completes, on Milvus Lite 3.2 and Milvus 2.3. Checked by an independent reader (pymilvus):
 *
 * - while the new rows are written (kills at seeded row counts): after every kill the old
 *   partition holds exactly its old rows, bit for bit, and is queryable;
 * - during the replace (kills at seeded moments after it announced itself): the complete new
 *   rows are in the fill collection, which `milvusdm cleanup --apply` keeps; the other partition
 *   is untouched;
 * - at the end: the partition holds exactly the new rows, bit for bit; the other partition is
 *   untouched; no staging, fill or lock collection is left.
 *
 * MILVUSDM_KILL_POINTS sets the kills per phase: one in CI (each kill costs a few independent
 * reads of the collection on both servers), 20 in scripts/soak.sh. MILVUSDM_KILL_SEED replays.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import {
  interrupt,
  interruptOnOutput,
  pythonToolsDir,
  runCli,
  runPython,
  seeded,
  startMilvusLite,
  tempDir,
  uniqueName,
  writeJob,
} from '@milvusdm/testing';

const POINTS = Number(process.env['MILVUSDM_KILL_POINTS'] ?? 1);
const SEED = Number(process.env['MILVUSDM_KILL_SEED'] ?? 20261130);
const ROWS = Number(process.env['MILVUSDM_KILL_ROWS'] ?? 16_000);
const OLD_ROWS = 6000;
const BATCH = Math.max(200, Math.floor(ROWS / 40));

interface Verdict {
  readonly ok: boolean;
  readonly expected: number;
  readonly counted?: number;
}

async function verifyPartition(uri: string, token: string, collection: string, partition: string, h5: string): Promise<Verdict> {
  return runPython<Verdict>(join(pythonToolsDir, 'verify_milvus.py'), [
    '--uri',
    uri,
    '--token',
    token,
    '--collection',
    collection,
    '--partition',
    partition,
    '--h5',
    h5,
  ]);
}

async function collections(uri: string, token: string): Promise<string[]> {
  return (await runPython<{ collections: string[] }>(join(pythonToolsDir, 'list_collections.py'), ['--uri', uri, '--token', token]))
    .collections;
}

/** Collections milvusdm made beside `collection` (staging, fill, set-aside, lock). */
async function helpers(uri: string, token: string, collection: string): Promise<string[]> {
  return (await collections(uri, token)).filter((c) => c.startsWith(`${collection}__milvusdm_`));
}

async function scenario(uri: string, token: string, seed: number): Promise<string> {
  const collection = uniqueName('povw');
  const old = tempDir();
  // The old content: p1 and p2, 3000 rows each (ids 3k+1), written by pymilvus.
  await runPython(join(pythonToolsDir, 'make_collection.py'), [
    ...['--uri', uri, '--token', token, '--collection', collection, '--rows', String(OLD_ROWS), '--dim', '8'],
    ...['--partitions', 'p1,p2', '--seed', String(seed), '--batch', '500', '--expected', old],
  ]);
  // The new rows for p1: keys of their own (Milvus Lite keeps one row per key across partitions).
  const source = join(tempDir(), 'new.h5');
  await runPython(join(pythonToolsDir, 'write_h5.py'), [
    ...['--out', source, '--rows', String(ROWS), '--dim', '8', '--seed', String(seed), '--id-offset', '1000000'],
  ]);
  const stateDir = tempDir('milvusdm-state-');
  const job = writeJob({
    source: { type: 'hdf5', path: source },
    target: { type: 'milvus', uri, ...(token ? { token } : {}), collection, partition: 'p1', mode: 'overwrite' },
    run: { batch_rows: BATCH, state_dir: stateDir },
  });
  const args = ['run', job, '--log-dir', tempDir()];
  const random = seeded(seed);
  const oldIntact = async (when: string) => {
    for (const p of ['p1', 'p2']) {
      const v = await verifyPartition(uri, token, collection, p, join(old, `${p}.h5`));
      expect(v, `${when}: ${p} ${JSON.stringify(v)}`).toMatchObject({ ok: true, counted: OLD_ROWS / 2 });
    }
  };
  await oldIntact('before the run');

  // Phase 1: kills while the new rows are written (up to 80 % of them, so the kill comes first).
  const thresholds = Array.from({ length: POINTS }, () => Math.floor(random() * ROWS * 0.8)).sort((a, b) => a - b);
  const record: string[] = [];
  for (const threshold of thresholds) {
    const run = await interrupt(args, stateDir, threshold, Math.floor(random() * 100), 'SIGKILL');
    expect(run.signal, `killed at ${threshold}: ${run.stderr}`).toBe('SIGKILL');
    record.push(`write@${run.rowsAtKill ?? '-'}`);
    await oldIntact(`after the kill at ${run.rowsAtKill} rows`);
  }

  // Phase 2: kills after the replace announced itself, at seeded delays (up to 1.5 s).
  for (let i = 0; i < POINTS; i++) {
    const jitter = Math.floor(random() * 1500);
    const run = await interruptOnOutput(args, /replacing partition "p1"/, 1, jitter, 'SIGKILL');
    if (!run.interrupted || run.signal !== 'SIGKILL') {
      // The replace ended before the kill: nothing more to interrupt.
      expect(run.code, run.stderr).toBe(0);
      record.push(`replace+${jitter}ms:finished`);
      break;
    }
    record.push(`replace+${jitter}ms`);
    // The new rows are complete in the fill collection; p1 holds at most them; p2 as it was.
    const left = await helpers(uri, token, collection);
    const fill = left.find((c) => c.includes('__milvusdm_fill_'));
    expect(fill, `after the kill ${jitter} ms into the replace: ${left.join(', ')}\n${run.stderr}`).toBeDefined();
    if (i === 0) {
      // cleanup lists the fill collection and keeps it: it is the only complete copy of the new rows.
      const cleaned = await runCli(['cleanup', job, '--apply']);
      expect(cleaned.code, cleaned.stderr).toBe(0);
      expect(cleaned.stdout).toMatch(new RegExp(`${fill!}.*kept: an interrupted partition overwrite`));
      expect(await helpers(uri, token, collection)).toContain(fill);
    }
    const staged = await runPython<Verdict>(join(pythonToolsDir, 'verify_milvus.py'), [
      ...['--uri', uri, '--token', token, '--collection', fill!, '--partition', 'p1', '--h5', source],
    ]);
    expect(staged, JSON.stringify(staged)).toMatchObject({ ok: true, counted: ROWS });
    const p2 = await verifyPartition(uri, token, collection, 'p2', join(old, 'p2.h5'));
    expect(p2, JSON.stringify(p2)).toMatchObject({ ok: true });
  }

  const last = await runCli(args);
  expect(last.code, last.stderr).toBe(0);
  const p1 = await verifyPartition(uri, token, collection, 'p1', source);
  expect(p1, JSON.stringify(p1)).toMatchObject({ ok: true, expected: ROWS, counted: ROWS });
  const p2 = await verifyPartition(uri, token, collection, 'p2', join(old, 'p2.h5'));
  expect(p2, JSON.stringify(p2)).toMatchObject({ ok: true, expected: OLD_ROWS / 2, counted: OLD_ROWS / 2 });
  expect(await helpers(uri, token, collection)).toEqual([]);
  const line = `partition overwrite seed ${seed}: kills ${record.join(', ')}; p1 ${ROWS}/${ROWS} new rows, p2 ${OLD_ROWS / 2}/${OLD_ROWS / 2} old rows`;
  console.log(line);
  return line;
}

describe('partition overwrite interrupted by kill -9: the old rows stay until the new ones are complete', () => {
  // `cleanup --apply` acts on every milvusdm helper of a server: on the shared Lite server it
  // could remove what another test file's interrupted run left to resume from, so Lite's
  // scenario has a server of its own. Milvus 2.3 is costly to start and shared: there the one
  // cleanup of this file could still meet another file's staging collection in the second
  // between a kill and its resume (resume-milvus23's M2M overwrite); not seen so far.
  it('on Milvus Lite 3.2', async () => {
    const own = await startMilvusLite(tempDir('milvusdm-povw-lite-'));
    try {
      await scenario(own.uri, '', SEED + 41);
    } finally {
      await own.stop();
    }
  });

  it('on Milvus 2.3', async (ctx) => {
    const uri23 = inject('milvus23Uri');
    if (!uri23) return ctx.skip(); // MILVUSDM_SKIP_MILVUS23=1 (local runs only; CI always starts it)
    await scenario(uri23, inject('milvus23Token'), SEED + 42);
  });
});

describe('partition overwrite refuses a dataset without a partition', () => {
  it('source partitions p1 then _default into an existing collection: one line, exit 2, the target untouched bit for bit', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('povw_nopart');
    const old = tempDir();
    await runPython(join(pythonToolsDir, 'make_collection.py'), [
      ...['--uri', uri, '--collection', collection, '--rows', '2000', '--dim', '8'],
      ...['--partitions', 'p1,p2', '--seed', String(SEED + 43), '--batch', '500', '--expected', old],
    ]);
    // The source: rows in p1 and in the default partition, keys of their own. Read p1 first, so
    // the run has begun overwriting partitions when the dataset without one comes.
    const source = uniqueName('povw_nopart_src');
    await runPython(join(pythonToolsDir, 'make_collection.py'), [
      ...['--uri', uri, '--collection', source, '--rows', '1000', '--dim', '8'],
      ...['--partitions', 'p1,_default', '--seed', String(SEED + 44), '--batch', '250', '--expected', tempDir()],
    ]);
    const before = await runPython<Record<string, unknown>>('target_state.py', ['--uri', uri, collection]);
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source, partitions: ['p1', '_default'] },
        target: { type: 'milvus', uri, collection, mode: 'overwrite' },
        run: { batch_rows: 200, state_dir: tempDir('milvusdm-state-') },
      }),
      '--log-dir',
      tempDir(),
    ]);
    // A job that cannot work as written: the usage exit code (2), as every MDM_CONFIG refusal.
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('error '))).toEqual([
      `error MDM_CONFIG: milvus ${new URL(uri).host} ${source}/_default has no partition, but this run overwrites partitions of "${collection}" (mode overwrite): the collection was not changed`,
    ]);
    expect(r.stderr).toMatch(/hint: Set target\.partition, or overwrite the whole collection by writing it without partitions\./);
    // Every old row still there, bit for bit, in its own partition; nothing added; no helper left.
    expect(await runPython<Record<string, unknown>>('target_state.py', ['--uri', uri, collection])).toEqual(before);
    for (const p of ['p1', 'p2']) {
      const v = await verifyPartition(uri, '', collection, p, join(old, `${p}.h5`));
      expect(v, `${p}: ${JSON.stringify(v)}`).toMatchObject({ ok: true, expected: 1000, counted: 1000 });
    }
    expect(await helpers(uri, '', collection)).toEqual([]);
  });
});
