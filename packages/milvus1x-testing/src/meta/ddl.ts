/**
 * The meta tables as Milvus 1.x creates them (SqliteMetaImpl / MySQLMetaImpl), for building
 * test directories. Column names and types follow the server; only what a reader touches matters.
 */

export const SQLITE_DDL = [
  `CREATE TABLE IF NOT EXISTS Tables (id INTEGER PRIMARY KEY NOT NULL, table_id TEXT UNIQUE NOT NULL, state INTEGER NOT NULL,
    dimension INTEGER NOT NULL, created_on INTEGER NOT NULL, flag INTEGER DEFAULT 0 NOT NULL, index_file_size INTEGER NOT NULL,
    engine_type INTEGER NOT NULL, index_params TEXT NOT NULL, metric_type INTEGER NOT NULL, owner_table TEXT DEFAULT '' NOT NULL,
    partition_tag TEXT DEFAULT '' NOT NULL, version TEXT DEFAULT '' NOT NULL, flush_lsn INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS TableFiles (id INTEGER PRIMARY KEY NOT NULL, table_id TEXT NOT NULL, segment_id TEXT DEFAULT '' NOT NULL,
    engine_type INTEGER NOT NULL, file_id TEXT NOT NULL, file_type INTEGER NOT NULL, file_size INTEGER DEFAULT 0 NOT NULL,
    row_count INTEGER DEFAULT 0 NOT NULL, updated_time INTEGER NOT NULL, created_on INTEGER NOT NULL, date INTEGER NOT NULL,
    flush_lsn INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS Environment (global_lsn INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS Fields (collection_id TEXT NOT NULL, field_name TEXT NOT NULL, field_type INTEGER NOT NULL, field_params TEXT NOT NULL)`,
] as const;

export const MYSQL_DDL = [
  `CREATE TABLE IF NOT EXISTS Tables (id BIGINT PRIMARY KEY AUTO_INCREMENT, table_id VARCHAR(255) UNIQUE NOT NULL, state INT NOT NULL,
    dimension SMALLINT NOT NULL, created_on BIGINT NOT NULL, flag BIGINT DEFAULT 0 NOT NULL, index_file_size BIGINT DEFAULT 1024 NOT NULL,
    engine_type INT DEFAULT 1 NOT NULL, index_params VARCHAR(512) NOT NULL, metric_type INT DEFAULT 1 NOT NULL,
    owner_table VARCHAR(255) NOT NULL, partition_tag VARCHAR(255) NOT NULL, version VARCHAR(64) NOT NULL, flush_lsn BIGINT DEFAULT 0 NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS TableFiles (id BIGINT PRIMARY KEY AUTO_INCREMENT, table_id VARCHAR(255) NOT NULL, segment_id VARCHAR(255) NOT NULL,
    engine_type INT DEFAULT 1 NOT NULL, file_id VARCHAR(255) NOT NULL, file_type INT DEFAULT 0 NOT NULL, file_size BIGINT DEFAULT 0 NOT NULL,
    row_count BIGINT DEFAULT 0 NOT NULL, updated_time BIGINT NOT NULL, created_on BIGINT NOT NULL, date INT DEFAULT -1 NOT NULL,
    flush_lsn BIGINT DEFAULT 0 NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS Environment (global_lsn BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS Fields (collection_id VARCHAR(255) NOT NULL, field_name VARCHAR(255) NOT NULL, field_type INT NOT NULL, field_params VARCHAR(255) NOT NULL)`,
] as const;
