import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteMetaStore } from '../dist/index.js';
import { writeSqliteMeta } from '@milvusdm/milvus1x-testing';
import { checkScenario, ROWS } from './scenario.js';

const dirs: string[] = [];
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'milvusdm-meta-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('SqliteMetaStore', () => {
  it('reads collections, partitions and live segments, skipping dropped rows, index files and in-flight files', async () => {
    const path = join(freshDir(), 'meta.sqlite');
    writeSqliteMeta(path, ROWS);
    const before = readFileSync(path);
    const store = await SqliteMetaStore.open(path);
    try {
      expect(store.description).toBe(`SQLite ${path}`);
      await checkScenario(store);
    } finally {
      await store.close();
    }
    // Opened read-only: the source file is byte for byte what it was.
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('sees rows that are only in meta.sqlite-wal (a copy of a running instance)', async () => {
    const dir = freshDir();
    const path = join(dir, 'meta.sqlite');
    writeSqliteMeta(path, ROWS, { leaveWal: true });
    expect(readdirSync(dir).sort()).toEqual(['meta.sqlite', 'meta.sqlite-shm', 'meta.sqlite-wal']);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    // Without its WAL the main file holds no collection: the rows really are only in the log.
    const alone = join(freshDir(), 'meta.sqlite');
    copyFileSync(path, alone);
    const bare = new Database(alone, { readonly: true });
    expect(bare.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'Tables'").get()).toEqual({ n: 0 });
    bare.close();

    const store = await SqliteMetaStore.open(path);
    try {
      await checkScenario(store);
    } finally {
      await store.close();
    }
  });

  it('names the file when it is missing, not a database, or not a Milvus meta', async () => {
    const dir = freshDir();
    await expect(SqliteMetaStore.open(join(dir, 'meta.sqlite'))).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.path: ${join(dir, 'meta.sqlite')} does not exist`,
    });
    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, Buffer.alloc(4096, 0x41));
    await expect(SqliteMetaStore.open(junk, { jobKey: 'source.meta_file' })).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.meta_file: ${junk} is not an SQLite database`,
    });
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE Tables (x INTEGER)');
    db.close();
    await expect(SqliteMetaStore.open(other)).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `${other}: not a Milvus 1.x meta database (no TableFiles table)`,
    });
  });

  it('keeps a 19-digit id exact even when SQLite stored it as an integer', async () => {
    const path = join(freshDir(), 'meta.sqlite');
    writeSqliteMeta(path, { tables: ROWS.tables.slice(0, 1), files: [] });
    const db = new Database(path);
    // A variant schema with INTEGER id columns stores the ids as 64-bit integers, not text.
    db.exec('DROP TABLE TableFiles');
    db.exec(
      'CREATE TABLE TableFiles (id INTEGER PRIMARY KEY, table_id TEXT, segment_id INTEGER, engine_type INTEGER, file_id INTEGER, file_type INTEGER, ' +
        'file_size INTEGER, row_count INTEGER, updated_time INTEGER, created_on INTEGER, date INTEGER, flush_lsn INTEGER)',
    );
    db.prepare(
      'INSERT INTO TableFiles (table_id, segment_id, engine_type, file_id, file_type, file_size, row_count, updated_time, created_on, date, flush_lsn) VALUES (?, ?, 1, ?, 1, 0, 5, 0, 0, 0, 0)',
    ).run('books', 9_007_199_254_740_993n, 1_678_354_366_132_931_001n);
    expect(db.prepare('SELECT typeof(segment_id) AS t FROM TableFiles').get()).toEqual({ t: 'integer' });
    db.close();
    const store = await SqliteMetaStore.open(path);
    try {
      const [segment] = await store.liveSegments('books');
      expect(segment).toMatchObject({ segmentId: '9007199254740993', fileId: '1678354366132931001', rowCount: 5 });
    } finally {
      await store.close();
    }
  });
});
