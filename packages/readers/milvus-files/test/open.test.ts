/**
 * The milvus1x reader end to end on SQLite-meta directories: which datasets, their schema, and
 * every id and vector bit of what they yield, against the rows the fixture builder computed
 * independently; selection, errors, resume, and the legacy job mapping.
 */
import { cpSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobFromDocument, parseOptions, parseYaml, seedDirPath } from './seed.js';
import plugin from '../dist/index.js';
import { buildMilvus1xDir, type BuiltDir } from '@milvusdm/milvus1x-testing';
import { expectedBytes, readAll, removeScratch, scenario, scratch, testContext } from './helpers.js';

afterAll(removeScratch);

function options(raw: Record<string, unknown>) {
  return parseOptions(plugin.options, raw, 'source');
}

async function open(raw: Record<string, unknown>, baseDir = '/') {
  const context = testContext(baseDir);
  const source = await plugin.open(options(raw), context);
  return { source, context };
}

let built: BuiltDir;
beforeAll(async () => {
  built = await buildMilvus1xDir(scratch(), scenario());
});

describe('milvus1x reader', () => {
  it('lists one dataset per non-empty partition, skipping dropped ones, with the 1.x schema', async () => {
    const { source, context } = await open({ path: built.root });
    expect(source.datasets.map((d) => [d.key, d.collection, d.partition, d.rows])).toEqual([
      ['bits/_default', 'bits', undefined, 297],
      ['bits/bp', 'bits', 'bp', 50],
      ['books/_default', 'books', undefined, 295 + 252 + 120],
      ['books/partition_1', 'books', 'partition_1', 148 + 90],
      ['books/partition_2', 'books', 'partition_2', 75],
    ]);
    const books = source.datasets.find((d) => d.collection === 'books')!;
    expect(books.schema.fields).toEqual([
      { name: 'id', type: 'int64', isPrimaryKey: true },
      { name: 'embedding', type: 'float_vector', dim: 16, metric: 'IP' },
    ]);
    expect(source.datasets[0]!.schema.fields[1]).toEqual({ name: 'embedding', type: 'binary_vector', dim: 128, metric: 'HAMMING' });
    expect(books.origin).toBe('Milvus 1.x books/_default');
    const info = context.logs.filter((l) => l.level === 'info').map((l) => l.message);
    expect(info).toContain('dropped in 1.x, not migrated: partition "books/dropped_p", collection "old"');
    expect(info).toContain('books/empty_p: no live rows; left out (skip_empty)');
    expect(info).toContain('books/all_deleted: no live rows; left out (skip_empty)');
    expect(info).toContain('"books" had a IVF_FLAT index {"nlist":16} in 1.x; the target builds its own');
    const warn = context.logs.filter((l) => l.level === 'warn').map((l) => l.message);
    expect(warn).toEqual([
      expect.stringMatching(
        /^books\/_default: segment \d{19} \(RAW\): 1 offset\(s\) in deleted_docs lie outside its 300 rows and are ignored$/,
      ),
    ]);
  });

  it('yields exactly the live rows, bit for bit, in segment order, at any batch and block size', async () => {
    for (const [batchRows, blockBytes] of [
      [10_000, 64 * 1024 * 1024],
      [7, 64 * 1024 * 1024],
      [1, 4096],
      [10_000, 4096],
    ] as const) {
      const { source } = await open({ path: built.root, block_bytes: blockBytes });
      const got = await readAll(source, batchRows);
      for (const e of built.expected.filter((x) => x.rows > 0)) {
        const g = got.get(e.key)!;
        expect(g.ids, `${e.key} ids at batchRows ${batchRows}`).toEqual(e.ids);
        expect(Buffer.from(g.vectors).equals(Buffer.from(expectedBytes(e.vectors))), `${e.key} vectors`).toBe(true);
        if (blockBytes === 4096)
          expect(Math.max(...g.batches.map((b) => b.numRows))).toBeLessThanOrEqual(Math.floor(4096 / (e.binary ? 16 + 8 : 64 + 8)));
      }
      // Ids beyond 2^53 and negative ones survive.
      const books = got.get('books/_default')!.ids;
      expect(books.some((v) => v > 2n ** 53n) && books.some((v) => v < 0n)).toBe(true);
    }
  });

  it('resumes from any batch cursor without repeating or losing a row', async () => {
    const { source } = await open({ path: built.root });
    const full = (await readAll(source, 50, undefined, 'books/_default')).get('books/_default')!;
    for (const cut of [1, 5, 6, full.batches.length - 1]) {
      const cursor = full.batches[cut - 1]!.cursor;
      const rest = (await readAll(source, 50, JSON.parse(JSON.stringify(cursor)), 'books/_default')).get('books/_default')!;
      const before = full.batches.slice(0, cut).reduce((n, b) => n + b.numRows, 0);
      expect(rest.ids).toEqual(full.ids.subarray(before));
    }
    const dataset = source.datasets.find((d) => d.key === 'books/_default')!;
    const stale = { segment: 0, segmentId: '1', row: 0 };
    await expect(dataset.batches({ batchRows: 10, resumeFrom: stale })[Symbol.asyncIterator]().next()).rejects.toThrow(
      'the resume position does not match',
    );
  });

  it('reads the collections and partitions a job names, _default included', async () => {
    const keys = async (collections: unknown) => (await open({ path: built.root, collections })).source.datasets.map((d) => d.key);
    expect(await keys(['books'])).toEqual(['books/_default', 'books/partition_1', 'books/partition_2']);
    expect(await keys({ books: ['partition_2', '_default'] })).toEqual(['books/partition_2', 'books/_default']);
    expect(await keys({ books: null, bits: ['bp'] })).toEqual(['books/_default', 'books/partition_1', 'books/partition_2', 'bits/bp']);
    expect(await keys({ books: [] })).toEqual(['books/_default', 'books/partition_1', 'books/partition_2']);
    expect(await keys({ books: ['empty_p', 'partition_1'] })).toEqual(['books/partition_1']);
  });

  it('migrates empty partitions when skip_empty is false, as zero-row datasets', async () => {
    const { source } = await open({ path: built.root, collections: { books: ['empty_p', 'all_deleted'] }, skip_empty: false });
    expect(source.datasets.map((d) => [d.key, d.rows])).toEqual([
      ['books/empty_p', 0],
      ['books/all_deleted', 0],
    ]);
    const got = await readAll(source);
    expect([...got.values()].map((g) => g.batches.length)).toEqual([0, 0]);
  });

  it('says which collection or partition is unknown or dropped, and what there is', async () => {
    const fail = (collections: unknown) =>
      open({ path: built.root, collections }).then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(await fail(['nope'])).toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.collections: no collection "nope" in SQLite ${built.db}/meta.sqlite (collections: "bits", "books")`,
    });
    expect(await fail(['old'])).toMatchObject({
      message:
        'source.collections: collection "old" was dropped in Milvus 1.x (its meta row is TO_DELETE, awaiting cleanup); there is nothing to migrate',
    });
    expect(await fail({ books: ['dropped_p'] })).toMatchObject({
      message:
        'source.collections.books: partition "dropped_p" of collection "books" was dropped in Milvus 1.x (its meta row is TO_DELETE); there is nothing to migrate',
    });
    expect(await fail({ books: ['partition_9'] })).toMatchObject({
      message:
        'source.collections.books: collection "books" has no partition "partition_9" (partitions: "_default", "partition_1", "partition_2", "empty_p", "all_deleted")',
    });
    const partitionTable = built.meta.tables.find((t) => t.partition_tag === 'partition_1')!.table_id;
    expect(await fail([partitionTable])).toMatchObject({
      message: `source.collections: "${partitionTable}" is a partition (tag "partition_1") of collection "books", not a collection`,
    });
  });

  it('accepts the db folder itself, a path relative to the job, and a meta file elsewhere', async () => {
    expect((await open({ path: built.db })).source.datasets.length).toBe(5);
    const jobDir = join(built.root, '..');
    expect((await open({ path: relative(jobDir, built.root) }, jobDir)).source.datasets.length).toBe(5);
    const copy = scratch();
    cpSync(join(built.db, 'meta.sqlite'), join(copy, 'copy.sqlite'));
    expect((await open({ path: built.root, meta_file: join(copy, 'copy.sqlite') })).source.datasets.length).toBe(5);
  });

  it('reads a meta whose rows are still in meta.sqlite-wal', async () => {
    const wal = await buildMilvus1xDir(scratch(), scenario(undefined, { meta: 'sqlite-wal' }));
    const got = await readAll((await open({ path: wal.root })).source);
    expect([...got.keys()]).toEqual(['bits/_default', 'bits/bp', 'books/_default', 'books/partition_1', 'books/partition_2']);
    expect(got.get('books/partition_1')!.ids).toEqual(wal.expected.find((e) => e.key === 'books/partition_1')!.ids);
  });

  it('refuses a folder that is not a 1.x directory, and one whose meta must be in MySQL', async () => {
    const empty = scratch();
    await expect(open({ path: empty })).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.path: ${empty} is not a Milvus 1.x data directory (no db/ folder, meta.sqlite or tables/)`,
    });
    await expect(open({ path: join(empty, 'missing') })).rejects.toMatchObject({
      message: `source.path: ${join(empty, 'missing')} does not exist`,
    });
    const mysqlDir = await buildMilvus1xDir(scratch(), scenario(undefined, { meta: 'none' }));
    await expect(open({ path: mysqlDir.root })).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.path: ${mysqlDir.db} has no meta.sqlite, so its meta is in MySQL`,
    });
    expect(() => options({ path: '/x', mysql: { host: 'h' }, meta_file: '/m' })).toThrow(
      'source.meta_file: give mysql or meta_file, not both',
    );
  });

  it('warns when the meta row_count and the files disagree, and fails under row_count_check: fail', async () => {
    const odd = await buildMilvus1xDir(scratch(), {
      collections: [{ name: 'c', dim: 4, metric: 'L2', segments: [{ rows: 10, type: 'RAW', deletes: [[1]], metaRowCount: 10 }] }],
    });
    const { source, context } = await open({ path: odd.root });
    expect(source.datasets[0]!.rows).toBe(9);
    expect(context.logs.find((l) => l.level === 'warn')?.message).toMatch(
      /^c\/_default: segment \d{19} \(RAW\): the files hold 9 live rows \(10 written, 1 deleted\) but the meta's row_count is 10; reading what the files hold$/,
    );
    await expect(open({ path: odd.root, row_count_check: 'fail' })).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: expect.stringContaining("but the meta's row_count is 10"),
    });
  });

  it('fails at open, before any row is yielded, naming every broken segment', async () => {
    const broken = await buildMilvus1xDir(scratch(), scenario());
    const [a, b] = broken.segments.filter((s) => s.collection === 'books' && s.type === 'RAW');
    rmSync(a!.uid);
    truncateSync(b!.rv, 100);
    const context = testContext('/');
    const err = await plugin.open(options({ path: broken.root }), context).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MDM_SOURCE',
      message: `books/_default: segment ${a!.segmentId} (RAW): ${a!.uid} is missing (and 1 more problem(s), each in the log)`,
      hint: expect.stringContaining('Nothing was written'),
    });
    expect(context.logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      `books/_default: segment ${a!.segmentId} (RAW): ${a!.uid} is missing`,
      `books/partition_1: segment ${b!.segmentId} (RAW): ${b!.rv} is short: its header announces ${150 * 64} bytes but only 92 follow (truncated?)`,
    ]);
    // The broken partition is not read at all when the job does not name it.
    expect((await open({ path: broken.root, collections: ['bits'] })).source.datasets.length).toBe(2);
  });

  it('stops with the segment named when a file changes between open and read', async () => {
    const moving = await buildMilvus1xDir(scratch(), scenario());
    const { source } = await open({ path: moving.root, collections: { books: ['partition_2'] } });
    const seg = moving.segments.find((s) => s.tag === 'partition_2')!;
    truncateSync(seg.rv, 8);
    await expect(readAll(source)).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `books/partition_2: segment ${seg.segmentId} (TO_INDEX): ${seg.rv} is 8 bytes now but was ${8 + 77 * 64} when the job started (is Milvus still running on segment ${seg.segmentId}?)`,
    });
  });
});

describe('legacy M2M / M2H jobs', () => {
  it('maps the seed M2M.yaml and M2H.yaml onto options this reader accepts', () => {
    for (const name of ['M2M.yaml', 'M2H.yaml']) {
      const file = join(seedDirPath, 'yamls', name);
      const job = jobFromDocument(parseYaml(readFileSync(file, 'utf8'), file), file, '/jobs', { runId: 'r1', env: {} });
      expect(job.source.type).toBe('milvus1x');
      const o = options(job.source.options as Record<string, unknown>);
      expect(o).toMatchObject({
        path: '/home/user/milvus',
        mysql: { host: '127.0.0.1', user: 'root', port: 3306, password: '123456', database: 'milvus' },
        collections: { test: ['partition_1', 'partition_2'] },
        skip_empty: true,
      });
    }
  });

  it('maps an empty mysql_parameter to SQLite and a missing partition list to every partition', () => {
    // (`mysql_parameter: ''`, the form MilvusDM's docs give, is refused by core today: see the report.)
    for (const empty of [null, { host: '', user: '', port: null, password: '', database: '' }]) {
      const doc = {
        M2H: { milvus_version: '1.x', source_milvus_path: '/m', mysql_parameter: empty, source_collection: { test: null }, data_dir: '/d' },
      };
      const job = jobFromDocument(doc, undefined, '/jobs', { runId: 'r1', env: {} });
      const o = options(job.source.options as Record<string, unknown>);
      expect(o.mysql).toBeUndefined();
      expect(o.collections).toEqual({ test: null });
    }
  });

  it('registers the MySQL password as a secret before anything can log it', async () => {
    const context = testContext('/');
    await plugin.open(options({ path: built.root, mysql: { password: 'pw-123456', port: 1 } }), context).catch(() => undefined);
    expect(context.secrets).toContain('pw-123456');
    const uri = testContext('/');
    await plugin.open(options({ path: built.root, mysql: 'mysql://root:s%3Acret@127.0.0.1:1/milvus' }), uri).catch(() => undefined);
    expect(uri.secrets).toEqual(['mysql://root:s%3Acret@127.0.0.1:1/milvus', 's:cret']);
  });
});
