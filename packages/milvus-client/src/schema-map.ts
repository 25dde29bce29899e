/**
 * Translating between milvusdm schemas and Milvus collection descriptions (as the Node SDK
 * returns them and as `createCollection` takes them).
 */
import { MilvusdmError, type CollectionSchema, type FieldSchema, type MetricType } from '@milvusdm/core';
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
}

export interface DescribedCollection {
  readonly schema: {
    readonly fields: readonly DescribedField[];
    readonly enable_dynamic_field?: boolean;
    readonly description?: string;
  };
}

function param(field: DescribedField, key: string): number | undefined {
  const v = field.type_params?.find((p) => p.key === key)?.value;
  return v === undefined ? undefined : Number(v);
}

/** The schema of a described collection; `metrics` adds each vector field's index metric. */
export function schemaFromDescription(
  collection: string,
  described: DescribedCollection,
  metrics: ReadonlyMap<string, MetricType> = new Map(),
): CollectionSchema {
  const fields: FieldSchema[] = [];
  for (const f of described.schema.fields) {
    // The dynamic-field column and function outputs (BM25 sparse vectors) are not stored data.
    if (f.is_dynamic || f.is_function_output) continue;
    const type = fieldTypeOfSdkName(f.data_type);
    if (!type) {
      throw new MilvusdmError('MDM_UNSUPPORTED', `collection "${collection}" field "${f.name}" has type ${f.data_type}, which milvusdm cannot move yet`);
    }
    const dim = param(f, 'dim');
    const maxLength = param(f, 'max_length');
    const maxCapacity = param(f, 'max_capacity');
    const elementType = f.element_type !== undefined ? fieldTypeOfSdkName(f.element_type) : undefined;
    const metric = metrics.get(f.name);
    fields.push({
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
      ...(metric ? { metric } : {}),
      ...(f.description ? { description: f.description } : {}),
    });
  }
  return {
    fields,
    ...(described.schema.enable_dynamic_field ? { enableDynamicField: true } : {}),
    ...(described.schema.description ? { description: described.schema.description } : {}),
  };
}

/** Field definitions for the SDK's `createCollection`. */
export function fieldsForCreate(schema: CollectionSchema): Record<string, unknown>[] {
  return schema.fields.map((f) => ({
    name: f.name,
    data_type: DATA_TYPE[f.type],
    ...(f.isPrimaryKey ? { is_primary_key: true, autoID: f.autoId === true } : {}),
    ...(f.dim !== undefined && f.type !== 'sparse_float_vector' ? { dim: f.dim } : {}),
    // Milvus requires a bound for text; 65535 is its maximum.
    ...(f.type === 'varchar' ? { max_length: f.maxLength ?? 65_535 } : {}),
    ...(f.type === 'array'
      ? { element_type: DATA_TYPE[f.elementType ?? 'int64'], max_capacity: f.maxCapacity ?? 4096, ...(f.elementType === 'varchar' ? { max_length: f.maxLength ?? 65_535 } : {}) }
      : {}),
    ...(f.nullable ? { nullable: true } : {}),
    ...(f.isPartitionKey ? { is_partition_key: true } : {}),
    ...(f.description ? { description: f.description } : {}),
  }));
}
