/**
 * @milvusdm/reader-milvus-meta: reads the meta database of a Milvus 0.10/1.x instance (SQLite
 * `db/meta.sqlite` or MySQL): collections, partitions, and the segment files holding live data.
 */
export * from './enums.js';
export type { MetaCollection, MetaPartition, MetaSegment, MetaStore, MetaTable } from './types.js';
export { SqliteMetaStore, type SqliteOpenOptions } from './sqlite-store.js';
export { MysqlMetaStore, mysqlError, type MysqlOpenOptions } from './mysql-store.js';
export { MYSQL_DEFAULTS, describeMysql, mysqlSettings, parseMysqlUri, type MysqlParts, type MysqlSettings } from './mysql-settings.js';
export { queries, REQUIRED_TABLES, type Query } from './queries.js';
