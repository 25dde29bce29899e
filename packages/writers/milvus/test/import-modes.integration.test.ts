/**
 * Bulk import (method import, local storage) into Milvus 2.3.5 under the writer's other
 * options: mode overwrite replaces a collection with exactly the new rows (compared bit for bit
 * with the same file inserted, the old rows and the old collection gone), and index: false
 * leaves the collection without an index while the run still proves its row count.
 */
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

const DIM = 16;

async function h5(rows: number, seed: number, idOffset: number): Promise<string> {
  const file = join(tempDir(), `data-${seed}.h5`);
  await runPython('write_h5.py', [
    '--out',
    file,
    '--rows',
    String(rows),
    '--dim',
    String(DIM),
    '--pattern',
    'random',
    '--seed',
    String(seed),
    '--id-offset',
    String(idOffset),
  ]);
  return file;
}

const server = () => ['--uri', inject('milvus23Uri'), '--token', inject('milvus23Token')];

function job(file: string, collection: string, extra: Record<string, unknown>, storage?: string): string {
  return writeJob({
    source: { type: 'hdf5', path: file },
    target: {
      type: 'milvus',
      uri: inject('milvus23Uri'),
      token: inject('milvus23Token'),
      collection,
      ...(storage ? { method: 'import', storage: { type: 'local', path: storage }, import_poll_ms: 200 } : {}),
      ...extra,
    },
  });
}

async function run(jobFile: string) {
  const r = await runCli(['run', jobFile, '--log-dir', tempDir()]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe('bulk import into Milvus 2.3: mode overwrite and index false', () => {
  it('mode overwrite by import leaves exactly the new rows, bit for bit; the old rows and collection are gone', async () => {
    const old = await h5(3000, 3, 0);
    // Overlapping keys (500..2499) with other vectors, and keys the old file lacks.
    const fresh = await h5(2000, 9, 500);
    const storage = tempDir();
    const target = uniqueName('imp_over');
    const reference = uniqueName('imp_over_ref');
    await run(job(old, target, {}, storage));
    const before = await runPython<Record<string, { rows: number }>>('target_state.py', [...server(), target]);
    expect(before[target]!.rows).toBe(3000);
    const over = await run(job(fresh, target, { mode: 'overwrite' }, storage));
    expect(over.stderr).toMatch(/2000 rows imported in 1 file\(s\) by .*; row count verified/);
    await run(job(fresh, reference, {}));
    const v = await runPython<{ ok: boolean; a: number; b: number; differences?: unknown }>('compare_collections.py', [
      ...server(),
      '--a',
      reference,
      '--b',
      target,
    ]);
    expect(v, JSON.stringify(v.differences)).toMatchObject({ ok: true, a: 2000, b: 2000 });
    // No staging or backup copy of the old collection is left behind.
    const all = await runPython<{ collections: string[] }>('list_collections.py', server());
    expect(all.collections.filter((n) => n.includes(target))).toEqual([target]);
  });

  it('index: false by import builds no index, and the run still proves the row count', async () => {
    const file = await h5(2500, 5, 0);
    const target = uniqueName('imp_noindex');
    const r = await run(job(file, target, { index: false }, tempDir()));
    expect(r.stderr).toMatch(/2500 rows imported in 1 file\(s\) by .*; row count verified/);
    expect(r.stderr).toMatch(/done: 2500 rows/);
    const state = await runPython<{ indexes: string[]; rows: number; loaded: boolean }>('index_state.py', [
      ...server(),
      '--collection',
      target,
    ]);
    expect(state).toEqual({ indexes: [], rows: 2500, loaded: false });
  });
});
