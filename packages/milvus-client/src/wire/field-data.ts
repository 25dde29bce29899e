/**
 * Encoding column batches into Milvus `schema.FieldData` messages and back, straight from and
 * into typed arrays. Packed numeric fields are copied as bytes; nothing goes through per-row
 * objects, and int64 never passes through a JS number.
 */
import pb from 'protobufjs/minimal.js';
import { MilvusdmError, type Column, type SparseRow } from '@milvusdm/core';
import { DATA_TYPE, SCALAR_MEMBER, VECTOR_MEMBER } from './data-types.js';
import { encodePackedInt32, encodePackedInt64 } from './varint.js';

const { Writer } = pb;
type PbWriter = pb.Writer;

const LEN = 2;
const VARINT = 0;
const tag = (field: number, wire: number) => (field << 3) | wire;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Values of valid rows only: Milvus takes nullable scalar data compacted. */
function compact<T>(values: readonly T[], valid: Uint8Array | undefined): readonly T[] {
  return valid ? values.filter((_, i) => valid[i]) : values;
}

type Typed = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

function compactTyped<A extends Typed>(values: A, valid: Uint8Array | undefined): A {
  if (!valid) return values;
  return (values as unknown as { filter(f: (v: unknown, i: number) => boolean): A }).filter((_v, i) => valid[i] === 1);
}

function writeScalarArray(w: PbWriter, column: Column): void {
  const valid = column.valid;
  switch (column.type) {
    case 'bool':
      w.uint32(tag(SCALAR_MEMBER.bool, LEN)).fork().uint32(tag(1, LEN)).bytes(compactTyped(column.values, valid)).ldelim();
      return;
    case 'int8':
    case 'int16':
    case 'int32':
      w.uint32(tag(SCALAR_MEMBER[column.type], LEN))
        .fork()
        .uint32(tag(1, LEN))
        .bytes(encodePackedInt32(compactTyped(column.values, valid)))
        .ldelim();
      return;
    case 'int64':
      w.uint32(tag(SCALAR_MEMBER.int64, LEN))
        .fork()
        .uint32(tag(1, LEN))
        .bytes(encodePackedInt64(compactTyped(column.values, valid)))
        .ldelim();
      return;
    case 'float':
    case 'double':
      // Little-endian IEEE values, packed: the typed array's own bytes.
      w.uint32(tag(SCALAR_MEMBER[column.type], LEN))
        .fork()
        .uint32(tag(1, LEN))
        .bytes(bytesOf(compactTyped<Float32Array | Float64Array>(column.values, valid)))
        .ldelim();
      return;
    case 'varchar': {
      w.uint32(tag(SCALAR_MEMBER.varchar, LEN)).fork();
      for (const s of compact(column.values, valid)) w.uint32(tag(1, LEN)).string(s);
      w.ldelim();
      return;
    }
    case 'json': {
      w.uint32(tag(SCALAR_MEMBER.json, LEN)).fork();
      for (const s of compact(column.values, valid)) w.uint32(tag(1, LEN)).bytes(Buffer.from(s, 'utf8'));
      w.ldelim();
      return;
    }
    default:
      throw new MilvusdmError('MDM_UNSUPPORTED', `cannot encode a ${column.type} column as a scalar`);
  }
}

/** One array-field row as a ScalarField of its element type. */
function writeArrayRow(w: PbWriter, elementType: string, row: readonly unknown[]): void {
  const column = arrayRowColumn(elementType, row);
  w.fork();
  writeScalarArray(w, column);
  w.ldelim();
}

function arrayRowColumn(elementType: string, row: readonly unknown[]): Column {
  switch (elementType) {
    case 'bool':
      return { type: 'bool', values: Uint8Array.from(row, (v) => (v ? 1 : 0)) };
    case 'int8':
    case 'int16':
    case 'int32':
      return { type: 'int32', values: Int32Array.from(row, (v) => Number(v)) };
    case 'int64':
      return { type: 'int64', values: BigInt64Array.from(row, (v) => BigInt(v as bigint | string | number)) };
    case 'float':
      return { type: 'float', values: Float32Array.from(row, (v) => Number(v)) };
    case 'double':
      return { type: 'double', values: Float64Array.from(row, (v) => Number(v)) };
    case 'varchar':
      return { type: 'varchar', values: row.map(String) };
    default:
      throw new MilvusdmError('MDM_UNSUPPORTED', `array fields of ${elementType} are not supported`);
  }
}

