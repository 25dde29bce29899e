/**
 * Writes meta rows into a fresh SQLite file or MySQL database, the way a Milvus 1.x server
 * would have left them. For tests and benchmarks: the reader under test never writes.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { MYSQL_DDL, SQLITE_DDL } from './ddl.js';

export interface TableRow {
  readonly table_id: string;
  readonly state: number;
  readonly dimension: number;
  readonly created_on: number;
  readonly flag: number;
  readonly index_file_size: number;
  readonly engine_type: number;
  readonly index_params: string;
  readonly metric_type: number;
  readonly owner_table: string;
  readonly partition_tag: string;
  readonly version: string;
  readonly flush_lsn: number;
}

export interface TableFileRow {
  readonly table_id: string;
  readonly segment_id: string;
  readonly engine_type: number;
  readonly file_id: string;
  readonly file_type: number;
  readonly file_size: number;
  readonly row_count: number;
  readonly updated_time: number;
  readonly created_on: number;
  readonly date: number;
  readonly flush_lsn: number;
}

export interface MetaRows {
  readonly tables: readonly TableRow[];
  readonly files: readonly TableFileRow[];
}

const TABLE_COLS = [
  'table_id',
  'state',
  'dimension',
  'created_on',
  'flag',
  'index_file_size',
  'engine_type',
  'index_params',
  'metric_type',
  'owner_table',
  'partition_tag',
  'version',
  'flush_lsn',
] as const;
const FILE_COLS = [
  'table_id',
  'segment_id',
  'engine_type',
  'file_id',
  'file_type',
  'file_size',
  'row_count',
  'updated_time',
  'created_on',
  'date',
  'flush_lsn',
] as const;

function insertSql(table: string, cols: readonly string[]): string {
  return `INSERT INTO \`${table}\` (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
}

function values<R extends object>(row: R, cols: readonly (keyof R)[]): (string | number)[] {
  return cols.map((c) => row[c] as string | number);
}

export interface SqliteWriteOptions {
  /**
   * Leave every row in `meta.sqlite-wal`, not yet checkpointed into the main file, as a copy
   * of a running (or killed) Milvus's db folder would be.
   */
  readonly leaveWal?: boolean;
}

function fill(db: Database.Database, rows: MetaRows): void {
  for (const ddl of SQLITE_DDL) db.exec(ddl);
  const t = db.prepare(insertSql('Tables', TABLE_COLS));
  const f = db.prepare(insertSql('TableFiles', FILE_COLS));
  db.transaction(() => {
    for (const row of rows.tables) t.run(...values(row, TABLE_COLS));
    for (const row of rows.files) f.run(...values(row, FILE_COLS));
    db.prepare('INSERT INTO Environment (global_lsn) VALUES (0)').run();
  })();
}

/** Writes `path` (which must not exist) as an SQLite meta in WAL mode, as Milvus runs it. */
export function writeSqliteMeta(path: string, rows: MetaRows, options: SqliteWriteOptions = {}): void {
  if (!options.leaveWal) {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      fill(db, rows);
    } finally {
      db.close();
    }
    return;
  }
  // Build elsewhere with checkpoints off and copy the three files while the writer is still
  // open: the copy's rows live only in its -wal file.
  const scratch = mkdtempSync(join(tmpdir(), 'milvusdm-wal-'));
  const file = join(scratch, basename(path));
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    fill(db, rows);
    for (const name of readdirSync(scratch)) copyFileSync(join(scratch, name), join(dirname(path), name));
  } finally {
    db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export interface MysqlServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

/** Creates database `database` (which must not exist) with the Milvus 1.x tables and the rows. */
export async function writeMysqlMeta(server: MysqlServer, database: string, rows: MetaRows): Promise<void> {
  const conn = await mysql.createConnection({ ...server, multipleStatements: false });
  try {
    await conn.query(`CREATE DATABASE \`${database.replace(/`/g, '``')}\``);
    await conn.changeUser({ database });
    for (const ddl of MYSQL_DDL) await conn.query(ddl);
    for (const row of rows.tables) await conn.execute(insertSql('Tables', TABLE_COLS), values(row, TABLE_COLS));
    for (const row of rows.files) await conn.execute(insertSql('TableFiles', FILE_COLS), values(row, FILE_COLS));
    await conn.execute('INSERT INTO Environment (global_lsn) VALUES (0)');
  } finally {
    await conn.end();
  }
}

export async function dropMysqlDatabase(server: MysqlServer, database: string): Promise<void> {
  const conn = await mysql.createConnection({ ...server });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${database.replace(/`/g, '``')}\``);
  } finally {
    await conn.end();
  }
}

/**
 * Creates a user that may only SELECT from `database` (what the reader needs, and all it
 * should be given); returns a function that drops it again.
 */
export async function createReadOnlyUser(
  server: MysqlServer,
  database: string,
  user: string,
  password: string,
): Promise<() => Promise<void>> {
  const conn = await mysql.createConnection({ ...server });
  const hosts = ['%', 'localhost'];
  try {
    for (const host of hosts) {
      await conn.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
      await conn.query(`GRANT SELECT ON \`${database.replace(/`/g, '``')}\`.* TO ?@?`, [user, host]);
    }
  } finally {
    await conn.end();
  }
  return async () => {
    const c = await mysql.createConnection({ ...server });
    try {
      for (const host of hosts) await c.query('DROP USER IF EXISTS ?@?', [user, host]);
    } finally {
      await c.end();
    }
  };
}
