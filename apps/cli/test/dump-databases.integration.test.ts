/**
 * `milvusdm dump --all-databases` and its restore on Milvus 2.3.5: two databases holding
 * same-named collections (one with partitions, an alias, one unloaded) dumped into one archive
 * that keeps each database apart; restored into other databases (created by the restore) and,
 * after one source database is dropped, into its own name again; each compared with pymilvus,
 * every row bit for bit, partitions, indexes, aliases and load state included. The test runs its
 * own Milvus 2.3: --all-databases reads the whole server, which must not be the shared one other
 * test files create and drop collections on meanwhile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MILVUS23_TOKEN, runCli, runPython, startMilvus23, tempDir, uniqueName, type RunningServer } from '@milvusdm/testing';

interface Manifest {
  version: number;
  databases?: string[];
  collections: {
    name: string;
    database?: string;
    rows: number;
    partitions: { name: string; rows: number; files: { path: string }[] }[];
    consistency?: { pinned: boolean; changed: boolean; countBefore: number; countAfter: number };
  }[];
}

interface DatabaseVerdict {
  collections: Record<string, number[]>;
  differences: unknown[];
}

let server: RunningServer | undefined;
let uri: string;
let token: string;
const a = uniqueName('dump_db_a');
const b = uniqueName('dump_db_b');
let madeA: Record<string, number>;
let madeB: Record<string, number>;
const cli = (args: string[]) => runCli([...args, '--token', token, '--log-dir', tempDir()]);
const compare = (x: string, y: string) =>
  runPython<DatabaseVerdict>('compare_database.py', ['--uri', uri, '--token', token, '--a', x, '--b', y]);

beforeAll(async () => {
  expect(inject('milvus23Uri'), 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
  server = await startMilvus23(tempDir());
  uri = server.uri;
  token = MILVUS23_TOKEN;
  const base = ['--uri', uri, '--token', token];
  madeA = (
    await runPython<{ collections: Record<string, number> }>('make_database.py', [
      ...base,
      '--database',
      a,
      '--rows',
      '600',
      '--partitions',
      'p1,p2',
      '--seed',
      '21',
    ])
  ).collections;
  madeB = (
    await runPython<{ collections: Record<string, number> }>('make_database.py', [
      ...base,
      '--database',
      b,
      '--rows',
      '300',
      '--seed',
      '22',
    ])
  ).collections;
});

afterAll(async () => {
  await server?.stop();
});

describe('dump --all-databases (Milvus 2.3.5)', () => {
  let archive: string;

  it('keeps every database apart: manifest format 2 lists them, files under data/<database>/', async () => {
    archive = join(tempDir(), 'all');
    const r = await cli(['dump', '--from', uri, '--to', archive, '--all-databases', '--batch-rows', '200']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.version).toBe(2);
    // A database without collections (default, here) holds nothing to dump and is not listed.
    expect(m.databases).toEqual([a, b]);
    for (const [db, made] of [
      [a, madeA],
      [b, madeB],
    ] as const) {
      const mine = m.collections.filter((c) => c.database === db);
      expect(Object.fromEntries(mine.map((c) => [c.name, c.rows]))).toEqual(made);
      for (const c of mine) {
        expect(c.consistency).toEqual({ pinned: false, countBefore: c.rows, countAfter: c.rows, changed: false });
        for (const p of c.partitions) {
          for (const f of p.files) {
            expect(f.path.startsWith(`data/${db}/${c.name}/${p.name}/`), f.path).toBe(true);
            expect(existsSync(join(archive, f.path))).toBe(true);
          }
        }
      }
    }
    const docs = m.collections.find((c) => c.database === a && c.name === 'docs')!;
    expect(docs.partitions.map((p) => [p.name, p.rows])).toEqual([
      ['_default', 0],
      ['p1', 300],
      ['p2', 300],
    ]);
    const inspected = await runCli(['inspect', archive]);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toMatch(new RegExp(`databases: .*\\b${a}\\b`));
    expect(inspected.stdout).toContain(`collection ${a}.docs: 600 rows`);
    expect(inspected.stdout).toContain(`collection ${b}.docs: 300 rows`);
  });

  /** The restored copy of database a: the next test compares a restored again with it. */
  let a2 = '';

  it('restores chosen databases under other names, creating them: every row, partition, index, alias and load state as the source', async () => {
    a2 = uniqueName('dump_db_a_copy');
    const b2 = uniqueName('dump_db_b_copy');
    const r = await cli([
      'restore',
      '--from',
      archive,
      '--to',
      uri,
      '--databases',
      `${a},${b}`,
      '--rename-databases',
      `${a}=${a2},${b}=${b2}`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating database "${a2}"`));
    expect(r.stderr).toContain(`${a}.docs → ${a2}.docs: 600 rows, as the manifest lists`);
    const va = await compare(a, a2);
    expect(va.differences).toEqual([]);
    expect(va.collections).toEqual(Object.fromEntries(Object.entries(madeA).map(([n, rows]) => [n, [rows, rows]])));
    const vb = await compare(b, b2);
    expect(vb.differences).toEqual([]);
    expect(vb.collections).toEqual(Object.fromEntries(Object.entries(madeB).map(([n, rows]) => [n, [rows, rows]])));
  });

  it('restores a dropped database into its own name', async () => {
    // The copy restored above (checked equal to a) is what a must be again once restored.
    expect(a2, 'the test above restores the copy this one compares with').not.toBe('');
    await runPython('drop_database.py', ['--uri', uri, '--token', token, '--database', a]);
    const r = await cli(['restore', '--from', archive, '--to', uri, '--databases', a]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating database "${a}"`));
    const v = await compare(a2, a);
    expect(v.differences).toEqual([]);
    expect(v.collections).toEqual(Object.fromEntries(Object.entries(madeA).map(([n, rows]) => [n, [rows, rows]])));
  });

  it('refuses mixed flags in one line, before anything is read or written', async () => {
    const dumpWith = async (flag: string[]) => cli(['dump', '--from', uri, '--to', join(tempDir(), 'never'), '--all-databases', ...flag]);
    for (const flag of [
      ['--collections', 'docs'],
      ['--database', a],
    ]) {
      const r = await dumpWith(flag);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--all-databases dumps every collection of every database: give it without --collections or --database/);
    }
    const db = await cli(['restore', '--from', archive, '--to', uri, '--database', b]);
    expect(db.code).toBe(2);
    expect(db.stderr).toMatch(/--database: this archive holds several databases \(.*\); choose with --databases/);
    const unknown = await cli(['restore', '--from', archive, '--to', uri, '--databases', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--databases: "nope" is not in the archive/);
    const plain = await cli(['restore', '--from', archive, '--to', uri, '--collections', 'docs']);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(new RegExp(`--collections: "docs" is not in the archive \\(it holds .*${a}\\.docs`));
  });
});
