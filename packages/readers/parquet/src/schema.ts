/**
 * The schema a Parquet file's rows are announced with: the milvusdm schema document stored in
 * its key-value metadata when milvusdm wrote it (every field property kept), otherwise one
 * inferred from the Arrow types in the layout Milvus bulk import reads.
 */
import * as arrow from 'apache-arrow';
import {
  DYNAMIC_FIELD,
  MilvusdmError,
  schemaFromJson,
  type ArrayElementType,
  type CollectionSchema,
  type FieldSchema,
  type FieldType,
} from '@milvusdm/core';
import type { ParquetReaderOptions } from './options.js';

export const META = {
  schema: 'milvusdm.schema',
  collection: 'milvusdm.collection',
  partition: 'milvusdm.partition',
} as const;

/** The stored milvusdm schema, if the file has one. */
export function storedSchema(metadata: ReadonlyMap<string, string>, path: string): CollectionSchema | undefined {
  const json = metadata.get(META.schema);
  return json === undefined ? undefined : schemaFromJson(json, `${path} (key-value metadata ${META.schema})`);
}

function scalarOf(type: arrow.DataType): ArrayElementType | undefined {
  if (arrow.DataType.isBool(type)) return 'bool';
  if (arrow.DataType.isInt(type)) {
    const bits = type.bitWidth;
    if (type.isSigned) return bits === 8 ? 'int8' : bits === 16 ? 'int16' : bits === 32 ? 'int32' : 'int64';
    // Unsigned values take the next wider signed type (uint64 is checked row by row).
    return bits === 8 ? 'int16' : bits === 16 ? 'int32' : 'int64';
  }
  if (arrow.DataType.isFloat(type)) return (type as arrow.Float).precision === arrow.Precision.DOUBLE ? 'double' : 'float';
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type)) return 'varchar';
  return undefined;
}

function isList(type: arrow.DataType): boolean {
  return arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type) || type.typeId === arrow.Type.LargeList;
}

/** The Milvus type an Arrow column reads as, unless `field_types` says otherwise. */
function inferType(field: arrow.Field): FieldType | undefined {
  const type = field.type;
  if (field.name === DYNAMIC_FIELD) return 'json';
  if (type.typeId === arrow.Type.Map) return 'sparse_float_vector';
  if (isList(type)) {
    const child = (type as arrow.List).children[0]!.type;
    if (arrow.DataType.isFloat(child)) {
      const precision = (child as arrow.Float).precision;
      return precision === arrow.Precision.HALF ? 'float16_vector' : 'float_vector';
    }
    if (arrow.DataType.isInt(child) && child.bitWidth === 8) return child.isSigned ? 'int8_vector' : 'binary_vector';
    return scalarOf(child) ? 'array' : undefined;
  }
  return scalarOf(type);
}

/** Elements per row of a list column, from its type or its first row with a value. */
function listLength(field: arrow.Field, sample: arrow.Table | undefined): number | undefined {
  if (arrow.DataType.isFixedSizeList(field.type)) return field.type.listSize;
  const column = sample?.getChild(field.name);
  if (!column) return undefined;
  for (let i = 0; i < column.length; i++) {
    const row = column.get(i) as { length: number } | null;
    if (row) return row.length;
  }
  return undefined;
}

/**
 * A schema for a file milvusdm did not write. `sample` holds its first rows, for the dimension
 * of vectors stored as variable-length lists.
 */
export function inferSchema(
  schema: arrow.Schema,
  sample: arrow.Table | undefined,
  options: ParquetReaderOptions,
  path: string,
): CollectionSchema {
  const fields: FieldSchema[] = [];
  const overrides = options.field_types ?? {};
  const nullable = new Set(options.nullable ?? []);
  for (const name of [...Object.keys(overrides), ...nullable]) {
    if (!schema.fields.some((f) => f.name === name))
      throw new MilvusdmError('MDM_SOURCE', `${path}: source options name column "${name}", which the file does not have`);
  }
  const pkName = options.primary_key ?? (schema.fields.some((f) => f.name === 'id') ? 'id' : undefined);
  let dynamic = false;
  for (const column of schema.fields) {
    if (column.name === DYNAMIC_FIELD) {
      dynamic = true;
      continue;
    }
    const type = overrides[column.name] ?? inferType(column);
    if (!type)
      throw new MilvusdmError(
        'MDM_UNSUPPORTED',
        `${path}: column "${column.name}" is ${String(column.type)}, which no Milvus field type holds`,
      );
    const field: { -readonly [K in keyof FieldSchema]: FieldSchema[K] } = { name: column.name, type };
    if (type === 'array') {
      const element = isList(column.type) ? scalarOf((column.type as arrow.List).children[0]!.type) : undefined;
      if (!element)
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${path}: column "${column.name}" is ${String(column.type)}, not a list Milvus can hold as an array`,
        );
      field.elementType = element;
    } else if (type.endsWith('_vector') && type !== 'sparse_float_vector') {
      if (!isList(column.type))
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${path}: column "${column.name}" is ${String(column.type)}; a ${type} field is stored as a list`,
        );
      const length = listLength(column, sample);
      if (length === undefined || length === 0)
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${path}: cannot tell the dimension of vector column "${column.name}": no row holds a vector`,
        );
      const half =
        isList(column.type) &&
        (column.type as arrow.List).children[0]!.type.typeId === arrow.Type.Float &&
        ((column.type as arrow.List).children[0]!.type as arrow.Float).precision === arrow.Precision.HALF;
      field.dim =
        type === 'binary_vector' ? length * 8 : (type === 'float16_vector' || type === 'bfloat16_vector') && !half ? length / 2 : length;
      if (!Number.isInteger(field.dim))
        throw new MilvusdmError('MDM_SOURCE', `${path}: column "${column.name}": ${length} bytes is not a whole number of 16-bit values`);
    } else if (type === 'varchar') field.maxLength = 65535;
    if (column.name === pkName) {
      if (type !== 'int64' && type !== 'varchar')
        throw new MilvusdmError('MDM_SOURCE', `${path}: primary key column "${pkName}" is ${type}; Milvus keys are int64 or varchar`);
      field.isPrimaryKey = true;
    }
    if (nullable.has(column.name)) field.nullable = true;
    fields.push(field);
  }
  if (options.primary_key && !fields.some((f) => f.isPrimaryKey))
    throw new MilvusdmError('MDM_SOURCE', `${path}: source.primary_key: the file has no column "${options.primary_key}"`);
  // No key column: Milvus assigns keys, as it does for HDF5 files without ids.
  if (!fields.some((f) => f.isPrimaryKey)) fields.unshift({ name: 'id', type: 'int64', isPrimaryKey: true, autoId: true });
  return { fields, ...(dynamic ? { enableDynamicField: true } : {}) };
}
