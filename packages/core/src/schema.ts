/**
 * The shape of the data a channel moves: a collection's fields, in the terms Milvus uses today.
 * Readers describe what they will yield with it; writers create or check their target from it.
 */

/** Scalar field types, named as Milvus names them (lower-case). */
export type ScalarType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'varchar'
  | 'json'
  | 'array';

/** Vector field types. `binary_vector` dims count bits; every other vector type counts elements. */
export type VectorType =
  | 'float_vector'
  | 'binary_vector'
  | 'float16_vector'
  | 'bfloat16_vector'
  | 'int8_vector'
  | 'sparse_float_vector';

export type FieldType = ScalarType | VectorType;

/** Element types an `array` field may hold. */
export type ArrayElementType = Exclude<ScalarType, 'json' | 'array'>;

/** Distance metrics Milvus knows. Binary metrics apply to `binary_vector` fields only. */
export type MetricType =
  | 'L2'
  | 'IP'
  | 'COSINE'
  | 'HAMMING'
  | 'JACCARD'
  | 'TANIMOTO'
  | 'SUBSTRUCTURE'
  | 'SUPERSTRUCTURE'
  | 'BM25'
  | 'MHJACCARD';

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
}

export interface CollectionSchema {
  readonly fields: readonly FieldSchema[];
  readonly description?: string;
  /** Rows may carry keys outside the schema, kept in the `$meta` JSON column. */
  readonly enableDynamicField?: boolean;
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
