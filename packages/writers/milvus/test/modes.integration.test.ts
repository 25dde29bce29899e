/**
 * The Milvus writer's modes, exactly as the seed defined them (skip / append / overwrite) plus
 * upsert, for collections and partitions, and the refusals that must leave the target alone.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runPython, startMilvusLite, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  expected: number;
  counted: number;
  fetched: number;
}

let files: Record<'a' | 'b' | 'counting' | 'countingNew' | 'wide' | 'noIds', string>;

async function h5(name: string, args: string[]): Promise<string> {
  const out = join(tempDir(), `${name}.h5`);
  await runPython('write_h5.py', ['--out', out, ...args]);
  return out;
}

beforeAll(async () => {
  files = {
    a: await h5('a', ['--rows', '1000', '--dim', '8', '--seed', '1']),
    b: await h5('b', ['--rows', '700', '--dim', '8', '--seed', '2', '--id-offset', '5']),
    // The same ids with other vectors, for upsert.
    counting: await h5('counting', ['--rows', '1000', '--dim', '8', '--pattern', 'counting']),
    countingNew: await h5('countingNew', ['--rows', '1000', '--dim', '8', '--pattern', 'counting', '--vector-scale', '2']),
    wide: await h5('wide', ['--rows', '10', '--dim', '16', '--seed', '3']),
    noIds: await h5('noIds', ['--rows', '300', '--dim', '8', '--ids', 'none']),
  };
});

function run(source: string, target: Record<string, unknown>) {
  return runCli([
    'run',
    writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'milvus', ...target } }),
    '--log-dir',
    tempDir(),
  ]);
}

function verify(uri: string, collection: string, h5s: string[], partition?: string) {
  return runPython<Verdict>('verify_milvus.py', [
    '--uri',
    uri,
    '--collection',
    collection,
    ...h5s.flatMap((f) => ['--h5', f]),
    ...(partition ? ['--partition', partition] : []),
  ]);
}

describe('milvus writer modes (Milvus Lite)', () => {
  it('append adds to an existing collection', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('append');
    expect((await run(files.a, { uri, collection: c })).code).toBe(0);
    const r = await run(files.b, { uri, collection: c, mode: 'append' });
    expect(r.code, r.stderr).toBe(0);
    expect(await verify(uri, c, [files.a, files.b])).toMatchObject({ ok: true, counted: 1700 });
  });

  it('skip leaves an existing collection untouched and says so', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('skip');
    expect((await run(files.a, { uri, collection: c })).code).toBe(0);
    const r = await run(files.b, { uri, collection: c, mode: 'skip' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`skipped .*: collection "${c}" exists \\(mode skip\\)`));
    expect(await verify(uri, c, [files.a])).toMatchObject({ ok: true, counted: 1000 });
  });

  it('overwrite drops and recreates the collection', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('overwrite');
    expect((await run(files.a, { uri, collection: c })).code).toBe(0);
    const r = await run(files.b, { uri, collection: c, mode: 'overwrite' });
    expect(r.code, r.stderr).toBe(0);
    expect(await verify(uri, c, [files.b])).toMatchObject({ ok: true, counted: 700 });
  });

  it('upsert replaces rows by key', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('upsert');
    expect((await run(files.counting, { uri, collection: c })).code).toBe(0);
    const r = await run(files.countingNew, { uri, collection: c, mode: 'upsert' });
    expect(r.code, r.stderr).toBe(0);
    expect(await verify(uri, c, [files.countingNew])).toMatchObject({ ok: true, counted: 1000 });
  });

  it('applies skip and overwrite to a named partition only', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('parts');
    expect((await run(files.a, { uri, collection: c, partition: 'p1' })).code).toBe(0);
    expect((await run(files.b, { uri, collection: c, partition: 'p2' })).code).toBe(0);
    const skipped = await run(files.b, { uri, collection: c, partition: 'p1', mode: 'skip' });
    expect(skipped.stderr).toMatch(/partition "p1" of "[^"]+" exists \(mode skip\)/);
    const over = await run(files.b, { uri, collection: c, partition: 'p1', mode: 'overwrite' });
    expect(over.code, over.stderr).toBe(0);
    expect(await verify(uri, c, [files.b], 'p1')).toMatchObject({ ok: true, counted: 700 });
    expect(await verify(uri, c, [files.b], 'p2')).toMatchObject({ ok: true, counted: 700 });
  });

  it('skip keeps an existing collection whichever dataset comes first', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('skip_src');
    const target = uniqueName('skip_dst');
    for (const c of [source, target]) {
      expect((await run(files.a, { uri, collection: c, partition: 'p1' })).code).toBe(0);
      expect((await run(files.b, { uri, collection: c })).code).toBe(0);
    }
    // The named partition comes first here; the default partition must be skipped all the same.
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source, partitions: ['p1', '_default'] },
        target: { type: 'milvus', uri, collection: target, mode: 'skip' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/partition "p1" of "[^"]+" exists \(mode skip\)/);
    expect(r.stderr).toMatch(/collection "[^"]+" exists \(mode skip\)/);
    expect(await verify(uri, target, [files.a], 'p1')).toMatchObject({ ok: true, counted: 1000 });
    expect(await verify(uri, target, [files.b], '_default')).toMatchObject({ ok: true, counted: 700 });
  });

  it('refuses a source that does not fit the collection, before inserting anything', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('misfit');
    expect((await run(files.a, { uri, collection: c })).code).toBe(0);
    const r = await run(files.wide, { uri, collection: c, mode: 'append' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /error MDM_SCHEMA_MISMATCH: .*does not fit collection "[^"]+": field "embedding" is float_vector\(16\) at the source but float_vector\(8\) in the collection/,
    );
    expect(await verify(uri, c, [files.a])).toMatchObject({ ok: true, counted: 1000 });
  });

  it('lets Milvus assign ids when the file has none, and refuses ids into such a collection', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('autoid');
    const r = await run(files.noIds, { uri, collection: c });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('done: 300 rows');
    // The ids are the server's: the vectors must be there, each as often as in the file.
    const autoid = (h5s: string[]) =>
      runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--collection', c, '--autoid', ...h5s.flatMap((f) => ['--h5', f])]);
    expect(await autoid([files.noIds])).toMatchObject({ ok: true, counted: 300, fetched: 300 });
    const again = await run(files.noIds, { uri, collection: c, mode: 'append' });
    expect(again.code, again.stderr).toBe(0);
    expect(await autoid([files.noIds, files.noIds])).toMatchObject({ ok: true, counted: 600, fetched: 600 });
    const withIds = await run(files.b, { uri, collection: c, mode: 'append' });
    expect(withIds.code).toBe(1);
    expect(withIds.stderr).toMatch(/the source carries ids, but the collection generates its own keys/);
  });
});

describe('batching and loading', () => {
  it('keeps every insert request under batch_bytes', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('small_requests');
    const logs = tempDir();
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: files.a }, target: { type: 'milvus', uri, collection: c, batch_bytes: 4096 } }),
      '--log-dir',
      logs,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const log = readdirSync(logs)
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('');
    const sizes = [...log.matchAll(/inserted (\d+) rows \((\d+) bytes\)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    expect(sizes.reduce((n, [rows]) => n + rows, 0)).toBe(1000);
    expect(sizes.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...sizes.map(([, bytes]) => bytes))).toBeLessThanOrEqual(4096);
    expect(await verify(uri, c, [files.a])).toMatchObject({ ok: true, counted: 1000 });
  });

  it('concurrency auto: every row once, exact, and the log says how many requests were in flight', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('auto_window');
    const logs = tempDir();
    // ~25 rows a request: 40 requests, enough rounds for the window to move.
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: files.a },
        target: { type: 'milvus', uri, collection: c, batch_bytes: 1024, concurrency: 'auto' },
      }),
      '--log-dir',
      logs,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const log = readdirSync(logs)
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('');
    const requests = [...log.matchAll(/inserted (\d+) rows/g)].map((m) => Number(m[1]));
    expect(requests.length).toBeGreaterThanOrEqual(30);
    expect(requests.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(log).toMatch(new RegExp(`"${c}": concurrency auto: [2-8](–[2-8])? requests in flight \\(mostly [2-8]\\)`));
    expect(await verify(uri, c, [files.a])).toMatchObject({ ok: true, counted: 1000, fetched: 1000 });
  });

  it('loads the collection at the end when the job asks, and leaves it as found otherwise (Milvus 2.3)', async () => {
    const uri = inject('milvus23Uri');
    const token = inject('milvus23Token');
    const loaded = uniqueName('loaded');
    const released = uniqueName('released');
    for (const [c, load] of [
      [loaded, true],
      [released, false],
    ] as const) {
      const r = await runCli([
        'run',
        writeJob({ source: { type: 'hdf5', path: files.b }, target: { type: 'milvus', uri, token, collection: c, load } }),
        '--log-dir',
        tempDir(),
      ]);
      expect(r.code, r.stderr).toBe(0);
    }
    const states = await runPython<Record<string, string>>('load_state.py', ['--uri', uri, '--token', token, loaded, released]);
    expect(states).toEqual({ [loaded]: 'Loaded', [released]: 'NotLoad' });
  });
});

describe('connections', () => {
  it('fails in one line, exit 1, when the server cannot be reached', async () => {
    const r = await run(files.a, { uri: 'http://127.0.0.1:1', collection: 'x', timeout: 5 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_CONNECT: cannot reach Milvus at 127\.0\.0\.1:1 \(target\.uri\)/);
  });

  it('refuses wrong credentials without ever printing or logging the password (Milvus 2.3, authentication on)', async () => {
    const uri = inject('milvus23Uri');
    expect(uri, 'Milvus 2.3 is needed for this test').not.toBe('');
    const logs = tempDir();
    const password = 'Wr0ngPassw0rd!';
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: files.a },
        target: { type: 'milvus', uri, user: 'root', password, collection: 'never_created' },
      }),
      '--log-dir',
      logs,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_CONNECT: Milvus at 127\.0\.0\.1:\d+ \(target\.uri\) refused the credentials/);
    const logText = readdirSync(logs)
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('\n');
    expect(logText).toMatch(/\| ERROR \| Milvus at .* refused the credentials/);
    expect(r.stderr + r.stdout + logText).not.toContain(password);
  });

  it('takes a token (user:password) and writes with it (Milvus 2.3)', async () => {
    const uri = inject('milvus23Uri');
    const token = inject('milvus23Token');
    const c = uniqueName('token');
    const logs = tempDir();
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: files.b }, target: { type: 'milvus', uri, token, collection: c } }),
      '--log-dir',
      logs,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(
      await runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--token', token, '--collection', c, '--h5', files.b]),
    ).toMatchObject({ ok: true, counted: 700 });
  });

  it('starts Milvus Lite for a local folder uri, for the run only', async () => {
    const folder = join(tempDir(), 'milvus-data');
    const c = uniqueName('local');
    const env = { PATH: `${join(process.cwd(), '.venv', 'bin')}:${process.env['PATH'] ?? ''}` };
    const load = await runCli(
      [
        'run',
        writeJob({ source: { type: 'hdf5', path: files.a }, target: { type: 'milvus', uri: folder, collection: c } }),
        '--log-dir',
        tempDir(),
      ],
      { env },
    );
    expect(load.code, load.stderr).toBe(0);
    expect(load.stderr).toMatch(/starting Milvus Lite on .*milvus-data/);
    // Read the folder back with pymilvus, through a Milvus Lite started here, not milvusdm's reader.
    const lite = await startMilvusLite(folder, { logDir: tempDir() });
    try {
      expect(await runPython<Verdict>('verify_milvus.py', ['--uri', lite.uri, '--collection', c, '--h5', files.a])).toMatchObject({
        ok: true,
        counted: 1000,
        fetched: 1000,
      });
    } finally {
      await lite.stop();
    }
    const out = tempDir();
    const dump = await runCli(
      [
        'run',
        writeJob({ source: { type: 'milvus', uri: folder, collection: c }, target: { type: 'hdf5', dir: out } }),
        '--log-dir',
        tempDir(),
      ],
      { env },
    );
    expect(dump.code, dump.stderr).toBe(0);
    const v = await runPython<{ ok: boolean }>('verify_h5.py', [
      '--actual',
      join(out, c, '_default.h5'),
      '--expected',
      files.a,
      '--dtype',
      'float32',
    ]);
    expect(v).toMatchObject({ ok: true, expected: 1000 });
  });
});
