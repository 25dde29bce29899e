/**
 * Where things are in a Milvus 1.x storage path: `<path>/db/meta.sqlite` and
 * `<path>/db/tables/<table_id>/<segment_id>/`. Users point at the storage path (as the seed's
 * `source_milvus_path`) or at the `db` folder itself; both are accepted.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MilvusdmError } from '@milvusdm/core';

export interface DataDir {
  /** The folder holding meta.sqlite and tables/. */
  readonly db: string;
  readonly tables: string;
  /** Where an SQLite meta would be. */
  readonly sqlite: string;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function dataDirAt(db: string): DataDir {
  return { db, tables: join(db, 'tables'), sqlite: join(db, 'meta.sqlite') };
}

/** The data directory at `path`, or undefined when it does not look like one (no error: for inspect). */
export function probeDataDir(path: string): DataDir | undefined {
  if (!isDir(path)) return undefined;
  for (const db of [join(path, 'db'), path]) {
    if (existsSync(join(db, 'meta.sqlite')) || isDir(join(db, 'tables'))) return dataDirAt(db);
  }
  return undefined;
}

/** The data directory named by `source.path`, or an error saying what is wrong with it. */
export function locateDataDir(path: string, baseDir: string): DataDir {
  const full = resolve(baseDir, path);
  if (!existsSync(full)) throw new MilvusdmError('MDM_SOURCE', `source.path: ${full} does not exist`);
  if (!isDir(full)) {
    throw new MilvusdmError('MDM_SOURCE', `source.path: ${full} is not a folder`, {
      hint: 'Give the Milvus storage path, the folder holding db/.',
    });
  }
  const found = probeDataDir(full);
  if (found) return found;
  // A MySQL-meta instance that never flushed has db/ but nothing in it yet.
  if (isDir(join(full, 'db'))) return dataDirAt(join(full, 'db'));
  throw new MilvusdmError('MDM_SOURCE', `source.path: ${full} is not a Milvus 1.x data directory (no db/ folder, meta.sqlite or tables/)`, {
    hint: 'Give the Milvus storage path (storage.path / primary_path in the server config), the folder holding db/.',
  });
}

/** `<db>/tables/<table_id>/<segment_id>`: one folder per segment, named by the meta. */
export function segmentDir(dir: DataDir, tableId: string, segmentId: string): string {
  return join(dir.tables, tableId, segmentId);
}
