/**
 * The SQLite meta (`<path>/db/meta.sqlite`, the default backend of a single Milvus 1.x node),
 * read with better-sqlite3: opened read-only so the source is never changed, every integer
 * fetched as a bigint so 19-digit values cannot be rounded on the way.
 *
 * Milvus runs the file in WAL mode: recent changes may sit in `meta.sqlite-wal` until a
 * checkpoint. A read-only connection applies the WAL, but SQLite then needs the `-shm` index
 * beside it, which it creates if missing, so the folder must be writable (or hold `-shm`).
 */
import { existsSync, statSync } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MilvusdmError, errorMessage } from '@milvusdm/core';
import { queries, REQUIRED_TABLES, type Query } from './queries.js';
import { countsOf, segmentOf, tableOf } from './rows.js';
import type { MetaCollection, MetaPartition, MetaSegment, MetaStore, MetaTable } from './types.js';

export interface SqliteOpenOptions {
  /** The job key that named the file, for messages (`source.path`, `source.meta_file`). */
  readonly jobKey?: string;
}

export class SqliteMetaStore implements MetaStore {
  readonly description: string;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {
    this.description = `SQLite ${path}`;
  }

  static async open(path: string, options: SqliteOpenOptions = {}): Promise<SqliteMetaStore> {
    const key = options.jobKey ?? 'source.path';
    if (!existsSync(path)) {
      throw new MilvusdmError('MDM_SOURCE', `${key}: ${path} does not exist`, {
        hint: 'A Milvus 1.x directory with SQLite meta has db/meta.sqlite; with MySQL meta, give source.mysql (M2M/M2H: mysql_parameter).',
      });
    }
    if (!statSync(path).isFile()) throw new MilvusdmError('MDM_SOURCE', `${key}: ${path} is not a file`);
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (e) {
      throw await openError(path, key, e);
    }
    let present: string[];
    try {
      // The first read is where a damaged file, a non-database or an unreadable WAL shows up.
      const rows = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${REQUIRED_TABLES.map(() => '?').join(', ')})`)
        .all(...REQUIRED_TABLES) as { name: string }[];
      present = rows.map((r) => r.name);
    } catch (e) {
      db.close();
      throw await openError(path, key, e);
    }
    const missing = REQUIRED_TABLES.filter((t) => !present.includes(t));
    if (missing.length > 0) {
      db.close();
      throw new MilvusdmError('MDM_SOURCE', `${path}: not a Milvus 1.x meta database (no ${missing.join(' or ')} table)`);
    }
    return new SqliteMetaStore(path, db);
  }

  private all(query: Query): Record<string, unknown>[] {
    try {
      const statement = this.db.prepare(query.sql);
      statement.safeIntegers(true);
      return statement.all(...query.params) as Record<string, unknown>[];
    } catch (e) {
      throw new MilvusdmError('MDM_SOURCE', `${this.path}: reading the meta failed (${errorMessage(e)})`, { cause: e });
    }
  }

  async collections(): Promise<MetaCollection[]> {
    return this.all(queries.collections()).map(tableOf);
  }

  async partitions(collection: string): Promise<MetaPartition[]> {
    return this.all(queries.partitions(collection)).map(tableOf);
  }

  async table(tableId: string): Promise<MetaTable | undefined> {
    const row = this.all(queries.table(tableId))[0];
    return row ? tableOf(row) : undefined;
  }

  async droppedTables(): Promise<MetaTable[]> {
    return this.all(queries.droppedTables()).map(tableOf);
  }

  async liveSegments(tableId: string): Promise<MetaSegment[]> {
    return this.all(queries.liveSegments(tableId)).map(segmentOf);
  }

  async fileTypeCounts(tableId: string): Promise<Map<number, number>> {
    return countsOf(this.all(queries.fileTypeCounts(tableId)));
  }

  async snapshot<T>(read: () => Promise<T>): Promise<T> {
    // A deferred read transaction: every query inside sees the same database state.
    this.db.exec('BEGIN');
    try {
      return await read();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** One line saying why the file cannot be opened, with what to do about WAL files. */
async function openError(path: string, key: string, e: unknown): Promise<MilvusdmError> {
  const code = (e as { code?: string }).code ?? '';
  const text = errorMessage(e);
  if (code === 'SQLITE_NOTADB' || /not a database/i.test(text)) {
    return new MilvusdmError('MDM_SOURCE', `${key}: ${path} is not an SQLite database`, { cause: e });
  }
  if (code === 'SQLITE_CORRUPT') return new MilvusdmError('MDM_SOURCE', `${key}: ${path} is damaged (${text})`, { cause: e });
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    const folder = dirname(path);
    const writable = await access(folder, constants.W_OK).then(
      () => true,
      () => false,
    );
    const wal = existsSync(`${path}-wal`);
    if (wal && !writable && !existsSync(`${path}-shm`)) {
      return new MilvusdmError(
        'MDM_SOURCE',
        `${key}: ${path} has a write-ahead log (meta.sqlite-wal) but its folder is read-only, so SQLite cannot open it read-only (${code})`,
        {
          cause: e,
          hint: `Copy meta.sqlite and meta.sqlite-wal together into a writable folder and set source.meta_file to the copy, or checkpoint the log first: sqlite3 ${path} 'PRAGMA wal_checkpoint(TRUNCATE)' (with Milvus stopped).`,
        },
      );
    }
    return new MilvusdmError('MDM_SOURCE', `${key}: ${path} cannot be opened (${code}: ${text})`, { cause: e });
  }
  return new MilvusdmError('MDM_SOURCE', `${key}: ${path} cannot be read (${text})`, { cause: e });
}
