/**
 * The shape of the data a channel moves: a collection's fields, in the terms Milvus uses today.
 * Readers describe what they will yield with it; writers create or check their target from it.
 */

/** Scalar field types, named as Milvus names them (lower-case). */
export type ScalarType = 'bool' | 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double' | 'varchar' | 'json' | 'array';

/** Vector field types. `binary_vector` dims count bits; every other vector type counts elements. */
export type VectorType = 'float_vector' | 'binary_vector' | 'float16_vector' | 'bfloat16_vector' | 'int8_vector' | 'sparse_float_vector';

export type FieldType = ScalarType | VectorType;

/** Element types an `array` field may hold. */
export type ArrayElementType = Exclude<ScalarType, 'json' | 'array'>;

/** Distance metrics Milvus knows. Binary metrics apply to `binary_vector` fields only. */
export type MetricType =
  'L2' | 'IP' | 'COSINE' | 'HAMMING' | 'JACCARD' | 'TANIMOTO' | 'SUBSTRUCTURE' | 'SUPERSTRUCTURE' | 'BM25' | 'MHJACCARD';

export const BINARY_METRICS: readonly MetricType[] = ['HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE', 'MHJACCARD'];
export const FLOAT_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

export interface FieldSchema {
  readonly name: string;
  readonly type: FieldType;
  /** Vector dimension: bits for `binary_vector`, elements otherwise. */
  readonly dim?: number;
  /** Maximum length in bytes of a `varchar` field. */
  readonly maxLength?: number;
  readonly elementType?: ArrayElementType;
  /** Maximum number of elements of an `array` field. */
  readonly maxCapacity?: number;
  readonly isPrimaryKey?: boolean;
  /** The primary key is assigned by the server; readers yield no column for it. */
  readonly autoId?: boolean;
  readonly nullable?: boolean;
  /** The metric the source used with this vector field, when it knows one. */
  readonly metric?: MetricType;
  readonly description?: string;
  /** Milvus partition-key flag; carried from Milvus to Milvus. */
  readonly isPartitionKey?: boolean;
  /**
   * The source server generated this primary key (autoID). Readers of live collections still
   * yield the key (autoId false) so the copy keeps it; this records how the source was made.
   */
  readonly autoIdAtSource?: boolean;
  /** Milvus clustering-key flag (clustering compaction groups rows by this field). */
  readonly isClusteringKey?: boolean;
  /**
   * The value the server stores when a row has none. int64 defaults are decimal strings, so a
   * default above 2^53 survives JSON; JSON and array fields have no defaults in Milvus.
   */
  readonly defaultValue?: boolean | number | string;
  /**
   * Other per-field settings the server reports (type params beyond dim / max_length /
   * max_capacity, e.g. `mmap.enabled`, `enable_analyzer`, `analyzer_params`), as text.
   */
  readonly properties?: Readonly<Record<string, string>>;
}

/** Consistency levels, named as Milvus names them. */
export type ConsistencyLevel = 'Strong' | 'Session' | 'Bounded' | 'Eventually' | 'Customized';

/** A server-side function (e.g. BM25: text in, sparse vector out). */
export interface FunctionSchema {
  readonly name: string;
  /** Milvus's function type name, e.g. `BM25`, `TextEmbedding`, `Rerank`. */
  readonly type: string;
  readonly inputFields: readonly string[];
  readonly outputFields: readonly string[];
  readonly params?: Readonly<Record<string, string>>;
  readonly description?: string;
}

/** An index as the server describes it. */
export interface IndexSchema {
  readonly field: string;
  /** The index's name (Milvus defaults it to the field name). */
  readonly name: string;
  /** e.g. `HNSW`, `IVF_FLAT`, `AUTOINDEX`, `SPARSE_INVERTED_INDEX`, `INVERTED` (scalars). */
  readonly type: string;
  readonly metric?: MetricType;
  /** Build parameters other than the index type and metric (e.g. `M`, `efConstruction`), as text. */
  readonly params?: Readonly<Record<string, string>>;
}

export interface CollectionSchema {
  readonly fields: readonly FieldSchema[];
  readonly description?: string;
  /** Rows may carry keys outside the schema, kept in the `$meta` JSON column. */
  readonly enableDynamicField?: boolean;
  /*
   * Everything below describes the collection beyond its rows. Optional: file sources know
   * none of it; the live Milvus reader fills it all in, so a writer can recreate the
   * collection as it was.
   */
  /** Fields the server computes from functions (a BM25 output); readers yield no column for them. */
  readonly functionOutputFields?: readonly FieldSchema[];
  readonly functions?: readonly FunctionSchema[];
  readonly numShards?: number;
  /** Partitions the server keeps for a partition-key collection. */
  readonly numPartitions?: number;
  readonly consistencyLevel?: ConsistencyLevel;
  /** Collection properties as the server reports them, e.g. `collection.ttl.seconds`, `mmap.enabled`. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly indexes?: readonly IndexSchema[];
  readonly aliases?: readonly string[];
  /** Named partitions (`_default` included); absent for partition-key collections and servers without partitions. */
  readonly partitions?: readonly string[];
  /** The collection was loaded (searchable) at the source. */
  readonly loaded?: boolean;
  /**
   * The database the collection was read from, set when a job reads several databases
   * (`source.databases`): the milvus writer then writes each collection into its own database.
   */
  readonly database?: string;
}

export const DYNAMIC_FIELD = '$meta';

export function isVectorType(type: FieldType): type is VectorType {
  return type.endsWith('_vector');
}

export function primaryField(schema: CollectionSchema): FieldSchema | undefined {
  return schema.fields.find((f) => f.isPrimaryKey);
}

export function vectorFields(schema: CollectionSchema): FieldSchema[] {
  return schema.fields.filter((f) => isVectorType(f.type));
}

export function isBinaryMetric(metric: MetricType): boolean {
  return BINARY_METRICS.includes(metric);
}

/** Bytes one row of a dense vector field occupies in memory and on the wire. */
export function vectorRowBytes(field: FieldSchema): number {
  const dim = field.dim ?? 0;
  switch (field.type) {
    case 'float_vector':
      return dim * 4;
    case 'binary_vector':
      return dim / 8;
    case 'float16_vector':
    case 'bfloat16_vector':
      return dim * 2;
    case 'int8_vector':
      return dim;
    default:
      return 0;
  }
}

/** One-line description of a schema for logs, e.g. `id int64 pk, embedding float_vector(128)`. */
export function describeSchema(schema: CollectionSchema): string {
  return schema.fields
    .map((f) => {
      let s = `${f.name} ${f.type}`;
      if (f.dim !== undefined) s += `(${f.dim})`;
      if (f.isPrimaryKey) s += f.autoId ? ' pk auto' : ' pk';
      if (f.metric) s += ` ${f.metric}`;
      return s;
    })
    .join(', ');
}
