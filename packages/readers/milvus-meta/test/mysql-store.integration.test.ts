/**
 * The MySQL meta store against a real MySQL-compatible server (MariaDB here): the same
 * scenario as the SQLite tests, in a database of its own, dropped afterwards; then what a user
 * sees when the server is unreachable, the password wrong or the database missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL, freePort, mysqlForTests, uniqueName } from '@milvusdm/testing';
import { MysqlMetaStore, mysqlSettings } from '../dist/index.js';
import { dropMysqlDatabase, writeMysqlMeta } from '@milvusdm/milvus1x-testing';
import { checkScenario, ROWS } from './scenario.js';

const hasMysql = await mysqlForTests('the MySQL meta store tests');

describe.skipIf(!hasMysql)('MysqlMetaStore', () => {
  const database = uniqueName('mdm_meta');
  const empty = uniqueName('mdm_empty');
  const settings = mysqlSettings({ ...MYSQL, database });

  beforeAll(async () => {
    await writeMysqlMeta(MYSQL, database, ROWS);
    await writeMysqlMeta(MYSQL, empty, { tables: [], files: [] });
  });
  afterAll(async () => {
    await dropMysqlDatabase(MYSQL, database);
    await dropMysqlDatabase(MYSQL, empty);
  });

  it('reads collections, partitions and live segments, skipping dropped rows, index files and in-flight files', async () => {
    const store = await MysqlMetaStore.open(settings);
    try {
      expect(store.description).toBe(`MySQL ${MYSQL.user}@${MYSQL.host}:${MYSQL.port}/${database}`);
      await checkScenario(store);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server with its host:port and the job key', async () => {
    const port = await freePort();
    const err = await MysqlMetaStore.open(mysqlSettings({ ...MYSQL, port, database, connect_timeout: 3 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MDM_CONNECT', message: `source.mysql: cannot reach MySQL at ${MYSQL.host}:${port} (ECONNREFUSED)` });
  });

  it('reports refused credentials without the password', async () => {
    const password = 'Wr0ng-S3cret-pw';
    const err = (await MysqlMetaStore.open(mysqlSettings({ ...MYSQL, password, database })).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({
      code: 'MDM_CONNECT',
      message: `source.mysql: MySQL at ${MYSQL.host}:${MYSQL.port} refused user "${MYSQL.user}" for database "${database}" (wrong user or password)`,
    });
    expect(JSON.stringify({ message: err.message, hint: (err as { hint?: string }).hint })).not.toContain(password);
  });

  it('names a database that does not exist, and one that is not a Milvus meta', async () => {
    await expect(MysqlMetaStore.open(mysqlSettings({ ...MYSQL, database: 'mdm_no_such_db' }), { jobKey: 'M' })).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `M.database: MySQL at ${MYSQL.host}:${MYSQL.port} has no database "mdm_no_such_db"`,
    });
    await expect(MysqlMetaStore.open(mysqlSettings({ ...MYSQL, database: 'mysql' }))).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: `source.mysql.database: "mysql" on ${MYSQL.host}:${MYSQL.port} is not a Milvus 1.x meta database (no Tables or TableFiles table)`,
    });
    // An instance that never created a collection has the tables and no rows.
    const store = await MysqlMetaStore.open(mysqlSettings({ ...MYSQL, database: empty }));
    try {
      expect(await store.collections()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
