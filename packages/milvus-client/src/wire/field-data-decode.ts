/**
 * Decoding Milvus `schema.FieldData` messages (query answers) into columns. Float data is copied
 * once from the message bytes into a typed array; int64 goes from varint to BigInt64Array
 * without a detour through JS numbers.
 */
import pb from 'protobufjs/minimal.js';
import { MilvusdmError, type Column, type FieldType, type SparseRow } from '@milvusdm/core';
import { BYTES_VECTORS, SCALAR_MEMBER, VECTOR_MEMBER, bytesVectorOfMember, fieldTypeOfNumber } from './data-types.js';
import { decodePackedBool, decodePackedInt32, decodePackedInt64, readVarint64 } from './varint.js';

const { Reader } = pb;
type PbReader = pb.Reader;

export interface DecodedField {
  readonly name: string;
  readonly type: FieldType;
  readonly isDynamic: boolean;
  /** Values as sent: dense (one per row) or compacted to the valid rows. */
  readonly column: Column;
  readonly valid: Uint8Array | undefined;
}

/** Copies bytes into a fresh, aligned buffer so a typed-array view may be taken. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * Reads a repeated numeric field that may arrive packed (wire type 2) or one element per tag;
 * proto3 writers pack, but parsers must accept both.
 */
function readRepeated(r: PbReader, end: number, field: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 !== field) {
      r.skipType(t & 7);
      continue;
    }
    if ((t & 7) === 2) chunks.push(r.bytes());
    else {
      // A lone element: re-read it as a one-element packed run.
      const start = r.pos;
      r.skipType(t & 7);
      chunks.push(r.buf.subarray(start, r.pos));
    }
  }
  return chunks;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

/** The elements of a repeated field 1 (StringArray, BytesArray…), each read by `read`. */
function readList<T>(r: PbReader, end: number, read: (r: PbReader) => T): T[] {
  const out: T[] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 1) out.push(read(r));
    else r.skipType(t & 7);
  }
  return out;
}

const readString = (r: PbReader) => r.string();
const readBytes = (r: PbReader) => r.bytes();

/** A ScalarField message: which kind of array it holds, and its values as a column. */
function decodeScalars(bytes: Uint8Array, declared: FieldType): Column {
  const r = Reader.create(bytes);
  let column: Column | undefined;
  while (r.pos < r.len) {
    const t = r.uint32();
    const field = t >>> 3;
    if ((t & 7) !== 2) {
      r.skipType(t & 7);
      continue;
    }
    const len = r.uint32();
    const end = r.pos + len;
    switch (field) {
      case SCALAR_MEMBER.bool:
        column = { type: 'bool', values: decodePackedBool(concat(readRepeated(r, end, 1))) };
        break;
      case SCALAR_MEMBER.int32: {
        const ints = decodePackedInt32(concat(readRepeated(r, end, 1)));
        column =
          declared === 'int8'
            ? { type: 'int8', values: Int8Array.from(ints) }
            : declared === 'int16'
              ? { type: 'int16', values: Int16Array.from(ints) }
              : { type: 'int32', values: ints };
        break;
      }
      case SCALAR_MEMBER.int64:
        column = { type: 'int64', values: decodePackedInt64(concat(readRepeated(r, end, 1))) };
        break;
      case SCALAR_MEMBER.float:
        column = { type: 'float', values: new Float32Array(aligned(concat(readRepeated(r, end, 1)))) };
        break;
      case SCALAR_MEMBER.double:
        column = { type: 'double', values: new Float64Array(aligned(concat(readRepeated(r, end, 1)))) };
        break;
      case SCALAR_MEMBER.varchar:
        column = { type: 'varchar', values: readList(r, end, readString) };
        break;
      case 7:
        // bytes_data: not a type milvusdm writes; keep it readable as text.
        column = { type: 'varchar', values: readList(r, end, readBytes).map((b) => Buffer.from(b).toString('latin1')) };
        break;
      case SCALAR_MEMBER.array:
        column = { type: 'array', values: decodeArrayArray(r, end) };
        break;
      case SCALAR_MEMBER.json:
        column = { type: 'json', values: readList(r, end, readBytes).map((b) => Buffer.from(b).toString('utf8')) };
        break;
      default:
        throw new MilvusdmError('MDM_UNSUPPORTED', `Milvus answered with scalar data of kind ${field}, which milvusdm cannot read`);
    }
    r.pos = end;
  }
  return column ?? emptyColumn(declared);
}

