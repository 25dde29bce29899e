/**
 * Test support for the Milvus 1.x readers (private, never published): builds synthetic 1.x data
 * directories, writes their meta rows into SQLite or MySQL, and writes the rows each dataset
 * must yield as .npy files for independent checks.
 */
export {
  buildMilvus1xDir,
  type BuiltDir,
  type BuiltSegment,
  type CollectionSpec,
  type DirSpec,
  type ExpectedDataset,
  type PartitionSpec,
  type SegmentSpec,
  type SegmentType,
} from './dir/build.js';
export { expectedFileStem, writeExpectedNpy } from './dir/expected.js';
export { npyBytes, writeNpy } from './npy.js';
export { mix64, Random } from './random.js';
export { MYSQL_DDL, SQLITE_DDL } from './meta/ddl.js';
export {
  createReadOnlyUser,
  dropMysqlDatabase,
  writeMysqlMeta,
  writeSqliteMeta,
  type MetaRows,
  type MysqlServer,
  type SqliteWriteOptions,
  type TableFileRow,
  type TableRow,
} from './meta/write-meta.js';
export { FileType, TableState, metricCode, type Metric1x } from './codes.js';
