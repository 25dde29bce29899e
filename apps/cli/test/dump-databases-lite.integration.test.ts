/**
 * `milvusdm dump --all-databases` on Milvus Lite 3.2, which lists and creates databases too:
 * a database of its own (same-named collections as any other test's, one with partitions)
 * dumped with every other, restored under another name and compared with pymilvus. Its own
 * Lite server: --all-databases reads the whole server, which other test files change meanwhile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runPython, startMilvusLite, tempDir, uniqueName } from '@milvusdm/testing';

describe('dump --all-databases (Milvus Lite 3.2)', () => {
  it('dumps and restores a database of its own, every row, partition, index, alias and load state as the source', async () => {
    const server = await startMilvusLite(tempDir());
    try {
      await dumpAndRestore(server.uri);
    } finally {
      await server.stop();
    }
  });
});

async function dumpAndRestore(uri: string): Promise<void> {
  const db = uniqueName('lite_db');
  const made = await runPython<{ collections: Record<string, number> }>('make_database.py', [
    '--uri',
    uri,
    '--database',
    db,
    '--rows',
    '300',
    '--partitions',
    'p1,p2',
    '--seed',
    '31',
  ]);
  const archive = join(tempDir(), 'all');
  const dump = await runCli(['dump', '--from', uri, '--to', archive, '--all-databases', '--log-dir', tempDir()]);
  expect(dump.code, dump.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8')) as {
    version: number;
    databases: string[];
    collections: { name: string; database: string; rows: number }[];
  };
  expect(manifest.version).toBe(2);
  // Only the database made here has collections; default has none and is not listed.
  expect(manifest.databases).toEqual([db]);
  expect(Object.fromEntries(manifest.collections.filter((c) => c.database === db).map((c) => [c.name, c.rows]))).toEqual(made.collections);
  const copy = uniqueName('lite_db_copy');
  const r = await runCli([
    'restore',
    '--from',
    archive,
    '--to',
    uri,
    '--databases',
    db,
    '--rename-databases',
    `${db}=${copy}`,
    '--log-dir',
    tempDir(),
  ]);
  expect(r.code, r.stderr).toBe(0);
  const v = await runPython<{ collections: Record<string, number[]>; differences: unknown[] }>('compare_database.py', [
    '--uri',
    uri,
    '--a',
    db,
    '--b',
    copy,
  ]);
  expect(v.differences).toEqual([]);
  expect(v.collections).toEqual(Object.fromEntries(Object.entries(made.collections).map(([n, rows]) => [n, [rows, rows]])));
}
