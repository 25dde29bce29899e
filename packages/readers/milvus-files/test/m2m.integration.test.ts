/**
 * M2M from Milvus 1.x directories with the seed's M2M.yaml, run by the real CLI: SQLite meta
 * into Milvus Lite (float vectors), MySQL meta into Milvus 2.3 (binary and float). Each target
 * collection must have the source's dimension, metric and partitions, and hold exactly the
 * live rows — every id and vector bit checked by pymilvus against the rows the fixture
 * builder computed.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ExpectedDataset } from '@milvusdm/milvus1x-testing';
import {
  buildFixture,
  cli,
  credentials,
  describeCollection,
  expectedH5,
  hostPort,
  mysqlForTests,
  mysqlParameter,
  newJob,
  seedJob,
  uniqueNames,
  verifyMilvus,
  type Fixture,
} from './jobs.js';
import { removeScratch } from './helpers.js';

const hasMysql = await mysqlForTests();
const fixtures: Fixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.drop();
  removeScratch();
});

async function checkCollection(uri: string, collection: string, expected: readonly ExpectedDataset[], token = '') {
  const mine = expected.filter((d) => d.collection === collection && d.rows > 0);
  const described = await describeCollection(uri, collection, token);
  const first = mine[0]!;
  expect(described.exists).toBe(true);
  expect(described.fields).toEqual([
    { name: 'id', type: 'INT64', dim: null, primary: true, auto_id: false },
    { name: 'embedding', type: first.binary ? 'BINARY_VECTOR' : 'FLOAT_VECTOR', dim: first.dim, primary: false, auto_id: false },
  ]);
  expect(described.metric).toBe(first.metric);
  // Every non-empty source partition, and nothing else (the default partition always exists).
  expect(described.partitions).toEqual(Object.fromEntries([['_default', 0], ...mine.map((d) => [d.partition ?? '_default', d.rows])]));
  const h5 = await expectedH5(mine);
  for (const d of mine) {
    const verdict = await verifyMilvus(uri, d, h5.get(d.key)!, token);
    expect(verdict, d.key).toMatchObject({ ok: true, expected: d.rows, counted: d.rows, mismatches: [] });
  }
}

describe('M2M from a Milvus 1.x directory', () => {
  it('runs the seed M2M.yaml with SQLite meta (mysql_parameter empty) into Milvus Lite', async () => {
    const uri = inject('milvusLiteUri');
    const f = await buildFixture('sqlite', uniqueNames('m2m_lite'));
    fixtures.push(f);
    const { host, port } = hostPort(uri);
    const job = seedJob('M2M.yaml', {
      source_milvus_path: f.built.root,
      mysql_parameter: null,
      source_collection: { [f.names.float]: null },
      dest_host: host,
      dest_port: port,
    });
    const r = await cli(['--yaml', job]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('done: 980 rows');
    await checkCollection(uri, f.names.float, f.built.expected);
  });

  it('creates empty partitions too when the job says skip_empty: false', async () => {
    const uri = inject('milvusLiteUri');
    const f = await buildFixture('sqlite', uniqueNames('m2m_empty'));
    fixtures.push(f);
    const job = newJob({
      source: {
        type: 'milvus1x',
        path: f.built.root,
        collections: { [f.names.float]: ['partition_2', 'empty_p', 'all_deleted'] },
        skip_empty: false,
      },
      target: { type: 'milvus', uri },
    });
    const r = await cli(['run', job]);
    expect(r.code, r.stderr).toBe(0);
    const described = await describeCollection(uri, f.names.float);
    expect(described.partitions).toEqual({ _default: 0, partition_2: 75, empty_p: 0, all_deleted: 0 });
    // The rows themselves, bit for bit, in the one partition that has any.
    const p2 = f.built.expected.find((d) => d.collection === f.names.float && d.partition === 'partition_2')!;
    const h5 = await expectedH5([p2]);
    expect(await verifyMilvus(uri, p2, h5.get(p2.key)!)).toMatchObject({ ok: true, expected: 75, counted: 75, mismatches: [] });
  });

  it.skipIf(!hasMysql)(
    'runs the seed M2M.yaml with MySQL meta into Milvus 2.3, binary and float collections with their partitions',
    async () => {
      const uri = inject('milvus23Uri');
      const token = inject('milvus23Token');
      expect(uri, 'Milvus 2.3 was not started (MILVUSDM_SKIP_MILVUS23=1?): binary vectors need it').not.toBe('');
      const f = await buildFixture('mysql', uniqueNames('m2m_my'));
      fixtures.push(f);
      const { host, port } = hostPort(uri);
      const job = seedJob('M2M.yaml', {
        source_milvus_path: f.built.root,
        mysql_parameter: mysqlParameter(f.database!),
        // The seed's shape: a collection with a list of partitions, and one with every partition.
        source_collection: { [f.names.float]: ['partition_1', 'partition_2', '_default'], [f.names.binary]: null },
        dest_host: host,
        dest_port: port,
        ...credentials(token, 'dest'),
      });
      const r = await cli(['--yaml', job]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`meta in MySQL ${mysqlParameter(f.database!)['user']}@`);
      await checkCollection(uri, f.names.float, f.built.expected, token);
      await checkCollection(uri, f.names.binary, f.built.expected, token);
    },
  );
});
