/**
 * `milvusdm dump` cannot read a live collection at one pinned timestamp (docs/dump-restore.md),
 * so it counts each collection before the read and after it: rows inserted while the dump runs
 * (a real pymilvus writer, inserting until the dump ends) give a warning naming the collection
 * and both counts and `consistency.changed: true` in the manifest; a quiet dump gives neither.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName } from '@milvusdm/testing';

interface Consistency {
  pinned: boolean;
  countBefore: number;
  countAfter: number;
  changed: boolean;
  partitions?: Record<string, { countBefore: number; countAfter: number }>;
}

const manifestOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    consistency: string;
    collections: { name: string; rows: number; consistency: Consistency }[];
  };

async function waitFor(path: string, holds: (path: string) => boolean = () => true): Promise<void> {
  const there = () => existsSync(path) && holds(path);
  for (let i = 0; i < 1200 && !there(); i++) await sleep(100);
  if (!there()) throw new Error(`${path} never appeared`);
}

describe('dump consistency', () => {
  it('rows inserted during the dump: a warning with both counts, and the manifest marks the collection changed', async () => {
    const uri = inject('milvusLiteUri');
    const name = uniqueName('growing');
    const dir = tempDir();
    const ready = join(dir, 'ready');
    const stop = join(dir, 'stop');
    const writer = runPython<{ rows: number }>('grow_collection.py', [
      '--uri',
      uri,
      '--collection',
      name,
      '--rows',
      '2000',
      '--ready',
      ready,
      '--stop',
      stop,
    ]);
    let inserted: number | undefined;
    try {
      await waitFor(ready);
      const archive = join(tempDir(), 'busy');
      // Small batches: the read takes many requests, with inserts landing between them.
      const dump = runCli(['dump', '--from', uri, '--to', archive, '--collections', name, '--batch-rows', '100', '--log-dir', tempDir()]);
      // The run's state file is written once the dump has counted (planned) the collection: the
      // writes go on a few seconds after that, then stop, so the read catches up with them.
      await waitFor(join(archive, '.milvusdm'), (dir) => readdirSync(dir).some((f) => f.endsWith('.state.json')));
      await sleep(3000);
      writeFileSync(stop, '');
      const r = await dump;
      const total = (await writer).rows;
      inserted = total;
      expect(r.code, r.stderr).toBe(0);
      const entry = manifestOf(archive).collections[0]!;
      expect(entry.consistency).toMatchObject({ pinned: false, changed: true });
      expect(entry.consistency.countBefore).toBeGreaterThanOrEqual(2000);
      expect(entry.consistency.countAfter).toBeGreaterThan(entry.consistency.countBefore);
      expect(entry.consistency.countAfter).toBeLessThanOrEqual(total);
      // Nothing was deleted: every row counted before is in the archive, and none that was not there after.
      expect(entry.rows).toBeGreaterThanOrEqual(entry.consistency.countBefore);
      expect(entry.rows).toBeLessThanOrEqual(entry.consistency.countAfter);
      expect(entry.consistency.partitions?.['_default']).toEqual({
        countBefore: entry.consistency.countBefore,
        countAfter: entry.consistency.countAfter,
      });
      expect(r.stderr).toContain(
        `warning: collection ${name} changed while it was dumped: ${entry.consistency.countBefore} rows before the read, ${entry.consistency.countAfter} after`,
      );
      const inspected = await runCli(['inspect', archive]);
      expect(inspected.stdout).toContain(
        `changed while dumped: ${entry.consistency.countBefore} rows before the read, ${entry.consistency.countAfter} after`,
      );
    } finally {
      writeFileSync(stop, '');
      await writer.catch(() => undefined);
    }

    // The writer has stopped: the same collection dumped again is quiet, every row inserted in it.
    const quiet = join(tempDir(), 'quiet');
    const q = await runCli(['dump', '--from', uri, '--to', quiet, '--collections', name, '--batch-rows', '100', '--log-dir', tempDir()]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stderr).not.toMatch(/changed while it was dumped/);
    const entry = manifestOf(quiet).collections[0]!;
    expect(entry.rows).toBe(inserted);
    expect(entry.consistency).toEqual({ pinned: false, countBefore: inserted, countAfter: inserted, changed: false });
    // And it is the collection, bit for bit.
    const copy = uniqueName('growing_copy');
    const restored = await runCli(['restore', '--from', quiet, '--to', uri, '--rename', `${name}=${copy}`, '--log-dir', tempDir()]);
    expect(restored.code, restored.stderr).toBe(0);
    const v = await runPython<{ ok: boolean; a: number; b: number }>('compare_collections.py', ['--uri', uri, '--a', name, '--b', copy]);
    expect(v).toMatchObject({ ok: true, a: inserted, b: inserted });
  });
});