function writeVectors(w: PbWriter, column: Column): void {
  w.uint32(tag(4, LEN)).fork();
  switch (column.type) {
    case 'float_vector':
      // float_vector is the one wrapped in a message of its own (FloatArray).
      w.uint32(tag(1, VARINT)).uint32(column.dim);
      w.uint32(tag(VECTOR_MEMBER.float_vector, LEN)).fork().uint32(tag(1, LEN)).bytes(bytesOf(column.values)).ldelim();
      break;
    case 'binary_vector':
    case 'float16_vector':
    case 'bfloat16_vector':
    case 'int8_vector':
      // One flat payload of the typed array's bytes (BYTES_VECTORS in data-types.ts).
      w.uint32(tag(1, VARINT)).uint32(column.dim);
      w.uint32(tag(VECTOR_MEMBER[column.type], LEN)).bytes(bytesOf(column.values));
      break;
    case 'sparse_float_vector': {
      const dim = sparseDim(column.values);
      w.uint32(tag(1, VARINT)).uint64(dim);
      w.uint32(tag(VECTOR_MEMBER.sparse_float_vector, LEN)).fork();
      for (const row of column.values) w.uint32(tag(1, LEN)).bytes(sparseRowBytes(row));
      w.uint32(tag(2, VARINT)).uint64(dim);
      w.ldelim();
      break;
    }
    default:
      throw new MilvusdmError('MDM_UNSUPPORTED', `cannot encode a ${column.type} column as a vector`);
  }
  w.ldelim();
}

function sparseDim(rows: readonly SparseRow[]): number {
  let max = -1;
  for (const row of rows) for (const i of row.indices) if (i > max) max = i;
  return max + 1;
}

/** Milvus's sparse row layout: (uint32 index, float32 value) pairs, little-endian. */
export function sparseRowBytes(row: SparseRow): Uint8Array {
  const out = new DataView(new ArrayBuffer(row.indices.length * 8));
  for (let i = 0; i < row.indices.length; i++) {
    out.setUint32(i * 8, row.indices[i]!, true);
    out.setFloat32(i * 8 + 4, row.values[i]!, true);
  }
  return new Uint8Array(out.buffer);
}

/** Appends one `FieldData` (as field `fieldNumber` of the enclosing message) to `w`. */
export function writeFieldData(
  w: PbWriter,
  fieldNumber: number,
  name: string,
  column: Column,
  options: { elementType?: string; isDynamic?: boolean } = {},
): void {
  w.uint32(tag(fieldNumber, LEN)).fork();
  w.uint32(tag(1, VARINT)).int32(DATA_TYPE[column.type]);
  w.uint32(tag(2, LEN)).string(name);
  if (column.type.endsWith('_vector')) {
    writeVectors(w, column);
  } else if (column.type === 'array') {
    const elementType = options.elementType;
    if (!elementType) throw new MilvusdmError('MDM_UNSUPPORTED', `array field "${name}" has no element type`);
    w.uint32(tag(3, LEN)).fork().uint32(tag(SCALAR_MEMBER.array, LEN)).fork();
    for (const row of compact(column.values, column.valid)) {
      w.uint32(tag(1, LEN));
      writeArrayRow(w, elementType, row);
    }
    w.uint32(tag(2, VARINT)).int32(DATA_TYPE[elementType as keyof typeof DATA_TYPE]);
    w.ldelim().ldelim();
  } else {
    w.uint32(tag(3, LEN)).fork();
    writeScalarArray(w, column);
    w.ldelim();
  }
  if (options.isDynamic) w.uint32(tag(6, VARINT)).bool(true);
  if (column.valid) w.uint32(tag(7, LEN)).bytes(column.valid);
  w.ldelim();
}

export function newWriter(): PbWriter {
  return Writer.create();
}
