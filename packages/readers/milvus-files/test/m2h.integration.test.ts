/**
 * M2H from Milvus 1.x directories with the seed's M2H.yaml (SQLite and MySQL meta), and a
 * milvusdm-format job reading every collection: one HDF5 file per non-empty partition, each
 * holding exactly the live rows (h5py, bit for bit), and beside it the H2M job that loads it
 * back — which is then run into Milvus Lite and checked with pymilvus.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { ExpectedDataset } from '@milvusdm/milvus1x-testing';
import {
  buildFixture,
  cli,
  expectedH5,
  hostPort,
  mysqlForTests,
  mysqlParameter,
  newJob,
  readYaml,
  seedJob,
  uniqueNames,
  verifyH5,
  verifyMilvus,
  type Fixture,
} from './jobs.js';
import { removeScratch, scratch } from './helpers.js';

const hasMysql = await mysqlForTests();
const fixtures: Fixture[] = [];
afterAll(async () => {
  for (const f of fixtures) await f.drop();
  removeScratch();
});

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

/** Every non-empty dataset as <collection>/<tag>.h5 plus its H2M job, nothing else; each file checked by h5py. */
async function checkDump(runDir: string, expected: readonly ExpectedDataset[]) {
  const live = expected.filter((d) => d.rows > 0);
  const tag = (d: ExpectedDataset) => d.partition ?? '_default';
  expect(listFiles(runDir)).toEqual(live.flatMap((d) => [`${d.collection}/${tag(d)}.h5`, `yamls/${d.collection}/${tag(d)}.yaml`]).sort());
  const h5 = await expectedH5(live);
  for (const d of live) {
    const file = join(runDir, d.collection, `${tag(d)}.h5`);
    const verdict = await verifyH5(file, h5.get(d.key)!, d.binary ? 'uint8' : 'float32');
    expect(verdict, d.key).toMatchObject({ ok: true, expected: d.rows, actual: d.rows, mismatches: [] });
    const job = readYaml(join(runDir, 'yamls', d.collection, `${tag(d)}.yaml`)) as { H2M: Record<string, unknown> };
    expect(job.H2M).toMatchObject({
      data_path: [file],
      dest_collection_name: d.collection,
      dest_partition_name: d.partition ?? '',
      mode: 'skip',
      collection_parameter: { dimension: d.dim, metric_type: d.metric },
    });
  }
  return h5;
}

function runDirOf(dataDir: string): string {
  const runs = readdirSync(dataDir);
  expect(runs).toHaveLength(1);
  return join(dataDir, runs[0]!);
}

describe('M2H from a Milvus 1.x directory', () => {
  it('runs the seed M2H.yaml with SQLite meta: one file per partition, and H2M jobs that load them back', async () => {
    const f = await buildFixture('sqlite', uniqueNames('m2h_lite'));
    fixtures.push(f);
    const dataDir = scratch();
    const job = seedJob('M2H.yaml', {
      source_milvus_path: f.built.root,
      mysql_parameter: null,
      source_collection: { [f.names.float]: null, [f.names.binary]: [] },
      data_dir: dataDir,
    });
    const r = await cli(['--yaml', job]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('done: 1327 rows');
    const runDir = runDirOf(dataDir);
    const h5 = await checkDump(runDir, f.built.expected);

    // The H2M job written beside partition_1 loads it into Milvus Lite, into that partition.
    const uri = inject('milvusLiteUri');
    const { host, port } = hostPort(uri);
    const p1 = f.built.expected.find((d) => d.key === `${f.names.float}/partition_1`)!;
    const h2m = seedJobFromDump(join(runDir, 'yamls', f.names.float, 'partition_1.yaml'), host, port);
    const load = await cli(['--yaml', h2m]);
    expect(load.code, load.stderr).toBe(0);
    const verdict = await verifyMilvus(uri, p1, h5.get(p1.key)!);
    expect(verdict).toMatchObject({ ok: true, expected: 238, counted: 238 });
  });

  it.skipIf(!hasMysql)('runs the seed M2H.yaml with MySQL meta, naming partitions as the seed does', async () => {
    const f = await buildFixture('mysql', uniqueNames('m2h_my'));
    fixtures.push(f);
    const dataDir = scratch();
    const job = seedJob('M2H.yaml', {
      source_milvus_path: f.built.root,
      mysql_parameter: mysqlParameter(f.database!),
      source_collection: { [f.names.float]: ['partition_1', 'partition_2'] },
      data_dir: dataDir,
    });
    const r = await cli(['--yaml', job]);
    expect(r.code, r.stderr).toBe(0);
    const wanted = f.built.expected.filter(
      (d) => d.collection === f.names.float && (d.partition === 'partition_1' || d.partition === 'partition_2'),
    );
    await checkDump(runDirOf(dataDir), wanted);
  });

  it('reads every collection of the directory into any writer with a milvusdm-format job', async () => {
    const f = await buildFixture('sqlite', uniqueNames('m2h_all'), { meta: 'sqlite-wal' });
    fixtures.push(f);
    const out = scratch();
    // No `collections`: everything; a small block size and batch to cross block boundaries.
    const job = newJob({
      source: { type: 'milvus1x', path: f.built.root, block_bytes: 4096 },
      target: { type: 'hdf5', dir: out, h2m_yaml: false },
      run: { batch_rows: 37 },
    });
    const r = await cli(['run', job]);
    expect(r.code, r.stderr).toBe(0);
    const live = f.built.expected.filter((d) => d.rows > 0);
    expect(listFiles(out)).toEqual(live.map((d) => `${d.collection}/${d.partition ?? '_default'}.h5`).sort());
    const h5 = await expectedH5(live);
    for (const d of live) {
      const verdict = await verifyH5(
        join(out, d.collection, `${d.partition ?? '_default'}.h5`),
        h5.get(d.key)!,
        d.binary ? 'uint8' : 'float32',
      );
      expect(verdict, d.key).toMatchObject({ ok: true, expected: d.rows });
    }
    expect(existsSync(join(out, f.names.dropped))).toBe(false);
  });
});

/** The H2M job M2H wrote, pointed at the test server (its data_path is absolute already). */
function seedJobFromDump(path: string, host: string, port: number): string {
  const doc = readYaml(path) as { H2M: Record<string, unknown> };
  return newJob({ H2M: { ...doc.H2M, dest_host: host, dest_port: port } });
}
