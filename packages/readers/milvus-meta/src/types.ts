/** What the meta database says about collections, partitions and segment files. */
import type { IdMode, Metric1x } from './enums.js';

/** One `Tables` row: a collection (owner '') or a partition (owner = its collection). */
export interface MetaTable {
  /** Collection name, or the partition's generated 19-digit id: always a string. */
  readonly tableId: string;
  readonly state: number;
  /** Bits for binary collections, elements for float ones. */
  readonly dimension: number;
  readonly metricType: number;
  /** Undefined when `metricType` is not a code Milvus 1.x knew. */
  readonly metric: Metric1x | undefined;
  readonly binary: boolean;
  readonly engineType: number;
  /** JSON text, `{}` when no index parameters were set. */
  readonly indexParams: string;
  /** Bytes (Milvus multiplied the user's MB by 2^20). */
  readonly indexFileSize: number;
  readonly flag: number;
  readonly idMode: IdMode;
  /** '' for a collection; the parent collection's table_id for a partition. */
  readonly ownerTable: string;
  /** '' for a collection; the user's tag for a partition. */
  readonly partitionTag: string;
  /** The Milvus version that created the row. */
  readonly version: string;
  /** Microseconds since the epoch. */
  readonly createdOn: number;
}

export type MetaCollection = MetaTable;
export type MetaPartition = MetaTable;

/** One `TableFiles` row. */
export interface MetaSegment {
  /** Row id of the TableFiles row, as a string (BIGINT in MySQL). */
  readonly rowId: string;
  /** The collection or partition the file belongs to. */
  readonly tableId: string;
  /** Segment folder name: a 19-digit id, kept as a string. */
  readonly segmentId: string;
  /** File name inside the segment folder (the raw files are `<file_id>.rv` / `.uid`). */
  readonly fileId: string;
  readonly fileType: number;
  /** Raw rows: vector bytes + id bytes, headers excluded. Index rows: the index file's size. */
  readonly fileSize: number;
  /** Live rows (written rows minus deletes applied), per Milvus. */
  readonly rowCount: number;
  readonly engineType: number;
  /** Microseconds since the epoch. */
  readonly createdOn: number;
  readonly updatedTime: number;
}

/**
 * Read access to a Milvus 1.x meta database. Every method is a parameterised query; ids stay
 * strings. Callers wanting one consistent view wrap their reads in `snapshot`.
 */
export interface MetaStore {
  /** `SQLite /data/db/meta.sqlite` or `MySQL root@127.0.0.1:3306/milvus` (never the password). */
  readonly description: string;
  /** Collections that are not dropped, by name. */
  collections(): Promise<MetaCollection[]>;
  /** Partitions of a collection that are not dropped, in creation order (the default partition is not a row). */
  partitions(collection: string): Promise<MetaPartition[]>;
  /** Any `Tables` row by table_id, dropped or not: tells "dropped" from "never existed". */
  table(tableId: string): Promise<MetaTable | undefined>;
  /** Dropped (TO_DELETE) collections and partitions, for reports. */
  droppedTables(): Promise<MetaTable[]>;
  /** The rows holding live raw data of a collection or partition (file_type RAW, TO_INDEX, BACKUP), in row order. */
  liveSegments(tableId: string): Promise<MetaSegment[]>;
  /** How many TableFiles rows a collection or partition has, by file_type. */
  fileTypeCounts(tableId: string): Promise<Map<number, number>>;
  /** Runs `read` inside one read-only transaction, so every query sees the same state. */
  snapshot<T>(read: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
