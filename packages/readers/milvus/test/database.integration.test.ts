/**
 * A whole database copied in one job (Milvus 2.3.5): `collections: '*'` with `database:` on the
 * reader and another `database:` on the writer. Every collection arrives with its rows, its
 * description, its index (type, metric, parameters), its alias and its load state, compared
 * with pymilvus database against database.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

describe('databases', () => {
  it('copies every collection of a database into another database, aliases and load state included (Milvus 2.3.5)', async () => {
    const uri = inject('milvus23Uri');
    expect(uri, 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
    const token = inject('milvus23Token');
    const from = uniqueName('db_src');
    const to = uniqueName('db_dst');
    const made = await runPython<{ collections: Record<string, number> }>('make_database.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--database',
      from,
    ]);
    // The target database must exist: milvusdm does not create databases.
    await runPython('make_database.py', ['--uri', uri, '--token', token, '--database', to, '--empty']);
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, token, database: from, collections: '*' },
        target: { type: 'milvus', uri, token, database: to },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const v = await runPython<{ collections: Record<string, number[]>; differences: unknown[]; ok: boolean }>('compare_database.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--a',
      from,
      '--b',
      to,
    ]);
    expect(v.differences).toEqual([]);
    expect(v.collections).toEqual(Object.fromEntries(Object.entries(made.collections).map(([n, rows]) => [n, [rows, rows]])));
  });

  it('copies several databases in one job into databases named by rename.databases, created as needed (Milvus 2.3.5)', async () => {
    const uri = inject('milvus23Uri');
    expect(uri, 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
    const token = inject('milvus23Token');
    const a = uniqueName('dbs_a');
    const b = uniqueName('dbs_b');
    await runPython('make_database.py', ['--uri', uri, '--token', token, '--database', a, '--rows', '300']);
    await runPython('make_database.py', ['--uri', uri, '--token', token, '--database', b, '--rows', '200']);
    const a2 = uniqueName('dbs_a_copy');
    const b2 = uniqueName('dbs_b_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, token, databases: [a, b] },
        target: { type: 'milvus', uri, token, rename: { databases: { [a]: a2, [b]: b2 } } },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating database "${a2}"`));
    expect(r.stderr).toMatch(new RegExp(`creating database "${b2}"`));
    for (const [from, to, rows] of [
      [a, a2, 300],
      [b, b2, 200],
    ] as const) {
      const v = await runPython<{ collections: Record<string, number[]>; differences: unknown[] }>('compare_database.py', [
        '--uri',
        uri,
        '--token',
        token,
        '--a',
        from,
        '--b',
        to,
      ]);
      expect(v.differences).toEqual([]);
      expect(v.collections).toEqual({ docs: [rows, rows], notes: [rows, rows] });
    }
  });
});
