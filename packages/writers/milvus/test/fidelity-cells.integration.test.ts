/**
 * The cells of docs/fidelity.md that need a particular server: scalar indexes and mmap on
 * Milvus 2.3.5, INVERTED on Milvus Lite 3.2, binary vectors, clustering keys (Milvus Lite
 * 2.5.1 keeps them, Milvus 2.3.5 has none) and databases on Milvus Lite 3.2. Each source is built
 * with pymilvus (make_property_collection.py), copied with the CLI and compared with pymilvus:
 * every row bit for bit and describe_collection / list_indexes / describe_index / load state.
 * What a target cannot keep stops the run in one line naming it, with nothing created.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli, runLite25Python, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Server {
  readonly uri: string;
  readonly token: string;
  /** Milvus Lite 2.5.1 is read and written with pymilvus 2.5. */
  readonly python: typeof runPython;
}

const lite = (): Server => ({ uri: inject('milvusLiteUri'), token: '', python: runPython });
function milvus23(): Server {
  const uri = inject('milvus23Uri');
  expect(uri, 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
  return { uri, token: inject('milvus23Token'), python: runPython };
}
function lite25(): Server {
  const uri = inject('milvusLite25Uri');
  expect(uri, 'Milvus Lite 2.5.1 is needed: run scripts/setup-python.sh (it builds .venv-lite25)').not.toBe('');
  return { uri, token: '', python: runLite25Python };
}

const auth = (s: Server) => (s.token ? ['--token', s.token] : []);
const conn = (s: Server) => ({ uri: s.uri, ...(s.token ? { token: s.token } : {}) });
/** "Milvus" is the Milvus 2.3 test server's password: the CLI masks the word. */
const M = '(Milvus|\\*\\*\\*)';

interface Described {
  fields: { name: string; properties?: Record<string, string>; isClusteringKey?: boolean }[];
  properties?: Record<string, string>;
  indexes?: { field: string; name: string; type: string; metric?: string; params?: Record<string, string> }[];
  loaded?: boolean;
}

function describeOn(s: Server, collection: string): Promise<Described> {
  return s.python<Described>('describe_collection.py', ['--uri', s.uri, ...auth(s), '--collection', collection]);
}

function exists(s: Server, collection: string): Promise<boolean> {
  return s.python<{ exists: boolean }>('has_collection.py', ['--uri', s.uri, ...auth(s), '--collection', collection]).then((r) => r.exists);
}

async function makeSource(s: Server, name: string, args: string[]): Promise<number> {
  const made = await s.python<{ rows: number }>('make_property_collection.py', ['--uri', s.uri, ...auth(s), '--collection', name, ...args]);
  return made.rows;
}

function copy(from: Server, source: string, to: Server, target: string, extra: Record<string, unknown> = {}) {
  return runCli([
    'run',
    writeJob({
      source: { type: 'milvus', ...conn(from), collection: source },
      target: { type: 'milvus', ...conn(to), collection: target, ...extra },
    }),
    '--log-dir',
    tempDir(),
  ]);
}

interface RowsVerdict {
  ok: boolean;
  a: number;
  b: number;
  differences: unknown[];
  schema?: { equal: boolean; a: unknown; b: unknown };
}

/** Every row bit for bit, with pymilvus (2.5 when either side is Lite 2.5.1); `describe` compares describe_collection too. */
function compareRows(a: Server, source: string, b: Server, target: string, describe: boolean): Promise<RowsVerdict> {
  const python = a.python === runLite25Python || b.python === runLite25Python ? runLite25Python : runPython;
  return python<RowsVerdict>('compare_rows.py', [
    '--uri',
    a.uri,
    ...auth(a),
    '--uri-b',
    b.uri,
    ...(b.token ? ['--token-b', b.token] : []),
    '--a',
    source,
    '--b',
    target,
    '--pk',
    'id',
    ...(describe ? ['--describe'] : []),
  ]);
}

/** The run's one error line; the run stopped with exit 1. */
function refusal(r: { code: number; stderr: string }): string {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('error '));
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

/** The copy is the source: rows, describe_collection, indexes, load state. */
async function expectSame(from: Server, source: string, to: Server, target: string, rows: number): Promise<Described> {
  const v = await compareRows(from, source, to, target, true);
  expect(v.differences).toEqual([]);
  expect(v.schema?.b).toEqual(v.schema?.a);
  expect(v).toMatchObject({ ok: true, a: rows, b: rows });
  const before = await describeOn(from, source);
  const after = await describeOn(to, target);
  expect(after).toEqual(before);
  return after;
}

describe('scalar indexes', () => {
  it('Milvus 2.3.5 → Milvus 2.3.5: STL_SORT on int32 and double, Trie on varchar, copied as they were (names included)', async () => {
    const s = milvus23();
    const source = uniqueName('scalar23');
    const rows = await makeSource(s, source, ['--scalar-index', 'n:STL_SORT,d:STL_SORT,t:Trie']);
    const target = uniqueName('scalar23_copy');
    const r = await copy(s, source, s, target);
    expect(r.code, r.stderr).toBe(0);
    const after = await expectSame(s, source, s, target, rows);
    expect(after.indexes).toEqual([
      { field: 'd', name: 'd_idx', type: 'STL_SORT' },
      { field: 'n', name: 'n_idx', type: 'STL_SORT' },
      { field: 't', name: 't_idx', type: 'Trie' },
      { field: 'vec', name: 'vec', type: 'HNSW', metric: 'COSINE', params: { M: '8', efConstruction: '64' } },
    ]);
    expect(after.loaded).toBe(true);
  });

  it('Milvus Lite 3.2: INVERTED is kept Lite → Lite, and refused into Milvus 2.3.5 (its server has none) naming each index', async () => {
    const from = lite();
    const source = uniqueName('inv');
    const rows = await makeSource(from, source, ['--scalar-index', 'n:INVERTED,t:INVERTED']);
    const target = uniqueName('inv_copy');
    const r = await copy(from, source, from, target);
    expect(r.code, r.stderr).toBe(0);
    const after = await expectSame(from, source, from, target, rows);
    // Lite names each index after its field, and describes scalar indexes with metric NONE.
    expect(after.indexes?.filter((i) => i.type === 'INVERTED')).toEqual([
      { field: 'n', name: 'n', type: 'INVERTED', metric: 'NONE' },
      { field: 't', name: 't', type: 'INVERTED', metric: 'NONE' },
    ]);

    const to = milvus23();
    const on23 = uniqueName('inv_on_23');
    const line = refusal(await copy(from, source, to, on23));
    expect(line).toMatch(
      new RegExp(
        `^error MDM_UNSUPPORTED: collection "${on23}": index "n" on "n" is INVERTED, which needs ${M} 2\\.4 or later; index "t" on "t" is INVERTED, which needs ${M} 2\\.4 or later; .* runs v2\\.3\\.5`,
      ),
    );
    expect(await exists(to, on23)).toBe(false);
  });
});

describe('mmap', () => {
  it('Milvus 2.3.5 → Milvus 2.3.5: the collection property mmap.enabled and each field mmap setting are kept', async () => {
    const s = milvus23();
    const source = uniqueName('mmap23');
    const rows = await makeSource(s, source, ['--mmap', '--field-mmap']);
    const target = uniqueName('mmap23_copy');
    const r = await copy(s, source, s, target);
    expect(r.code, r.stderr).toBe(0);
    const after = await expectSame(s, source, s, target, rows);
    expect(after.properties).toEqual({ 'mmap.enabled': 'true' });
    // pymilvus describes the field setting as mmap_enabled.
    expect(Object.fromEntries(after.fields.map((f) => [f.name, f.properties?.['mmap_enabled']]))).toEqual({
      id: undefined,
      vec: 'true',
      n: 'false',
      d: undefined,
      t: 'true',
    });
    expect(after.loaded).toBe(true);
  });

  it('Milvus 2.3.5 → Milvus Lite 3.2: field mmap, STL_SORT and Trie refused by name, nothing created; under unsupported: drop the rows are exact and the collection mmap.enabled kept', async () => {
    const from = milvus23();
    const to = lite();
    const source = uniqueName('mmap_to_lite');
    const rows = await makeSource(from, source, ['--mmap', '--field-mmap', '--scalar-index', 'n:STL_SORT,t:Trie']);
    const target = uniqueName('mmap_on_lite');
    const line = refusal(await copy(from, source, to, target));
    expect(line).toMatch(new RegExp(`^error MDM_UNSUPPORTED: collection "${target}": `));
    for (const what of [
      `index "n_idx" on "n" is STL_SORT; ${M} Lite 3 builds only INVERTED on scalar fields`,
      `index "t_idx" on "t" is Trie; ${M} Lite 3 builds only INVERTED on scalar fields`,
      `field "vec" sets mmap\\.enabled, which ${M} Lite 3 does not keep`,
      `field "n" sets mmap\\.enabled, which ${M} Lite 3 does not keep`,
      `field "t" sets mmap\\.enabled, which ${M} Lite 3 does not keep`,
    ]) {
      expect(line).toMatch(new RegExp(what));
    }
    // The collection's mmap.enabled Lite keeps: not named.
    expect(line).not.toMatch(/collection property mmap/);
    expect(await exists(to, target)).toBe(false);

    const r = await copy(from, source, to, target, { unsupported: 'drop' });
    expect(r.code, r.stderr).toBe(0);
    const v = await compareRows(from, source, to, target, false);
    expect(v.differences).toEqual([]);
    expect(v).toMatchObject({ ok: true, a: rows, b: rows });
    const after = await describeOn(to, target);
    expect(after.properties).toEqual({ 'mmap.enabled': 'true' });
    expect(after.fields.every((f) => f.properties === undefined || !('mmap_enabled' in f.properties))).toBe(true);
    // The scalar fields go without an index; the vector index stays, without the build parameters Lite does not keep.
    expect(after.indexes).toEqual([{ field: 'vec', name: 'vec', type: 'HNSW', metric: 'COSINE' }]);
  });
});

describe('binary vectors', () => {
  it('Milvus 2.3.5 → Milvus 2.3.5: exact, BIN_FLAT/HAMMING kept', async () => {
    const s = milvus23();
    const source = uniqueName('bin23');
    const rows = await makeSource(s, source, ['--vector', 'binary']);
    const target = uniqueName('bin23_copy');
    const r = await copy(s, source, s, target);
    expect(r.code, r.stderr).toBe(0);
    const after = await expectSame(s, source, s, target, rows);
    expect(after.indexes).toEqual([{ field: 'bin', name: 'bin', type: 'BIN_FLAT', metric: 'HAMMING' }]);
  });

  it('Milvus Lite 2.5.1 → Milvus Lite 3.2: refused before anything is created, naming the field', async () => {
    const from = lite25();
    const to = lite();
    const source = uniqueName('bin25');
    await makeSource(from, source, ['--vector', 'binary']);
    const target = uniqueName('bin_on_lite');
    for (const extra of [{}, { unsupported: 'drop' }]) {
      // A field type cannot be dropped: unsupported: drop refuses it too.
      const line = refusal(await copy(from, source, to, target, extra));
      expect(line).toMatch(
        new RegExp(
          `^error MDM_UNSUPPORTED: collection "${target}": field "bin" is binary_vector, which Milvus Lite 3 does not store \\(it stores float_vector and sparse_float_vector\\)`,
        ),
      );
      expect(await exists(to, target)).toBe(false);
    }
  });
});

describe('clustering keys', () => {
  it('Milvus Lite 2.5.1 keeps one; into Milvus 2.3.5 it is refused naming the field, nothing created; unsupported: drop copies without it', async () => {
    const from = lite25();
    const to = milvus23();
    const source = uniqueName('ck25');
    // Lite 2.5.1's engine builds FLAT / BIN_FLAT only: a binary vector keeps the source's index buildable on 2.3.
    const rows = await makeSource(from, source, ['--vector', 'binary', '--clustering-key']);
    const before = await describeOn(from, source);
    expect(before.fields.find((f) => f.name === 'n')).toMatchObject({ isClusteringKey: true });
    const target = uniqueName('ck_on_23');
    const line = refusal(await copy(from, source, to, target));
    expect(line).toMatch(
      new RegExp(
        `^error MDM_UNSUPPORTED: collection "${target}": field "n" is the clustering key, which needs ${M} 2\\.4 or later; .* runs v2\\.3\\.5`,
      ),
    );
    expect(await exists(to, target)).toBe(false);

    const r = await copy(from, source, to, target, { unsupported: 'drop' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn: .*unsupported: drop\): field "n" is the clustering key/);
    const v = await compareRows(from, source, to, target, false);
    expect(v.differences).toEqual([]);
    expect(v).toMatchObject({ ok: true, a: rows, b: rows });
    const after = await describeOn(to, target);
    expect(after.fields).toEqual(before.fields.map((f) => (f.name === 'n' ? { name: 'n', type: 'int32' } : f)));
  });
});

describe('clustering keys kept', () => {
  it('Milvus Lite 2.5.1 → Milvus Lite 2.5.1 keeps the clustering key, every row and the whole description', async () => {
    const server = lite25();
    const source = uniqueName('ck_keep');
    const rows = await makeSource(server, source, ['--vector', 'binary', '--clustering-key']);
    const target = uniqueName('ck_keep_copy');
    const r = await copy(server, source, server, target);
    expect(r.code, r.stderr).toBe(0);
    const after = await expectSame(server, source, server, target, rows);
    expect(after.fields.find((f) => f.name === 'n')).toMatchObject({ isClusteringKey: true });
  });
});

describe('databases on Milvus Lite 3.2 (it has them: list, create, collections per database)', () => {
  it('source.databases with rename.databases: target databases created, every collection, index, alias and load state as the source', async () => {
    const s = lite();
    const a = uniqueName('ldb_a');
    const b = uniqueName('ldb_b');
    await runPython('make_database.py', ['--uri', s.uri, '--database', a, '--rows', '300']);
    await runPython('make_database.py', ['--uri', s.uri, '--database', b, '--rows', '200']);
    const a2 = uniqueName('ldb_a_copy');
    const b2 = uniqueName('ldb_b_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri: s.uri, databases: [a, b] },
        target: { type: 'milvus', uri: s.uri, rename: { databases: { [a]: a2, [b]: b2 } } },
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
      // compare_database.py: rows, describe_collection, indexes, aliases and load state ("notes" is not loaded).
      const v = await runPython<{ collections: Record<string, number[]>; differences: unknown[] }>('compare_database.py', [
        '--uri',
        s.uri,
        '--a',
        from,
        '--b',
        to,
      ]);
      expect(v.differences).toEqual([]);
      expect(v.collections).toEqual({ docs: [rows, rows], notes: [rows, rows] });
    }
  });

  it('source.database with collections: * into an existing target.database', async () => {
    const s = lite();
    const from = uniqueName('ldb_src');
    const to = uniqueName('ldb_dst');
    await runPython('make_database.py', ['--uri', s.uri, '--database', from, '--rows', '250']);
    await runPython('make_database.py', ['--uri', s.uri, '--database', to, '--empty']);
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri: s.uri, database: from, collections: '*' },
        target: { type: 'milvus', uri: s.uri, database: to },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const v = await runPython<{ collections: Record<string, number[]>; differences: unknown[] }>('compare_database.py', [
      '--uri',
      s.uri,
      '--a',
      from,
      '--b',
      to,
    ]);
    expect(v.differences).toEqual([]);
    expect(v.collections).toEqual({ docs: [250, 250], notes: [250, 250] });
    // The default database got nothing.
    const left = await runPython<{ collections: string[] }>('list_collections.py', ['--uri', s.uri]);
    expect(left.collections.filter((n) => n === 'docs' || n === 'notes')).toEqual([]);
  });
});
