/**
 * Translating between milvusdm schemas and Milvus collection descriptions (as the Node SDK
 * returns them and as `createCollection` takes them).
 */
import {
  MilvusdmError,
  type CollectionSchema,
  type ConsistencyLevel,
  type FieldSchema,
  type FunctionSchema,
  type IndexSchema,
  type MetricType,
} from '@milvusdm/core';
import { DATA_TYPE, fieldTypeOfSdkName, isArrayElementType } from './wire/data-types.js';

/** A field as `describeCollection` reports it (only what we read). */
export interface DescribedField {
  readonly name: string;
  readonly data_type: string | number;
  readonly is_primary_key?: boolean;
  readonly autoID?: boolean;
  readonly type_params?: readonly { key: string; value: string }[];
  readonly element_type?: string | number;
  readonly nullable?: boolean;
  readonly is_partition_key?: boolean;
  readonly is_function_output?: boolean;
  readonly is_dynamic?: boolean;
  readonly description?: string;
  readonly is_clustering_key?: boolean;
  /** schema.ValueField; the SDK names the member set in `data` (its loader sets oneofs). */
  readonly default_value?: Readonly<Record<string, unknown>> | null;
}

type KeyValues = readonly { key: string; value: string }[];

export interface DescribedFunction {
  readonly name: string;
  readonly type: string | number;
  readonly description?: string;
  readonly input_field_names?: readonly string[];
  readonly output_field_names?: readonly string[];
  readonly params?: KeyValues;
}

export interface DescribedCollection {
  readonly schema: {
    readonly fields: readonly DescribedField[];
    readonly enable_dynamic_field?: boolean;
    readonly description?: string;
    readonly functions?: readonly DescribedFunction[];
    readonly properties?: KeyValues;
  };
  readonly shards_num?: number;
  readonly consistency_level?: string | number;
  readonly properties?: KeyValues;
  readonly aliases?: readonly string[];
  /** int64: a decimal string through the SDK's loader. */
  readonly num_partitions?: string | number;
}

/** An index as `describeIndex` reports it. */
export interface DescribedIndex {
  readonly index_name: string;
  readonly field_name: string;
  readonly params: KeyValues;
}

function param(field: DescribedField, key: string): number | undefined {
  const v = field.type_params?.find((p) => p.key === key)?.value;
  return v === undefined ? undefined : Number(v);
}

/** Type params the field schema carries as members of its own; the rest go to `properties`. */
const OWN_TYPE_PARAMS = new Set(['dim', 'max_length', 'max_capacity']);

const CONSISTENCY: readonly ConsistencyLevel[] = ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized'];
const FUNCTION_TYPES = ['Unknown', 'BM25', 'TextEmbedding', 'Rerank'];

function textMap(pairs: KeyValues | undefined, skip: ReadonlySet<string> = new Set()): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const { key, value } of pairs ?? []) if (!skip.has(key)) out[key] = String(value);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A schema.ValueField as the default value milvusdm keeps (int64 as a decimal string). */
function defaultValueOf(v: DescribedField['default_value']): boolean | number | string | undefined {
  if (!v) return undefined;
  const member =
    typeof v['data'] === 'string' ? v['data'] : Object.keys(v).find((k) => k.endsWith('_data') && v[k] !== undefined && v[k] !== null);
  if (!member) return undefined;
  const value = v[member];
  switch (member) {
    case 'bool_data':
      return Boolean(value);
    case 'int_data':
    case 'float_data':
    case 'double_data':
      return Number(value);
    case 'long_data':
      return String(value);
    case 'string_data':
      return String(value);
    default:
      return undefined;
  }
}

function consistencyOf(v: string | number | undefined): ConsistencyLevel | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return CONSISTENCY[v];
  return CONSISTENCY.find((c) => c === v);
}

function functionOf(f: DescribedFunction): FunctionSchema {
  const params = textMap(f.params);
  return {
    name: f.name,
    type: typeof f.type === 'number' ? (FUNCTION_TYPES[f.type] ?? String(f.type)) : f.type,
    inputFields: [...(f.input_field_names ?? [])],
    outputFields: [...(f.output_field_names ?? [])],
    ...(params ? { params } : {}),
    ...(f.description ? { description: f.description } : {}),
  };
}

/**
 * Indexes as described: index type and metric lifted out, build parameters kept as text. Older
 * servers pack the build parameters into one `params` entry holding JSON; it is unpacked.
 */
export function indexesFromDescription(described: readonly DescribedIndex[]): IndexSchema[] {
  return described.map((d) => {
    const all: Record<string, string> = {};
    for (const { key, value } of d.params ?? []) {
      if (key === 'params') {
        try {
          for (const [k, v] of Object.entries(JSON.parse(value) as Record<string, unknown>))
            all[k] = typeof v === 'string' ? v : JSON.stringify(v);
          continue;
        } catch {
          // Not JSON: kept as it is below.
        }
      }
      all[key] = String(value);
    }
    // `dim` is the field's, not a build parameter (Milvus Lite 2.5 lists it among an index's
    // parameters): kept, it would be sent back as one, and servers that keep no such thing would
    // be reported as losing it.
    const { index_type: type, metric_type: metric, dim: _dim, ...params } = all;
    return {
      field: d.field_name,
      name: d.index_name,
      type: type ?? 'UNKNOWN',
      ...(metric ? { metric: metric.toUpperCase() as MetricType } : {}),
      ...(Object.keys(params).length > 0 ? { params } : {}),
    };
  });
}

