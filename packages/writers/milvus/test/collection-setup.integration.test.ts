/**
 * M2M recreates the collection as the source had it: properties (descriptions, partition key
 * and partition count, clustering key, default values, max_length / max_capacity, dynamic
 * field, shards, consistency level, TTL), functions, every index with its type, metric and
 * parameters, the load state and the aliases. Sources are built with pymilvus; the copy is
 * compared with pymilvus row by row and by describe_collection / list_indexes / list_aliases.
 * A target whose release lacks a property refuses before creating anything, naming it.
 */
import { describe, expect, inject, it } from 'vitest';
import { runCli, runLite25Python, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Server {
  readonly uri: string;
  readonly token: string;
}

const lite = (): Server => ({ uri: inject('milvusLiteUri'), token: '' });
function milvus23(): Server {
  const uri = inject('milvus23Uri');
  expect(uri, 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
  return { uri, token: inject('milvus23Token') };
}

const auth = (s: Server) => (s.token ? ['--token', s.token] : []);
const conn = (s: Server) => ({ uri: s.uri, ...(s.token ? { token: s.token } : {}) });

type Described = Record<string, unknown> & { aliases?: string[]; loaded?: boolean; indexes?: unknown[] };

function describeOn(s: Server, collection: string, database?: string): Promise<Described> {
  return runPython<Described>('describe_collection.py', [
    '--uri',
    s.uri,
    ...auth(s),
    '--collection',
    collection,
    ...(database ? ['--database', database] : []),
  ]);
}

async function makeSource(s: Server, name: string, milvus23Only: boolean): Promise<{ rows: number; aliases: string[] }> {
  return runPython('make_schema_collection.py', [
    '--uri',
    s.uri,
    ...auth(s),
    '--collection',
    name,
    ...(milvus23Only ? ['--milvus23'] : []),
  ]);
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

function compare(a: Server, source: string, b: Server, target: string): Promise<RowsVerdict> {
  return runPython<RowsVerdict>('compare_rows.py', [
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
    '--describe',
  ]);
}

describe('M2M recreates the collection whole', () => {
  const cases = [
    // Lite 3.2 keeps no index build parameters (see property-fit.ts): its source describes none.
    { name: 'Milvus Lite 3.2 → Milvus Lite 3.2', at: lite, milvus23Only: false, params: '' },
    {
      name: 'Milvus 2.3.5 → Milvus 2.3.5',
      at: milvus23,
      milvus23Only: true,
      params: ' \\((M=12, efConstruction=80|efConstruction=80, M=12)\\)',
    },
  ];
  for (const c of cases) {
    it(`properties, functions, indexes, load state and aliases (${c.name})`, async () => {
      const s = c.at();
      const source = uniqueName('props');
      const made = await makeSource(s, source, c.milvus23Only);
      const before = await describeOn(s, source);
      const target = uniqueName('props_copy');
      // On one server the source's aliases are taken: only mode overwrite moves them to the copy.
      const r = await copy(s, source, s, target, { mode: 'overwrite' });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`creating HNSW index on "${target}\\.vec" with metric COSINE${c.params}\n`));
      expect(r.stderr).not.toMatch(/AUTOINDEX/);
      const v = await compare(s, source, s, target);
      expect(v.differences).toEqual([]);
      // describe_collection as pymilvus reports it: fields, properties, functions, shards, partitions, consistency.
      expect(v.schema?.b).toEqual(v.schema?.a);
      expect(v).toMatchObject({ ok: true, a: made.rows, b: made.rows });
      const after = await describeOn(s, target);
      // Everything describe_collection / list_indexes / describe_index / get_load_state report is the source's...
      const { aliases: aliasesBefore, ...restBefore } = before;
      const { aliases: aliasesAfter, ...restAfter } = after;
      expect(restAfter).toEqual(restBefore);
      expect(after.loaded).toBe(true);
      expect(after.indexes?.length).toBe(c.milvus23Only ? 1 : 2);
      // ...and the aliases (list_aliases) now point at the copy.
      expect(aliasesBefore).toEqual(made.aliases);
      expect(aliasesAfter, r.stderr).toEqual(made.aliases);
      expect(r.stderr).toMatch(new RegExp(`moving alias "${made.aliases[0]}" from "${source}" to "${target}"`));
      expect((await describeOn(s, source)).aliases).toBeUndefined();
    });
  }

  it('Milvus 2.3.5 → Milvus Lite 3.2: refuses what Lite does not keep, then copies without it under unsupported: drop', async () => {
    const from = milvus23();
    const to = lite();
    const source = uniqueName('props23');
    const made = await makeSource(from, source, true);
    const before = await describeOn(from, source);
    const target = uniqueName('props23_on_lite');
    const refused = await copy(from, source, to, target);
    expect(refused.code).toBe(1);
    const line = refused.stderr.split('\n').find((l) => l.startsWith('error MDM_UNSUPPORTED'));
    expect(line, refused.stderr).toBeDefined();
    for (const what of [
      'consistency level Session, which Milvus Lite 3 does not keep \\(it is always Strong\\)',
      'a partition key with 8 partitions, which Milvus Lite 3 does not keep \\(it makes 17\\)',
      'array field "tags" bounds its strings \\(max_length 20\\)',
      'index "vec" on "vec" is built with (M=12, efConstruction=80|efConstruction=80, M=12), which Milvus Lite 3 does not keep',
    ]) {
      // "Milvus" is the test server's password: the CLI masks the word.
      expect(line).toMatch(new RegExp(what.replace('Milvus Lite', '(Milvus|\\*\\*\\*) Lite')));
    }
    expect((await runPython<{ exists: boolean }>('has_collection.py', ['--uri', to.uri, '--collection', target])).exists).toBe(false);

    const r = await copy(from, source, to, target, { unsupported: 'drop' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warn.*is created without what .* lacks \(unsupported: drop\): consistency level Session/);
    // Descriptions Lite does not keep are said, never a reason to stop.
    expect(refused.stderr).not.toMatch(/description/);
    expect(r.stderr).toMatch(/does not keep the collection's description, the description of field "id", the description of field "vec"/);
    expect(r.stderr).toMatch(new RegExp(`creating alias "${made.aliases[0]}" to "${target}"`));
    const v = await compare(from, source, to, target);
    expect(v.differences).toEqual([]);
    expect(v).toMatchObject({ a: made.rows, b: made.rows });
    const after = await describeOn(to, target);
    // The source's description less exactly what was dropped.
    const strip = (d: Described) =>
      JSON.parse(
        JSON.stringify(d, (k, val: unknown) =>
          k === 'description' || k === 'consistencyLevel' || k === 'numPartitions' ? undefined : val,
        ),
      ) as Described;
    const expected = strip(before) as Described & { fields: { name: string; maxLength?: number }[]; indexes: { params?: unknown }[] };
    for (const f of expected.fields) if (f.name === 'tags') delete f.maxLength;
    for (const i of expected.indexes) delete i.params;
    expect({ ...strip(after), consistencyLevel: undefined }).toEqual({ ...expected, consistencyLevel: undefined });
    expect(after).toMatchObject({ consistencyLevel: 'Strong', numPartitions: 17, loaded: true, aliases: made.aliases });
  });

  it('leaves an alias that points elsewhere on the target alone under mode append, and can skip aliases and loading', async () => {
    const s = lite();
    const source = uniqueName('props_keep');
    const made = await makeSource(s, source, false);
    const target = uniqueName('props_keep_copy');
    const r = await copy(s, source, s, target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`alias "${made.aliases[0]}" was left pointing to "${source}" \\(mode overwrite moves it`));
    expect((await describeOn(s, source)).aliases).toEqual(made.aliases);
    expect((await describeOn(s, target)).aliases).toBeUndefined();
    const other = uniqueName('props_noalias');
    const r2 = await copy(s, source, s, other, { aliases: false, load: false });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).not.toMatch(/alias "/);
    const d = await describeOn(s, other);
    expect(d.loaded).toBe(false);
    expect(d.aliases).toBeUndefined();
  });
});

describe('the job overrides the source', () => {
  it('index: {type, params} and metric replace the source index of the vector field (Milvus 2.3.5)', async () => {
    const s = milvus23();
    const source = uniqueName('props_idx');
    await makeSource(s, source, true);
    const target = uniqueName('props_idx_copy');
    const r = await copy(s, source, s, target, { index: { type: 'IVF_FLAT', params: { nlist: 16 } }, metric: 'IP', aliases: false });
    expect(r.code, r.stderr).toBe(0);
    const d = await describeOn(s, target);
    expect(d.indexes).toEqual([{ field: 'vec', name: 'vec', type: 'IVF_FLAT', metric: 'IP', params: { nlist: '16' } }]);
  });
});

describe('a target that lacks a property', () => {
  it('Lite 3.2 → Milvus 2.3: stops before creating anything, naming every property and index 2.3 lacks', async () => {
    const from = lite();
    const to = milvus23();
    const source = uniqueName('props_new');
    await makeSource(from, source, false);
    const target = uniqueName('props_on_23');
    const r = await copy(from, source, to, target);
    expect(r.code).toBe(1);
    const line = r.stderr.split('\n').find((l) => l.startsWith('error MDM_UNSUPPORTED'));
    expect(line, r.stderr).toBeDefined();
    // "Milvus" is the test server's password: the CLI masks the word.
    const m = '(Milvus|\\*\\*\\*)';
    for (const what of [
      `field "price" has a default value, which needs ${m} 2\\.5 or later`,
      `field "stock" is nullable, which needs ${m} 2\\.5 or later`,
      `field "title" sets enable_analyzer, which needs ${m} 2\\.5 or later`,
      `function "title_bm25" \\(BM25, filling sparse\\) needs ${m} 2\\.5 or later`,
    ]) {
      expect(line).toMatch(new RegExp(what));
    }
    expect(line).toMatch(/runs v2\.3\./);
    const left = await runPython<{ exists: boolean }>('has_collection.py', ['--uri', to.uri, ...auth(to), '--collection', target]);
    expect(left.exists).toBe(false);
  });
});

describe('restore recreates the collection from the archive', () => {
  it('dump then restore into another database (Milvus 2.3.5): properties, index, load state and aliases as the source', async () => {
    const s = milvus23();
    const source = uniqueName('props_dump');
    const made = await makeSource(s, source, true);
    const before = await describeOn(s, source);
    const archive = tempDir();
    const dumped = await runCli([
      'dump',
      '--from',
      s.uri,
      '--token',
      s.token,
      '--to',
      archive,
      '--collections',
      source,
      '--log-dir',
      tempDir(),
    ]);
    expect(dumped.code, dumped.stderr).toBe(0);
    // Aliases live per database: another database has the source's alias names free.
    const database = uniqueName('restored');
    await runPython('make_database.py', ['--uri', s.uri, ...auth(s), '--database', database, '--empty']);
    const r = await runCli([
      'restore',
      '--from',
      archive,
      '--to',
      s.uri,
      '--token',
      s.token,
      '--database',
      database,
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const after = await describeOn(s, source, database);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ loaded: true, aliases: made.aliases, numPartitions: 8, consistencyLevel: 'Session' });
  });
});

describe('into Milvus Lite 2.5.1 (its local engine builds FLAT, BIN_FLAT and SPARSE_INVERTED_INDEX only)', () => {
  const lite25 = (): Server => {
    const uri = inject('milvusLite25Uri');
    expect(uri, 'Milvus Lite 2.5.1 is needed: run scripts/setup-python.sh (it builds .venv-lite25)').not.toBe('');
    return { uri, token: '' };
  };

  it("an AUTOINDEX source gets the engine's own choice; an HNSW one is refused before anything is created", async () => {
    const from = lite();
    const to = lite25();
    const auto = uniqueName('auto_src');
    await runPython('make_vector_collection.py', [
      '--uri',
      from.uri,
      '--collection',
      auto,
      '--types',
      'float',
      '--rows',
      '300',
      '--index',
      'AUTOINDEX',
    ]);
    const target = uniqueName('auto_on_25');
    const r = await copy(from, auto, to, target);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`creating FLAT index on "${target}\\.fv" with metric L2\n`));
    // The source's alias-less, loaded collection: the copy is loaded too (its engine loads on create anyway).
    const d = await runLite25Python<Described>('describe_collection.py', ['--uri', to.uri, '--collection', target]);
    // Lite 2.5.1 describes every index with the field's dim among its parameters.
    expect(d.indexes).toEqual([{ field: 'fv', name: 'fv', type: 'FLAT', metric: 'L2', params: { dim: '16' } }]);
    expect(d.loaded).toBe(true);

    const hnsw = uniqueName('hnsw_src');
    await runPython('make_vector_collection.py', [
      '--uri',
      from.uri,
      '--collection',
      hnsw,
      '--types',
      'float',
      '--rows',
      '50',
      '--index',
      'HNSW',
    ]);
    const refused = await copy(from, hnsw, to, uniqueName('hnsw_on_25'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error MDM_UNSUPPORTED: collection "hnsw_on_25_[^"]+": index "fv" on "fv" is HNSW; (Milvus|\*\*\*) Lite's local engine builds only FLAT, BIN_FLAT, SPARSE_INVERTED_INDEX/,
    );
    expect(refused.stderr).toMatch(/target\.unsupported: drop/);
  });
});
