/** Milvus `schema.DataType` numbers and the core field types they carry. */
import type { ArrayElementType, FieldType } from '@milvusdm/core';

export const DATA_TYPE: Readonly<Record<FieldType, number>> = {
  bool: 1,
  int8: 2,
  int16: 3,
  int32: 4,
  int64: 5,
  float: 10,
  double: 11,
  varchar: 21,
  array: 22,
  json: 23,
  binary_vector: 100,
  float_vector: 101,
  float16_vector: 102,
  bfloat16_vector: 103,
  sparse_float_vector: 104,
  int8_vector: 105,
};

const BY_NUMBER = new Map<number, FieldType>(Object.entries(DATA_TYPE).map(([k, v]) => [v, k as FieldType]));
// String (20) is the older name of VarChar in query answers.
BY_NUMBER.set(20, 'varchar');

/** SDK names (`FloatVector`, `Int64`, …) to core types. */
const BY_SDK_NAME: Readonly<Record<string, FieldType>> = {
  Bool: 'bool',
  Int8: 'int8',
  Int16: 'int16',
  Int32: 'int32',
  Int64: 'int64',
  Float: 'float',
  Double: 'double',
  String: 'varchar',
  VarChar: 'varchar',
  Array: 'array',
  JSON: 'json',
  BinaryVector: 'binary_vector',
  FloatVector: 'float_vector',
  Float16Vector: 'float16_vector',
  BFloat16Vector: 'bfloat16_vector',
  SparseFloatVector: 'sparse_float_vector',
  Int8Vector: 'int8_vector',
};

export function fieldTypeOfNumber(n: number): FieldType | undefined {
  return BY_NUMBER.get(n);
}

export function fieldTypeOfSdkName(name: string | number): FieldType | undefined {
  return typeof name === 'number' ? BY_NUMBER.get(name) : BY_SDK_NAME[name];
}

export function isArrayElementType(t: FieldType | undefined): t is ArrayElementType {
  return t !== undefined && !t.endsWith('_vector') && t !== 'json' && t !== 'array';
}