function fieldOf(collection: string, f: DescribedField, metric: MetricType | undefined): FieldSchema {
  const type = fieldTypeOfSdkName(f.data_type);
  if (!type) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `collection "${collection}" field "${f.name}" has type ${f.data_type}, which milvusdm cannot move yet`,
    );
  }
  const dim = param(f, 'dim');
  const maxLength = param(f, 'max_length');
  const maxCapacity = param(f, 'max_capacity');
  const elementType = f.element_type !== undefined ? fieldTypeOfSdkName(f.element_type) : undefined;
  const defaultValue = defaultValueOf(f.default_value);
  const properties = textMap(f.type_params, OWN_TYPE_PARAMS);
  return {
    name: f.name,
    type,
    ...(dim !== undefined && type.endsWith('_vector') && type !== 'sparse_float_vector' ? { dim } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(type === 'array' && isArrayElementType(elementType) ? { elementType } : {}),
    ...(maxCapacity !== undefined ? { maxCapacity } : {}),
    ...(f.is_primary_key ? { isPrimaryKey: true } : {}),
    ...(f.autoID ? { autoId: true } : {}),
    ...(f.nullable ? { nullable: true } : {}),
    ...(f.is_partition_key ? { isPartitionKey: true } : {}),
    ...(f.is_clustering_key ? { isClusteringKey: true } : {}),
    ...(defaultValue !== undefined ? { defaultValue } : {}),
    // A field's metric is its vector index's: Milvus Lite 3 describes scalar indexes with metric NONE.
    ...(metric && type.endsWith('_vector') ? { metric } : {}),
    ...(f.description ? { description: f.description } : {}),
    ...(properties ? { properties } : {}),
  };
}

/**
 * The schema of a described collection: its stored fields, and everything else the description
 * holds (functions and their output fields, shards, partitions of a partition key, consistency,
 * properties, aliases). `metrics` adds each vector field's index metric.
 */
export function schemaFromDescription(
  collection: string,
  described: DescribedCollection,
  metrics: ReadonlyMap<string, MetricType> = new Map(),
): CollectionSchema {
  const fields: FieldSchema[] = [];
  const functionOutputFields: FieldSchema[] = [];
  for (const f of described.schema.fields) {
    // The dynamic-field column is not a field; function outputs (BM25 sparse vectors) are
    // computed by the server, so they are described but never read or written as data.
    if (f.is_dynamic) continue;
    if (f.is_function_output) {
      functionOutputFields.push(fieldOf(collection, f, metrics.get(f.name)));
      continue;
    }
    fields.push(fieldOf(collection, f, metrics.get(f.name)));
  }
  const hasPartitionKey = fields.some((f) => f.isPartitionKey);
  const numPartitions = hasPartitionKey && described.num_partitions !== undefined ? Number(described.num_partitions) : undefined;
  const consistencyLevel = consistencyOf(described.consistency_level);
  const properties = { ...textMap(described.schema.properties), ...textMap(described.properties) };
  const functions = (described.schema.functions ?? []).map(functionOf);
  return {
    fields,
    ...(described.schema.enable_dynamic_field ? { enableDynamicField: true } : {}),
    ...(described.schema.description ? { description: described.schema.description } : {}),
    ...(functionOutputFields.length > 0 ? { functionOutputFields } : {}),
    ...(functions.length > 0 ? { functions } : {}),
    ...(described.shards_num ? { numShards: described.shards_num } : {}),
    ...(numPartitions ? { numPartitions } : {}),
    ...(consistencyLevel ? { consistencyLevel } : {}),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(described.aliases && described.aliases.length > 0 ? { aliases: [...described.aliases] } : {}),
  };
}

/** One field definition for the SDK's `createCollection`. */
function fieldForCreate(f: FieldSchema, functionOutput: boolean): Record<string, unknown> {
  return {
    name: f.name,
    data_type: DATA_TYPE[f.type],
    ...(f.isPrimaryKey ? { is_primary_key: true, autoID: f.autoId === true } : {}),
    ...(f.dim !== undefined && f.type !== 'sparse_float_vector' ? { dim: f.dim } : {}),
    // Milvus requires a bound for text; 65535 is its maximum.
    ...(f.type === 'varchar' ? { max_length: f.maxLength ?? 65_535 } : {}),
    ...(f.type === 'array'
      ? {
          element_type: DATA_TYPE[f.elementType ?? 'int64'],
          max_capacity: f.maxCapacity ?? 4096,
          ...(f.elementType === 'varchar' ? { max_length: f.maxLength ?? 65_535 } : {}),
        }
      : {}),
    ...(f.nullable ? { nullable: true } : {}),
    ...(f.isPartitionKey ? { is_partition_key: true } : {}),
    ...(f.isClusteringKey ? { is_clustering_key: true } : {}),
    // The SDK files the value under the member its data type names (long_data, string_data…);
    // int64 defaults stay decimal strings so values above 2^53 survive.
    ...(f.defaultValue !== undefined ? { default_value: f.defaultValue } : {}),
    // Other type params as the source reported them (enable_analyzer, analyzer_params, mmap.enabled…).
    ...(f.properties ? { type_params: { ...f.properties } } : {}),
    ...(functionOutput ? { is_function_output: true } : {}),
    ...(f.description ? { description: f.description } : {}),
  };
}

/** Field definitions for the SDK's `createCollection`: stored fields, then function outputs. */
export function fieldsForCreate(schema: CollectionSchema): Record<string, unknown>[] {
  return [
    ...schema.fields.map((f) => fieldForCreate(f, false)),
    ...(schema.functionOutputFields ?? []).map((f) => fieldForCreate(f, true)),
  ];
}
