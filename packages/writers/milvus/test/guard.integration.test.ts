/**
 * Bad input refused before it is sent, staged overwrite, locks and cleanup, against real
 * Milvus Lite 3.2.2 and Milvus 2.3.5. Every refusal asserts its message, its exit code and that
 * the target is untouched (an independent pymilvus snapshot: count and a SHA-256 over ids and
 * vector bytes, before and after); every success is compared with the digest h5py computes
 * from the source file.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliBin, runCli, runPython, startMilvusLite, tempDir, uniqueName, writeJob, type RunningServer } from '@milvusdm/testing';

const TOOLS = join(import.meta.dirname, 'helpers', 'guard_tools.py');
/** Kills of the staged-overwrite loop: two in CI (about 20 s each), more in scripts/soak.sh (MILVUSDM_KILL_POINTS). */
const KILLS = Number(process.env['MILVUSDM_KILL_POINTS'] ?? 2);

interface Snap {
  collections: Record<string, { count: number; rows: number; digest: string }>;
}
interface Expected {
  count: number;
  digest: string;
}

interface Server {
  readonly name: string;
  readonly uri: string;
  readonly token: string;
}

async function h5(name: string, args: string[]): Promise<string> {
  const out = join(tempDir(), `${name}.h5`);
  await runPython(TOOLS, ['write', '--out', out, ...args]);
  return out;
}

function snapshot(server: Server, prefix: string): Promise<Snap> {
  return runPython<Snap>(TOOLS, ['snapshot', '--uri', server.uri, '--token', server.token, '--prefix', prefix]);
}

function expected(file: string, ...args: string[]): Promise<Expected> {
  return runPython<Expected>(TOOLS, ['expected', '--h5', file, ...args]);
}

function job(server: Server, source: string, collection: string, target: Record<string, unknown> = {}, run: Record<string, unknown> = {}) {
  return writeJob({
    source: { type: 'hdf5', path: source },
    target: { type: 'milvus', uri: server.uri, ...(server.token ? { token: server.token } : {}), collection, ...target },
    run: { batch_rows: 500, ...run },
  });
}

function run(
  server: Server,
  source: string,
  collection: string,
  target: Record<string, unknown> = {},
  runBlock: Record<string, unknown> = {},
) {
  return runCli(['run', job(server, source, collection, target, runBlock), '--log-dir', tempDir()]);
}

let files: Record<'clean' | 'other' | 'nan' | 'inf' | 'negInf' | 'dup' | 'overlap' | 'bigId' | 'large' | 'huge', string>;

beforeAll(async () => {
  files = {
    clean: await h5('clean', ['--rows', '1000', '--dim', '8', '--seed', '1']),
    other: await h5('other', ['--rows', '700', '--dim', '8', '--seed', '2', '--id-offset', '100000']),
    nan: await h5('nan', ['--rows', '1000', '--dim', '8', '--nan-row', '700']),
    inf: await h5('inf', ['--rows', '1000', '--dim', '8', '--inf-row', '3']),
    negInf: await h5('negInf', ['--rows', '1000', '--dim', '8', '--neg-inf-row', '999']),
    // ids 0,3,6,…: rows 600 and 900 repeat the ids of rows 10 and 20.
    dup: await h5('dup', ['--rows', '1000', '--dim', '8', '--dup', '10:600', '--dup', '20:900']),
    // ids 1500,1503,…: the first 500 overlap with clean's ids 0…2997.
    overlap: await h5('overlap', ['--rows', '1000', '--dim', '8', '--seed', '3', '--id-offset', '1500']),
    bigId: await h5('bigId', ['--rows', '1000', '--dim', '8', '--uint64-big-row', '800']),
    large: await h5('large', ['--rows', '60000', '--dim', '32', '--seed', '4']),
    // Long enough to be still running while a second run starts, on any machine.
    huge: await h5('huge', ['--rows', '400000', '--dim', '32', '--seed', '5']),
  };
});

function servers(): Server[] {
  const list: Server[] = [{ name: 'Milvus Lite', uri: inject('milvusLiteUri'), token: '' }];
  if (inject('milvus23Uri')) list.push({ name: 'Milvus 2.3', uri: inject('milvus23Uri'), token: inject('milvus23Token') });
  return list;
}

