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

/**
 * Which member of `schema.ScalarField` carries each scalar type. Shared by the encoder and the
 * decoder so the two directions cannot drift apart; int8 and int16 travel as int32 (`int_data`).
 */
export const SCALAR_MEMBER = {
  bool: 1,
  int8: 2,
  int16: 2,
  int32: 2,
  int64: 3,
  float: 4,
  double: 5,
  varchar: 6,
  array: 8,
  json: 9,
} as const;

/** Which member of `schema.VectorField` carries each vector type. */
export const VECTOR_MEMBER = {
  float_vector: 2,
  binary_vector: 3,
  float16_vector: 4,
  bfloat16_vector: 5,
  sparse_float_vector: 6,
  int8_vector: 7,
} as const;

/** Vector types sent as one flat bytes payload (`dim` beside it), and the typed array they fill. */
export const BYTES_VECTORS = {
  binary_vector: Uint8Array,
  float16_vector: Uint16Array,
  bfloat16_vector: Uint16Array,
  int8_vector: Int8Array,
} as const;
export type BytesVectorType = keyof typeof BYTES_VECTORS;

const BYTES_VECTOR_BY_MEMBER = new Map<number, BytesVectorType>(
  (Object.keys(BYTES_VECTORS) as BytesVectorType[]).map((t) => [VECTOR_MEMBER[t], t]),
);

/** The flat-bytes vector type a `VectorField` member carries, or undefined for another member. */
export function bytesVectorOfMember(member: number): BytesVectorType | undefined {
  return BYTES_VECTOR_BY_MEMBER.get(member);
}
