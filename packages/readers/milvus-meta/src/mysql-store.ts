/**
 * The MySQL meta of a Milvus 1.x deployment (Mishards, or `meta_uri: mysql://…`), read with
 * mysql2: one connection, prepared statements (`execute` with `?`), BIGINTs as exact strings.
 * Connection failures become one line naming host:port and the job key, never the password.
 */
import mysql from 'mysql2/promise';
import { MilvusdmError, errorMessage } from '@milvusdm/core';
import { describeMysql, type MysqlSettings } from './mysql-settings.js';
import { queries, REQUIRED_TABLES, type Query } from './queries.js';
import { countsOf, segmentOf, tableOf } from './rows.js';
import type { MetaCollection, MetaPartition, MetaSegment, MetaStore, MetaTable } from './types.js';

export interface MysqlOpenOptions {
  /** The job key the settings came from, for messages. */
  readonly jobKey?: string;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'PROTOCOL_CONNECTION_LOST',
  'HANDSHAKE_NO_SSL_SUPPORT',
]);
const DENIED = new Set(['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR', 'ER_DBACCESS_DENIED_ERROR']);

/** One line for a mysql2 error, naming the server and the job key. */
export function mysqlError(e: unknown, s: MysqlSettings, key: string): MilvusdmError {
  const code = (e as { code?: string }).code ?? '';
  const where = `MySQL at ${s.host}:${s.port}`;
  if (UNREACHABLE.has(code) || /timeout/i.test(code)) {
    return new MilvusdmError('MDM_CONNECT', `${key}: cannot reach ${where} (${code || errorMessage(e)})`, {
      cause: e,
      hint: `Check ${key}.host and ${key}.port, and that the MySQL server holding the Milvus 1.x meta is running.`,
    });
  }
  if (DENIED.has(code)) {
    return new MilvusdmError(
      'MDM_CONNECT',
      `${key}: ${where} refused user "${s.user}" for database "${s.database}" (wrong user or password)`,
      {
        cause: e,
        hint: `Check ${key}.user and ${key}.password.`,
      },
    );
  }
  if (code === 'ER_BAD_DB_ERROR') {
    return new MilvusdmError('MDM_SOURCE', `${key}.database: ${where} has no database "${s.database}"`, { cause: e });
  }
  return new MilvusdmError('MDM_SOURCE', `${key}: ${where}, database "${s.database}": ${errorMessage(e)}`, { cause: e });
}

export class MysqlMetaStore implements MetaStore {
  readonly description: string;
  private closed = false;

  private constructor(
    private readonly conn: mysql.Connection,
    private readonly settings: MysqlSettings,
    private readonly key: string,
  ) {
    this.description = `MySQL ${describeMysql(settings)}`;
  }

  static async open(settings: MysqlSettings, options: MysqlOpenOptions = {}): Promise<MysqlMetaStore> {
    const key = options.jobKey ?? 'source.mysql';
    let conn: mysql.Connection;
    try {
      conn = await mysql.createConnection({
        host: settings.host,
        port: settings.port,
        user: settings.user,
        password: settings.password,
        database: settings.database,
        connectTimeout: settings.connectTimeout * 1000,
        // BIGINT row ids and sizes as exact strings; 19-digit values never pass through a double.
        supportBigNumbers: true,
        bigNumberStrings: true,
        dateStrings: true,
      });
    } catch (e) {
      throw mysqlError(e, settings, key);
    }
    // An idle-connection error after open must not crash the process; the next query reports it.
    conn.on('error', () => undefined);
    const store = new MysqlMetaStore(conn, settings, key);
    try {
      const present = (
        await store.all({
          sql: `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${REQUIRED_TABLES.map(() => '?').join(', ')})`,
          params: REQUIRED_TABLES,
        })
      ).map((r) => String(r['name']));
      const missing = REQUIRED_TABLES.filter((t) => !present.includes(t));
      if (missing.length > 0) {
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${key}.database: "${settings.database}" on ${settings.host}:${settings.port} is not a Milvus 1.x meta database (no ${missing.join(' or ')} table)`,
        );
      }
    } catch (e) {
      await store.close();
      throw e;
    }
    return store;
  }

  private async all(query: Query): Promise<Record<string, unknown>[]> {
    try {
      const [rows] = await this.conn.execute(query.sql, [...query.params]);
      return rows as Record<string, unknown>[];
    } catch (e) {
      throw mysqlError(e, this.settings, this.key);
    }
  }

  async collections(): Promise<MetaCollection[]> {
    return (await this.all(queries.collections())).map(tableOf);
  }

  async partitions(collection: string): Promise<MetaPartition[]> {
    return (await this.all(queries.partitions(collection))).map(tableOf);
  }

  async table(tableId: string): Promise<MetaTable | undefined> {
    const row = (await this.all(queries.table(tableId)))[0];
    return row ? tableOf(row) : undefined;
  }

  async droppedTables(): Promise<MetaTable[]> {
    return (await this.all(queries.droppedTables())).map(tableOf);
  }

  async liveSegments(tableId: string): Promise<MetaSegment[]> {
    return (await this.all(queries.liveSegments(tableId))).map(segmentOf);
  }

  async fileTypeCounts(tableId: string): Promise<Map<number, number>> {
    return countsOf(await this.all(queries.fileTypeCounts(tableId)));
  }

  async snapshot<T>(read: () => Promise<T>): Promise<T> {
    // One consistent view over several queries (InnoDB); statements outside the prepared protocol.
    try {
      await this.conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
    } catch (e) {
      // MySQL before 5.6 has no READ ONLY transactions; the snapshot is what matters.
      if ((e as { code?: string }).code !== 'ER_PARSE_ERROR') throw mysqlError(e, this.settings, this.key);
      try {
        await this.conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
      } catch (again) {
        throw mysqlError(again, this.settings, this.key);
      }
    }
    try {
      return await read();
    } finally {
      await this.conn.query('COMMIT').catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.conn.end();
    } catch {
      this.conn.destroy();
    }
  }
}