/**
 * Screens that run in the client before anything is sent are the same on every server: each is
 * tested on the server where letting the row through would do the most harm — Milvus Lite stores
 * NaN and infinities, Milvus 2.3 keeps every copy of a repeated key (Lite keeps the last one).
 */
const isLite = (server: Server) => server.name === 'Milvus Lite';

describe.each(servers())('invalid values are refused before they are sent ($name)', (server) => {
  it.each(
    (
      [
        ['NaN', 'nan', /row 700 \(id 2100\): vector field "embedding" holds NaN/, 'every server'],
        ['+Inf', 'inf', /row 3 \(id 9\): vector field "embedding" holds Infinity/, 'Milvus Lite'],
        ['-Inf', 'negInf', /row 999 \(id 2997\): vector field "embedding" holds -Infinity/, 'Milvus Lite'],
      ] as const
    ).filter(([, , , where]) => where === 'every server' || where === server.name),
  )('%s: exit 1, the file, row and id named, no collection left behind', async (_what, file, message) => {
    const c = uniqueName('g_bad');
    // One batch: the problem is found before anything is sent.
    const r = await run(server, files[file], c, {}, { batch_rows: 2000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error MDM_INVALID_DATA: file .*\.h5: /);
    expect(r.stderr).toMatch(message);
    expect((await snapshot(server, c)).collections).toEqual({});
  });

  it.runIf(isLite(server))('NaN with on_invalid: skip: every other row written exactly, the skipped id reported', async () => {
    const c = uniqueName('g_skip');
    const r = await run(server, files.nan, c, {}, { on_invalid: 'skip' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 invalid row\(s\) skipped \(ids 2100\)/);
    const want = await expected(files.nan, '--skip-rows', '700');
    expect((await snapshot(server, c)).collections[c]).toMatchObject({ count: 999, digest: want.digest });
  });

  it.runIf(isLite(server))('a key above int64 (uint64 source) fails with exit 1 and leaves no empty collection', async () => {
    const c = uniqueName('g_big');
    const r = await run(server, files.bigId, c, {}, { batch_rows: 2000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/row 800 \(9223372036854775813\) does not fit a Milvus int64 key/);
    expect((await snapshot(server, c)).collections).toEqual({});
  });

  it.runIf(!isLite(server) || servers().length === 1)(
    'a key repeated in the source: fail names it; first and last keep one row each, exactly',
    async () => {
      const c = uniqueName('g_dup');
      const r = await run(server, files.dup, c, {}, { batch_rows: 2000 });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/row 600 \(id 30\): the key occurs more than once in the source/);
      // The whole file is one batch: nothing was sent, and nothing is left behind.
      expect((await snapshot(server, c)).collections).toEqual({});
      for (const keep of ['first', 'last'] as const) {
        const k = uniqueName(`g_dup_${keep}`);
        const ok = await run(server, files.dup, k, {}, { duplicates: keep });
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stderr).toMatch(/2 repeated key\(s\) dropped/);
        const want = await expected(files.dup, '--keep', keep);
        expect((await snapshot(server, k)).collections[k]).toMatchObject({ count: 998, digest: want.digest });
      }
    },
  );

  it('append of keys the target holds: refused untouched by default; skip keeps the old rows; upsert replaces them', async () => {
    const c = uniqueName('g_exist');
    expect((await run(server, files.clean, c)).code).toBe(0);
    const before = (await snapshot(server, c)).collections[c]!;
    const refused = await run(server, files.overlap, c, { mode: 'append' });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/row 0 \(id 1500\): the target already holds this key; nothing of this batch was sent/);
    expect((await snapshot(server, c)).collections[c]).toEqual(before);

    const skipped = await run(server, files.overlap, c, { mode: 'append' }, { existing_keys: 'skip' });
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stderr).toMatch(/500 row\(s\) whose key the target already held skipped/);
    expect((await snapshot(server, c)).collections[c]!.count).toBe(1500);

    const u = uniqueName('g_exist_up');
    expect((await run(server, files.clean, u)).code).toBe(0);
    const upserted = await run(server, files.overlap, u, { mode: 'append' }, { existing_keys: 'upsert' });
    expect(upserted.code, upserted.stderr).toBe(0);
    expect((await snapshot(server, u)).collections[u]!.count).toBe(1500);
  });
});

