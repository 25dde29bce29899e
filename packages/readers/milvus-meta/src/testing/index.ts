/** Test support: writes Milvus 1.x meta rows into SQLite or MySQL. Not used by the reader. */
export { MYSQL_DDL, SQLITE_DDL } from './ddl.js';
export { createReadOnlyUser, dropMysqlDatabase, writeMysqlMeta, writeSqliteMeta, type MetaRows, type MysqlServer, type SqliteWriteOptions, type TableFileRow, type TableRow } from './write-meta.js';
