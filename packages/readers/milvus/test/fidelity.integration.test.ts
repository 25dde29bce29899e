/**
 * Copying a live collection whole: every vector type on a server that stores it (Milvus Lite
 * 2.5.1 for float16, bfloat16 and sparse), duplicated primary keys told apart from a lost row,
 * deleted and upserted rows (inside partitions too), and the full description of a collection
 * (properties, functions, indexes, aliases, load state) as pymilvus reports it. Every copy is
 * compared row by row, field by field, with pymilvus.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { schemaFromJson, schemaToJson, silentLogger, type CollectionSchema, type FieldSchema } from '@milvusdm/core';
import { runCli, runLite25Python, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';
import reader from '../dist/index.js';

interface RowsVerdict {
  ok: boolean;
  a: number;
  b: number;
  repeated: number;
  expected?: number;
  differences: unknown[];
  schema?: { equal: boolean };
}

function lite25(): string {
  const uri = inject('milvusLite25Uri');
  expect(uri, 'Milvus Lite 2.5.1 is needed: run scripts/setup-python.sh (it builds .venv-lite25)').not.toBe('');
  return uri;
}

function milvus23(): { uri: string; token: string } {
  const uri = inject('milvus23Uri');
  expect(uri, 'Milvus 2.3 is needed for this test (unset MILVUSDM_SKIP_MILVUS23)').not.toBe('');
  return { uri, token: inject('milvus23Token') };
}

const logDir = () => ['--log-dir', tempDir()];

describe('fields an older target cannot hold', () => {
  it('M2M of float16 vectors into Milvus 2.3 is refused before anything is created, naming the field and the release', async () => {
    const uri = lite25();
    const m23 = milvus23();
    const source = uniqueName('f16_src');
    await runLite25Python('make_vector_collection.py', ['--uri', uri, '--collection', source, '--types', 'float16', '--rows', '50']);
    const target = uniqueName('f16_on_23');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source },
        target: { type: 'milvus', uri: m23.uri, token: m23.token, collection: target },
      }),
      ...logDir(),
    ]);
    expect(r.code).toBe(1);
    // "Milvus" is the test server's password, so the CLI masks the word as a secret.
    expect(r.stderr).toMatch(
      new RegExp(
        `error MDM_UNSUPPORTED: collection "${target}": field "f16" is float16_vector, which needs (Milvus|\\*\\*\\*) 2\\.4 or later; .* runs v2\\.3\\.`,
      ),
    );
    const left = await runPython<{ exists: boolean }>('has_collection.py', [
      '--uri',
      m23.uri,
      '--token',
      m23.token,
      '--collection',
      target,
    ]);
    expect(left.exists).toBe(false);
  });
});

describe('vector types (Milvus Lite 2.5.1)', () => {
  it('copies float16, bfloat16, sparse, binary and float vectors exactly, indexed as the server allows (FLAT, not AUTOINDEX)', async () => {
    const uri = lite25();
    const source = uniqueName('vectors');
    const keys = join(tempDir(), 'keys.json');
    const made = await runLite25Python<{ live: number }>('make_vector_collection.py', [
      '--uri',
      uri,
      '--collection',
      source,
      '--types',
      'float16,bfloat16,sparse,binary,float',
      '--rows',
      '1500',
      '--upsert-fraction',
      '0.1',
      '--delete-fraction',
      '0.1',
      '--expected-keys',
      keys,
    ]);
    expect(made.live).toBe(1350);
    const target = uniqueName('vectors_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source, page_rows: 200 },
        target: { type: 'milvus', uri, collection: target },
      }),
      ...logDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /pk int64 pk, f16 float16_vector\(16\) L2, bf16 bfloat16_vector\(16\) IP, sparse sparse_float_vector IP, bin binary_vector\(16\) HAMMING, fv float_vector\(16\) L2, n int32/,
    );
    // Lite 2.x's engine has no GetVersion and refuses AUTOINDEX: the writer asked, and chose.
    expect(r.stderr).toMatch(/creating FLAT index on "[^"]+\.f16"/);
    expect(r.stderr).toMatch(/creating SPARSE_INVERTED_INDEX index on "[^"]+\.sparse"/);
    expect(r.stderr).not.toMatch(/AUTOINDEX/);
    const v = await runLite25Python<RowsVerdict>('compare_rows.py', [
      '--uri',
      uri,
      '--a',
      source,
      '--b',
      target,
      '--expected-keys',
      keys,
      '--describe',
      '--prepare-b',
    ]);
    expect(v).toMatchObject({ ok: true, a: 1350, b: 1350, expected: 1350, repeated: 0, schema: { equal: true } });
  });

  it('copies stored sparse vectors exactly on Milvus Lite 3.2, which stores them (varchar keys, deletes and upserts)', async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('sparse3');
    const keys = join(tempDir(), 'keys.json');
    const made = await runPython<{ live: number }>('make_vector_collection.py', [
      '--uri',
      uri,
      '--collection',
      source,
      '--types',
      'sparse',
      '--pk',
      'varchar',
      '--rows',
      '600',
      '--upsert-fraction',
      '0.1',
      '--delete-fraction',
      '0.1',
      '--expected-keys',
      keys,
    ]);
    expect(made.live).toBe(540);
    const target = uniqueName('sparse3_copy');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, collection: source, page_rows: 200 },
        target: { type: 'milvus', uri, collection: target },
      }),
      ...logDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const v = await runPython<RowsVerdict>('compare_rows.py', [
      '--uri',
      uri,
      '--a',
      source,
      '--b',
      target,
      '--expected-keys',
      keys,
      '--prepare-b',
    ]);
    expect(v).toMatchObject({ ok: true, a: 540, b: 540, expected: 540, repeated: 0 });
  });

  for (const [type, pk] of [
    ['float16', 'int64'],
    ['bfloat16', 'varchar'],
    ['sparse', 'varchar'],
  ] as const) {
    it(`copies a ${type} collection (${pk} keys) exactly with index: false`, async () => {
      const uri = lite25();
      const source = uniqueName(`only_${type}`);
      const keys = join(tempDir(), 'keys.json');
      await runLite25Python('make_vector_collection.py', [
        '--uri',
        uri,
        '--collection',
        source,
        '--types',
        type,
        '--pk',
        pk,
        '--rows',
        '700',
        '--dim',
        '24',
        '--expected-keys',
        keys,
        '--seed',
        '31',
      ]);
      const target = uniqueName(`only_${type}_copy`);
      const r = await runCli([
        'run',
        writeJob({
          source: { type: 'milvus', uri, collection: source },
          target: { type: 'milvus', uri, collection: target, index: false },
        }),
        ...logDir(),
      ]);
      expect(r.code, r.stderr).toBe(0);
      const v = await runLite25Python<RowsVerdict>('compare_rows.py', [
        '--uri',
        uri,
        '--a',
        source,
        '--b',
        target,
        '--expected-keys',
        keys,
        '--prepare-b',
      ]);
      expect(v).toMatchObject({ ok: true, a: 700, b: 700 });
    });
  }
});

// Not on Milvus 2.3.5: it creates float16, bfloat16 and sparse fields, but refuses to index
// bfloat16 and sparse ones (so they are never loaded or read), and its server process dies
// ("unsupported data type: Float16Vector") merging a second insert batch of float16 vectors.

describe('duplicated primary keys', () => {
  const servers = [
    { name: 'Milvus Lite 2.5.1', at: () => ({ uri: lite25(), token: '' }), python: runLite25Python, types: 'float16' },
    { name: 'Milvus 2.3.5', at: milvus23, python: runPython, types: 'binary' },
  ];
  for (const server of servers) {
    it(`are told apart from a lost row and stop the run by default, naming how many rows share keys (${server.name})`, async () => {
      const { uri, token } = server.at();
      const auth = token ? ['--token', token] : [];
      const source = uniqueName('dups');
      const made = await server.python<{ duplicated: number }>('make_vector_collection.py', [
        '--uri',
        uri,
        ...auth,
        '--collection',
        source,
        '--types',
        server.types,
        '--rows',
        '400',
        '--duplicate-fraction',
        '0.25',
      ]);
      expect(made.duplicated).toBe(100);
      const target = uniqueName('dups_copy');
      const conn = { uri, ...(token ? { token } : {}) };
      const failed = await runCli([
        'run',
        writeJob({ source: { type: 'milvus', ...conn, collection: source }, target: { type: 'milvus', ...conn, collection: target } }),
        ...logDir(),
      ]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/error MDM_SOURCE: .*: at least \d+ row\(s\) share a primary key with another row .*duplicated keys/);
      expect(failed.stderr).toMatch(/hint: Set run\.duplicates: first \(or last\)/);
      expect(failed.stderr).not.toMatch(/2\^63/);

      // Collapsed: one row per key, the one the server returns, and the copies counted.
      const kept = uniqueName('dups_kept');
      const r = await runCli([
        'run',
        writeJob({
          source: { type: 'milvus', ...conn, collection: source, page_rows: 64 },
          target: { type: 'milvus', ...conn, collection: kept },
          run: { duplicates: 'first' },
        }),
        ...logDir(),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warn: .*: 100 row\(s\) were copies of keys already read \(duplicated primary keys, in \d+ key range\(s\)\); one row per key was copied/,
      );
      expect(r.stderr).toMatch(/done: 400 rows/);
      const v = await server.python<RowsVerdict>('compare_rows.py', ['--uri', uri, ...auth, '--a', source, '--b', kept, '--prepare-b']);
      expect(v).toMatchObject({ ok: true, a: 400, b: 400, repeated: 0 });
    });
  }

  it('are not blamed for the row Milvus 2.3 counts but never returns (key 2^63-1), even among copies', async () => {
    const { uri, token } = milvus23();
    const source = uniqueName('maxkey');
    await runPython('make_vector_collection.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--collection',
      source,
      '--types',
      'binary',
      '--rows',
      '200',
      '--duplicate-fraction',
      '0.1',
      '--max-key',
    ]);
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri, token, collection: source, page_rows: 64 },
        target: { type: 'milvus', uri, token, collection: uniqueName('maxkey_copy') },
        run: { duplicates: 'last' },
      }),
      ...logDir(),
    ]);
    expect(r.code).toBe(1);
    // The test server's password is "Milvus": the word is masked as a secret wherever it appears.
    expect(r.stderr).toMatch(
      /error MDM_SOURCE: .*: \d+ rows counted, \d+ returned — the server counts a row it does not return \((?:Milvus|\*\*\*) 2\.3 never returns a row whose key is 2\^63-1\)/,
    );
  });

  it('refuses an unknown run.duplicates value before opening anything', async () => {
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'milvus', uri: 'http://127.0.0.1:1', collection: 'x' },
        target: { type: 'hdf5', dir: tempDir() },
        run: { duplicates: 'newest' },
      }),
      ...logDir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run\.duplicates: expected one of "fail", "first", "last", got "newest"/);
  });
});

describe('deleted and upserted rows', () => {
  const servers = [
    { name: 'Milvus Lite 3.2.2', at: () => ({ uri: inject('milvusLiteUri'), token: '' }), types: 'float' },
    { name: 'Milvus 2.3.5', at: milvus23, types: 'binary' },
  ];
  for (const server of servers) {
    it(`copies only the live rows, once each, deletes inside partitions included (${server.name})`, async () => {
      const { uri, token } = server.at();
      const auth = token ? ['--token', token] : [];
      const source = uniqueName('churn');
      const keys = join(tempDir(), 'keys.json');
      const made = await runPython<{ live: number; deleted: number; upserted: number }>('make_vector_collection.py', [
        '--uri',
        uri,
        ...auth,
        '--collection',
        source,
        '--types',
        server.types,
        '--rows',
        '3000',
        '--partitions',
        'p1,p2',
        '--upsert-fraction',
        '0.2',
        '--delete-fraction',
        '0.15',
        '--batch',
        '400',
        '--expected-keys',
        keys,
      ]);
      expect(made).toMatchObject({ live: 2550, deleted: 450, upserted: 600 });
      const target = uniqueName('churn_copy');
      const conn = { uri, ...(token ? { token } : {}) };
      const r = await runCli([
        'run',
        writeJob({
          source: { type: 'milvus', ...conn, collection: source, page_rows: 300 },
          target: { type: 'milvus', ...conn, collection: target },
        }),
        ...logDir(),
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/done: 2550 rows/);
      const v = await runPython<RowsVerdict & { missing_in_b: number; unexpected_in_b: number }>('compare_rows.py', [
        '--uri',
        uri,
        ...auth,
        '--a',
        source,
        '--b',
        target,
        '--expected-keys',
        keys,
        '--prepare-b',
      ]);
      expect(v).toMatchObject({ ok: true, a: 2550, b: 2550, expected: 2550, missing_in_b: 0, unexpected_in_b: 0, repeated: 0 });
      // Each partition's rows went to the same partition.
      for (const p of ['p1', 'p2']) {
        const counts = await runPython<{ a: number; b: number }>('count_partition.py', [
          '--uri',
          uri,
          ...auth,
          '--a',
          source,
          '--b',
          target,
          '--partition',
          p,
        ]);
        expect(counts.b).toBe(counts.a);
        expect(counts.a).toBeGreaterThan(1000);
      }
    });
  }
});

/** The schema document as the independent describe_collection.py writes it. */
function comparable(schema: CollectionSchema): unknown {
  const field = (f: FieldSchema) => {
    const { metric: _metric, autoIdAtSource, ...rest } = f;
    return autoIdAtSource ? { ...rest, autoId: true } : rest;
  };
  const { fields, functionOutputFields, indexes, partitions: _partitions, ...rest } = schema;
  return {
    ...rest,
    fields: fields.map(field),
    ...(functionOutputFields ? { functionOutputFields: functionOutputFields.map(field) } : {}),
    ...(indexes ? { indexes: [...indexes].sort((a, b) => a.name.localeCompare(b.name)) } : {}),
  };
}

