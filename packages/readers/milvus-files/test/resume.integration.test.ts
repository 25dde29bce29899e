/**
 * A Milvus 1.x directory migrated with interruptions: M2M into Milvus Lite and M2H into HDF5,
 * killed (kill -9, Ctrl-C) at seeded moments and run again until complete. The 1.x reader's
 * cursor (segment, row, deleted rows already passed) must bring the run back to exactly where
 * it stopped: every live row once, deleted rows never, checked with pymilvus and h5py.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { checkResumedCleanly, killAndResume, tempDir, writeJob, type KillPlan } from '@milvusdm/testing';
import { buildMilvus1xDir, type DirSpec } from '@milvusdm/milvus1x-testing';
import { expectedH5, uniqueNames, verifyH5, verifyMilvus } from './jobs.js';
import { removeScratch, scratch } from './helpers.js';

afterAll(() => removeScratch());

const POINTS = Number(process.env['MILVUSDM_KILL_POINTS'] ?? 2);
const SEED = Number(process.env['MILVUSDM_KILL_SEED'] ?? 20261130);

/** About 15k live rows over segments of every live kind, with deletes, in two partitions. */
function spec(collection: string): DirSpec {
  return {
    seed: 5,
    collections: [
      {
        name: collection,
        dim: 128,
        metric: 'L2',
        segments: [
          {
            rows: 4000,
            type: 'RAW',
            deletes: [
              [0, 7, 3999],
              [100, 7],
            ],
          },
          { rows: 5000, type: 'BACKUP', deletes: [[2500]] },
          { rows: 2000, type: 'TO_INDEX' },
        ],
        partitions: [{ tag: 'p1', segments: [{ rows: 4000, type: 'RAW', deletes: [[1, 2, 3]] }] }],
      },
    ],
  };
}

async function killed(target: (collection: string) => Record<string, unknown>, plan: KillPlan, run: Record<string, unknown> = {}) {
  const names = uniqueNames('kill1x');
  const built = await buildMilvus1xDir(scratch(), spec(names.float));
  const stateDir = tempDir('milvusdm-state-');
  const file = writeJob({
    source: { type: 'milvus1x', path: built.root },
    target: target(names.float),
    run: { batch_rows: 500, state_dir: stateDir, ...run },
  });
  const live = built.expected.filter((d) => d.rows > 0);
  const rows = live.reduce((n, d) => n + d.rows, 0);
  checkResumedCleanly(await killAndResume(['run', file, '--log-dir', tempDir()], stateDir, { ...plan, totalRows: rows }), plan, stateDir);
  return { live, h5: await expectedH5(live) };
}

describe.each([
  ['kill -9', 'SIGKILL'],
  ['Ctrl-C', 'SIGINT'],
] as const)('Milvus 1.x directory, resumed after %s', (_label, signal) => {
  const plan = (seed: number): KillPlan => ({
    seed: SEED + seed + (signal === 'SIGINT' ? 1000 : 0),
    points: signal === 'SIGINT' ? Math.max(1, POINTS - 1) : POINTS,
    signal,
    totalRows: 0,
    // Ctrl-C is handled between batches: it must land early enough, and soon after its point, to interrupt a fast job.
    ...(signal === 'SIGINT' ? { spread: 0.6, jitterMs: 20 } : {}),
  });

  it('M2M into Milvus Lite: every live row once, per partition', async () => {
    const uri = inject('milvusLiteUri');
    const { live, h5 } = await killed(() => ({ type: 'milvus', uri, mode: 'append' }), plan(41));
    for (const d of live) {
      const v = await verifyMilvus(uri, d, h5.get(d.key)!);
      expect(v, d.key).toMatchObject({ ok: true, expected: d.rows, counted: d.rows });
    }
  });

  it('M2H into HDF5: one exact file per partition', async () => {
    const out = tempDir();
    // File to file can finish before a kill at a row count lands: the cap (rows per second) makes each run last a few seconds.
    const { live, h5 } = await killed(() => ({ type: 'hdf5', dir: out, h2m_yaml: false }), plan(42), { max_rows_per_second: 4000 });
    for (const d of live) {
      const v = await verifyH5(join(out, d.collection, `${d.partition ?? '_default'}.h5`), h5.get(d.key)!, 'float32');
      expect(v, d.key).toMatchObject({ ok: true, expected: d.rows, actual: d.rows, mismatches: [] });
    }
  });
});