describe.each(servers())('staged overwrite ($name)', (server) => {
  it('replaces a collection only once the new one is complete; nothing left beside it', async () => {
    const c = uniqueName('g_ow');
    expect((await run(server, files.clean, c)).code).toBe(0);
    const loadState = async () =>
      (await runPython<Record<string, string>>('load_state.py', ['--uri', server.uri, '--token', server.token, c]))[c];
    const before = await loadState();
    const r = await run(server, files.other, c, { mode: 'overwrite' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/writing into staging collection/);
    // Milvus Lite 3 releases what it renames: a loaded old collection is followed by a loaded new one.
    expect(await loadState()).toBe(before);
    const want = await expected(files.other);
    expect((await snapshot(server, c)).collections).toEqual({ [c]: { count: 700, rows: 700, digest: want.digest } });
  });

  it('a failed overwrite (NaN mid-file) leaves the old collection exactly as it was and no staging collection', async () => {
    const c = uniqueName('g_owf');
    expect((await run(server, files.clean, c)).code).toBe(0);
    const before = await snapshot(server, c);
    const r = await run(server, files.nan, c, { mode: 'overwrite' }, { batch_rows: 100 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/row 700 \(id 2100\): vector field "embedding" holds NaN/);
    expect(await snapshot(server, c)).toEqual(before);
  });
});

describe.each(servers())('staged overwrite, a key repeated in the source ($name)', (server) => {
  it('is found after the last row (the staging collection is swapped in only at the end): the old collection stays as it was, no staging collection is left', async () => {
    const c = uniqueName('g_owdup');
    expect((await run(server, files.clean, c)).code).toBe(0);
    const before = await snapshot(server, c);
    const r = await run(server, files.dup, c, { mode: 'overwrite' }, { batch_rows: 300 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      /row 600 \(id 30\): the key occurs more than once in the source \(row 10 has it too; 2 keys occur more than once\); the output was not published/,
    );
    expect(await snapshot(server, c)).toEqual(before);
  });
});

describe.each(servers())('staged overwrite through an alias ($name)', (server) => {
  // Milvus 2.3 answers DescribeCollection on an alias with the alias's own name: the alias must
  // be found by DescribeAlias, or the overwrite would take the alias for a collection.
  it('switches the alias to the new collection and drops the one it pointed to', async () => {
    const c = uniqueName('g_alx');
    const alias = uniqueName('g_alxa');
    expect((await run(server, files.clean, c)).code).toBe(0);
    await runPython(TOOLS.replace('guard_tools.py', 'alias.py'), [
      '--uri',
      server.uri,
      '--token',
      server.token,
      '--collection',
      c,
      '--alias',
      alias,
    ]);
    const r = await run(server, files.other, alias, { mode: 'overwrite' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`switching alias "${alias}" from "${c}"`));
    const snap = await snapshot(server, alias);
    const names = Object.keys(snap.collections);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^${alias}__milvusdm_staging_`));
    expect(snap.collections[names[0]!]).toMatchObject({ count: 700, digest: (await expected(files.other)).digest });
    expect((await snapshot(server, c)).collections).toEqual({});
  });
});

describe('staged overwrite: locks, interruptions and cleanup (Milvus Lite)', () => {
  // A server of its own: `cleanup --apply` acts on every milvusdm helper of the server, and on
  // the shared one it would remove what other test files' interrupted runs left to resume from
  // (and they what these tests count on finding).
  let own: RunningServer | undefined;
  beforeAll(async () => {
    own = await startMilvusLite(tempDir('milvusdm-guard-lite-'));
  }, 120_000);
  afterAll(async () => {
    await own?.stop();
  });
  const server = (): Server => ({ name: 'Milvus Lite', uri: own!.uri, token: '' });

  it('a second run writing the same target is refused (exit 1, holder named); the target is untouched by it', async () => {
    const s = server();
    const c = uniqueName('g_lock');
    // Capped at 3,000 rows/s: 60k rows keep the first run writing for 20 s or more, however long
    // the second run takes to start on a loaded machine (6 s were once not enough).
    const first = spawnRun(job(s, files.large, c, {}, { batch_rows: 500, max_rows_per_second: 3_000 }));
    await first.started(/creating collection|writing/);
    // The same source and schema: only the lock can stop it.
    const second = await run(s, files.large, c, { mode: 'append' });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `error MDM_LOCKED: another milvusdm run is writing "${c}" \\(pid ${first.pid} on .*\\); this run was refused before writing`,
      ),
    );
    expect(await first.done).toBe(0);
    // Only the first run's rows, and no marker left: the first released its lock.
    const after = (await snapshot(s, c)).collections;
    expect(Object.keys(after)).toEqual([c]);
    expect(after[c]!.count).toBe(60000);
  });

  it('overwrite killed (-9) at seeded random moments: the old collection is intact and queryable each time; cleanup removes the rest', async () => {
    const s = server();
    const c = uniqueName('g_kill');
    expect((await run(s, files.clean, c)).code).toBe(0);
    const before = (await snapshot(s, c)).collections[c]!;
    let seed = 20261130;
    const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    // The huge file, so that every kill (0–4 s after the staging collection is made) lands while
    // rows are being written: since the writer counts without loading, 60k rows reach the swap
    // within that window, and a kill between its two renames is the case cleanup's test covers.
    const cleanupJob = job(s, files.huge, c);
    for (let i = 0; i < KILLS; i++) {
      const child = spawnRun(job(s, files.huge, c, { mode: 'overwrite' }, { batch_rows: 2000 }));
      await child.started(/writing into staging collection/);
      await new Promise((r) => setTimeout(r, Math.floor(random() * 4000)));
      child.kill();
      await child.done;
      // Intact right after the kill, and queryable: the snapshot loads and reads every row.
      expect((await snapshot(s, c)).collections[c]).toEqual(before);
      // The next run takes over the dead run's lock at once (same host, pid gone).
    }
    const listed = await runCli(['cleanup', cleanupJob]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${c}__milvusdm_(staging|lock)`));
    const applied = await runCli(['cleanup', cleanupJob, '--apply']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await snapshot(s, c)).collections).toEqual({ [c]: before });
  });

  it('cleanup renames a collection set aside by a swap that stopped between its two renames back', async () => {
    const s = server();
    const c = uniqueName('g_aside');
    expect((await run(s, files.clean, c)).code).toBe(0);
    const before = (await snapshot(s, c)).collections[c]!;
    // What a kill between the two renames leaves: the old collection under its set-aside name.
    await runPython(TOOLS.replace('guard_tools.py', 'alias.py'), ['--uri', s.uri, '--rename', c, `${c}__milvusdm_old_20261130000000_abcd`]);
    const r = await runCli(['cleanup', job(s, files.clean, c), '--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`done: rename back to "${c}"`));
    expect((await snapshot(s, c)).collections).toEqual({ [c]: before });
  });

  it("cleanup leaves a set-aside collection alone while a live run holds its target's lock (that run's swap)", async () => {
    const s = server();
    const c = uniqueName('g_busy');
    const other = uniqueName('g_busy_src');
    expect((await run(s, files.clean, other)).code).toBe(0);
    // A run writing c (holding its lock), and beside c a set-aside collection as its swap makes one.
    const live = spawnRun(job(s, files.huge, c, {}, { batch_rows: 500 }));
    await live.started(/creating collection/);
    const aside = `${c}__milvusdm_old_20261130000000_abcd`;
    await runPython(TOOLS.replace('guard_tools.py', 'alias.py'), ['--uri', s.uri, '--rename', other, aside]);
    const r = await runCli(['cleanup', job(s, files.clean, uniqueName('g_busy_any')), '--apply']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${aside}\\tset-aside\\tkept: a run writing "${c}" is still running`));
    expect(Object.keys((await snapshot(s, aside)).collections)).toEqual([aside]);
    live.kill();
    await live.done;
  });
});

/** The CLI as a child process we can kill, with a promise for "this line was logged". */
function spawnRun(jobFile: string) {
  const child = spawn(process.execPath, [cliBin, 'run', jobFile, '--log-dir', tempDir(), '--log-level', 'debug'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { re: RegExp; ok: () => void }[] = [];
  const onData = (d: Buffer) => {
    text += d.toString();
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.re.test(text)) waiters.splice(i, 1)[0]!.ok();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const done = new Promise<number>((ok) => child.once('close', (code) => ok(code ?? -1)));
  return {
    pid: child.pid,
    done,
    kill: () => child.kill('SIGKILL'),
    started: (re: RegExp) =>
      new Promise<void>((ok, fail) => {
        if (re.test(text)) return ok();
        waiters.push({ re, ok });
        void done.then((code) => fail(new Error(`the run ended (${code}) before logging ${re}:\n${text}`)));
      }),
  };
}