async function readSchema(uri: string, token: string, collection: string): Promise<CollectionSchema> {
  const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: process.cwd(), redact() {} };
  const source = await reader.open(
    { uri, ...(token ? { token } : {}), collection, page_rows: 10_000, count_duplicates: false, changes: 'fail' },
    context,
  );
  try {
    return source.datasets[0]!.schema;
  } finally {
    await source.close();
  }
}

describe('the full description of a live collection', () => {
  const servers = [
    { name: 'Milvus Lite 3.2.2', at: () => ({ uri: inject('milvusLiteUri'), token: '' }), extra: [] as string[] },
    { name: 'Milvus 2.3.5', at: milvus23, extra: ['--milvus23'] },
  ];
  for (const server of servers) {
    it(`is read completely and survives its JSON form (${server.name})`, async () => {
      const { uri, token } = server.at();
      const auth = token ? ['--token', token] : [];
      const source = uniqueName('described');
      await runPython('make_schema_collection.py', ['--uri', uri, ...auth, '--collection', source, ...server.extra]);
      const schema = await readSchema(uri, token, source);
      const expected = await runPython<Record<string, unknown>>('describe_collection.py', ['--uri', uri, ...auth, '--collection', source]);
      expect(comparable(schema)).toEqual(expected);
      // What the generator asked for and the server kept, spelled out (a wrong mapping on both
      // sides would otherwise pass).
      expect(schema.aliases).toEqual([`${source}_a1`, `${source}_a2`]);
      expect(schema.loaded).toBe(true);
      expect(schema.enableDynamicField).toBe(true);
      expect(schema.properties).toMatchObject({ 'collection.ttl.seconds': '86400' });
      expect(schema.fields.find((f) => f.name === 'tenant')).toMatchObject({ isPartitionKey: true, maxLength: 32 });
      expect(schema.indexes?.find((i) => i.field === 'vec')).toMatchObject({ type: 'HNSW', metric: 'COSINE' });
      if (!server.extra.length) {
        expect(schema.fields.find((f) => f.name === 'stock')).toMatchObject({ nullable: true, defaultValue: String(2n ** 60n + 1n) });
        expect(schema.functions).toEqual([{ name: 'title_bm25', type: 'BM25', inputFields: ['title'], outputFields: ['sparse'] }]);
        expect(schema.functionOutputFields?.map((f) => f.name)).toEqual(['sparse']);
      }
      const file = join(tempDir(), 'schema.json');
      writeFileSync(file, schemaToJson(schema));
      expect(schemaFromJson(schemaToJson(schema), file)).toEqual(JSON.parse(JSON.stringify(schema)));
    });
  }
});