function decodeArrayArray(r: PbReader, end: number): unknown[][] {
  const rows: unknown[][] = [];
  while (r.pos < end) {
    const t = r.uint32();
    if (t >>> 3 === 1 && (t & 7) === 2) {
      const column = decodeScalars(r.bytes(), 'int32');
      rows.push(Array.from(column.values as ArrayLike<unknown>));
    } else r.skipType(t & 7);
  }
  return rows;
}

function emptyColumn(type: FieldType): Column {
  switch (type) {
    case 'bool':
      return { type, values: new Uint8Array(0) };
    case 'int8':
      return { type, values: new Int8Array(0) };
    case 'int16':
      return { type, values: new Int16Array(0) };
    case 'int32':
      return { type, values: new Int32Array(0) };
    case 'int64':
      return { type, values: new BigInt64Array(0) };
    case 'float':
      return { type, values: new Float32Array(0) };
    case 'double':
      return { type, values: new Float64Array(0) };
    case 'varchar':
    case 'json':
      return { type, values: [] };
    case 'array':
      return { type, values: [] };
    case 'float_vector':
      return { type, dim: 0, values: new Float32Array(0) };
    case 'binary_vector':
      return { type, dim: 0, values: new Uint8Array(0) };
    case 'float16_vector':
    case 'bfloat16_vector':
      return { type, dim: 0, values: new Uint16Array(0) };
    case 'int8_vector':
      return { type, dim: 0, values: new Int8Array(0) };
    case 'sparse_float_vector':
      return { type, values: [] };
  }
}

function sparseRow(bytes: Uint8Array): SparseRow {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length / 8;
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    indices[i] = view.getUint32(i * 8, true);
    values[i] = view.getFloat32(i * 8 + 4, true);
  }
  return { indices, values };
}

function decodeVectors(bytes: Uint8Array, declared: FieldType): Column {
  const r = Reader.create(bytes);
  let dim = 0;
  let column: Column | undefined;
  const pair = new Uint32Array(2);
  while (r.pos < r.len) {
    const t = r.uint32();
    const field = t >>> 3;
    if (field === 1 && (t & 7) === 0) {
      r.pos = readVarint64(r.buf, r.pos, pair);
      dim = pair[0]!;
      continue;
    }
    if ((t & 7) !== 2) {
      r.skipType(t & 7);
      continue;
    }
    const payload = r.bytes();
    const flat = bytesVectorOfMember(field);
    if (flat) {
      // One flat payload of the typed array's bytes, as the encoder writes it.
      column = { type: flat, dim: 0, values: new BYTES_VECTORS[flat](aligned(payload)) } as Column;
      continue;
    }
    switch (field) {
      case VECTOR_MEMBER.float_vector: {
        const inner = Reader.create(payload);
        column = { type: 'float_vector', dim: 0, values: new Float32Array(aligned(concat(readRepeated(inner, inner.len, 1)))) };
        break;
      }
      case VECTOR_MEMBER.sparse_float_vector: {
        const inner = Reader.create(payload);
        column = { type: 'sparse_float_vector', values: readList(inner, inner.len, readBytes).map(sparseRow) };
        break;
      }
      default:
        throw new MilvusdmError('MDM_UNSUPPORTED', `Milvus answered with vector data of kind ${field}, which milvusdm cannot read`);
    }
  }
  const out = column ?? emptyColumn(declared);
  return 'dim' in out ? ({ ...out, dim } as Column) : out;
}

export function decodeFieldData(bytes: Uint8Array): DecodedField {
  const r = Reader.create(bytes);
  let typeNumber = 0;
  let name = '';
  let isDynamic = false;
  let scalars: Uint8Array | undefined;
  let vectors: Uint8Array | undefined;
  const validChunks: Uint8Array[] = [];
  while (r.pos < r.len) {
    const t = r.uint32();
    switch (t >>> 3) {
      case 1:
        typeNumber = r.int32();
        break;
      case 2:
        name = r.string();
        break;
      case 3:
        scalars = r.bytes();
        break;
      case 4:
        vectors = r.bytes();
        break;
      case 6:
        isDynamic = r.bool();
        break;
      case 7:
        if ((t & 7) === 2) validChunks.push(r.bytes());
        else validChunks.push(Uint8Array.of(r.bool() ? 1 : 0));
        break;
      default:
        r.skipType(t & 7);
    }
  }
  const type = fieldTypeOfNumber(typeNumber);
  if (!type) throw new MilvusdmError('MDM_UNSUPPORTED', `field "${name}" has Milvus data type ${typeNumber}, which milvusdm cannot read`);
  const column = vectors ? decodeVectors(vectors, type) : scalars ? decodeScalars(scalars, type) : emptyColumn(type);
  const valid = validChunks.length > 0 ? decodePackedBool(concat(validChunks)) : undefined;
  return { name, type, isDynamic, column, valid };
}
