/**
 * Arrow arrays (one record batch of a row group) as milvusdm columns of the announced field
 * types. Fixed-width values are taken from Arrow's buffers as they are (the bits never pass
 * through a JS number); every value that does not fit its field stops the read with the file,
 * the field and the row.
 */
import * as arrow from 'apache-arrow';
import { MilvusdmError, type ArrayElementType, type Column, type FieldSchema, type SparseRow } from '@milvusdm/core';

const text = new TextDecoder('utf-8', { fatal: true });

export interface Where {
  readonly path: string;
  /** Row in the file of the batch's first row, for messages. */
  readonly firstRow: number;
}

function fail(where: Where, field: string, row: number | undefined, message: string): never {
  const at = row === undefined ? '' : ` row ${where.firstRow + row}:`;
  throw new MilvusdmError('MDM_SOURCE', `${where.path}:${at} field "${field}": ${message}`);
}

function isValid(data: arrow.Data, i: number): boolean {
  if (!data.nullBitmap || data.nullCount === 0 || data.nullBitmap.length === 0) return true;
  const bit = data.offset + i;
  return (data.nullBitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Byte i is 1 when row i has a value; undefined when every row has one. */
function validity(data: arrow.Data): Uint8Array | undefined {
  if (!data.nullBitmap || data.nullCount === 0 || data.nullBitmap.length === 0) return undefined;
  return Uint8Array.from({ length: data.length }, (_, i) => (isValid(data, i) ? 1 : 0));
}

function typeName(type: arrow.DataType): string {
  return String(type);
}

/** The typed array of a primitive column, rows [0, length). */
function primitive<T extends ArrayLike<unknown> & { subarray(a: number, b: number): T }>(data: arrow.Data): T {
  // Arrow JS slices `values` and `valueOffsets` with the data; its `offset` only applies to bitmaps.
  return (data.values as unknown as T).subarray(0, data.length);
}

function strings(data: arrow.Data, where: Where, field: string, valid: Uint8Array | undefined): string[] {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const out = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) {
    if (valid && !valid[i]) {
      out[i] = '';
      continue;
    }
    const start = Number(offsets[i]);
    const end = Number(offsets[i + 1]);
    try {
      out[i] = text.decode(bytes.subarray(start, end));
    } catch {
      fail(where, field, i, 'is not valid UTF-8');
    }
  }
  return out;
}

function isString(type: arrow.DataType): boolean {
  return arrow.DataType.isUtf8(type) || arrow.DataType.isLargeUtf8(type);
}

function isList(type: arrow.DataType): boolean {
  return arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type) || type.typeId === arrow.Type.LargeList;
}

/** Start and end (in the child) of list row i. */
function listRange(data: arrow.Data, i: number): [number, number] {
  if (arrow.DataType.isFixedSizeList(data.type)) {
    const size = (data.type as arrow.FixedSizeList).listSize;
    return [(data.offset + i) * size, (data.offset + i + 1) * size];
  }
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  return [Number(offsets[i]), Number(offsets[i + 1])];
}

/** The child's values as a flat typed array. */
function childValues(data: arrow.Data): ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; BYTES_PER_ELEMENT: number } {
  const child = data.children[0]!;
  return child.values as Float32Array;
}

/** A dense vector column: every row must hold `per` elements of the child type the field takes. */
function vectorColumn(field: FieldSchema, data: arrow.Data, where: Where, valid: Uint8Array | undefined): Column {
  if (!isList(data.type)) fail(where, field.name, undefined, `${field.type} is stored as a list, the file has ${typeName(data.type)}`);
  const child = data.children[0]!;
  const dim = field.dim ?? 0;
  const childType = child.type;
  let per: number;
  let out: Float32Array | Uint8Array | Uint16Array | Int8Array;
  let convert: ((v: number) => number) | undefined;
  switch (field.type) {
    case 'float_vector':
      per = dim;
      out = new Float32Array(data.length * per);
      if (arrow.DataType.isFloat(childType) && (childType as arrow.Float).precision === arrow.Precision.DOUBLE) convert = Math.fround;
      else if (!(arrow.DataType.isFloat(childType) && (childType as arrow.Float).precision === arrow.Precision.SINGLE))
        fail(where, field.name, undefined, `float vectors are list<float>, the file has ${typeName(data.type)}`);
      break;
    case 'binary_vector':
    case 'float16_vector':
    case 'bfloat16_vector': {
      const half = childType.typeId === arrow.Type.Float && (childType as arrow.Float).precision === arrow.Precision.HALF;
      if (field.type !== 'binary_vector' && half) {
        per = dim;
        out = new Uint16Array(data.length * per);
        break;
      }
      if (!(arrow.DataType.isInt(childType) && childType.bitWidth === 8 && !childType.isSigned))
        fail(where, field.name, undefined, `${field.type} is stored as list<uint8> bytes, the file has ${typeName(data.type)}`);
      per = field.type === 'binary_vector' ? dim / 8 : dim * 2;
      out = new Uint8Array(data.length * per);
      break;
    }
    case 'int8_vector':
      per = dim;
      out = new Int8Array(data.length * per);
      if (!(arrow.DataType.isInt(childType) && childType.bitWidth === 8 && childType.isSigned))
        fail(where, field.name, undefined, `int8 vectors are list<int8>, the file has ${typeName(data.type)}`);
      break;
    default:
      throw new Error(`not a dense vector: ${field.type}`);
  }
  const source = childValues(data);
  // The same element width: copy bytes (exact bits); otherwise convert value by value.
  const sameWidth = !convert && source.BYTES_PER_ELEMENT === out.BYTES_PER_ELEMENT;
  const srcBytes = new Uint8Array(source.buffer, source.byteOffset, (source.length ?? 0) * source.BYTES_PER_ELEMENT);
  const outBytes = new Uint8Array(out.buffer);
  const width = out.BYTES_PER_ELEMENT;
  for (let i = 0; i < data.length; i++) {
    if (valid && !valid[i]) continue;
    const [start, end] = listRange(data, i);
    if (end - start !== per) fail(where, field.name, i, `holds ${end - start} elements, the dimension needs ${per}`);
    if (child.nullCount > 0) for (let j = start; j < end; j++) if (!isValid(child, j)) fail(where, field.name, i, 'holds a null element');
    if (sameWidth) outBytes.set(srcBytes.subarray(start * width, end * width), i * per * width);
    else for (let j = 0; j < per; j++) out[i * per + j] = convert!(source[start + j]!);
  }
  const values = field.type === 'float16_vector' || field.type === 'bfloat16_vector' ? new Uint16Array(out.buffer) : out;
  return { type: field.type, dim, values, ...(valid ? { valid } : {}) } as Column;
}

/** One array element, as the Milvus writer and the verifier take it. */
function elementValue(child: arrow.Data, j: number, elementType: ArrayElementType, where: Where, field: string, row: number): unknown {
  if (!isValid(child, j)) return null;
  const values = child.values as ArrayLike<unknown>;
  const at = j;
  switch (elementType) {
    case 'bool':
      return bitAt(child, j);
    case 'int64':
      return BigInt(values[at] as bigint | number);
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float':
    case 'double':
      return Number(values[at]);
    case 'varchar': {
      const offsets = child.valueOffsets as Int32Array | BigInt64Array;
      try {
        return text.decode((child.values as Uint8Array).subarray(Number(offsets[at]), Number(offsets[at + 1])));
      } catch {
        return fail(where, field, row, 'holds text that is not valid UTF-8');
      }
    }
  }
}

function arrayColumn(field: FieldSchema, data: arrow.Data, where: Where, valid: Uint8Array | undefined): Column {
  if (!isList(data.type)) fail(where, field.name, undefined, `arrays are stored as lists, the file has ${typeName(data.type)}`);
  const child = data.children[0]!;
  const out: unknown[][] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (valid && !valid[i]) {
      out[i] = [];
      continue;
    }
    const [start, end] = listRange(data, i);
    const row: unknown[] = new Array(end - start);
    for (let j = start; j < end; j++) row[j - start] = elementValue(child, j, field.elementType!, where, field.name, i);
    out[i] = row;
  }
  return { type: 'array', values: out, ...(valid ? { valid } : {}) };
}

/** `{"indices":[…],"values":[…]}` or `{"index": value, …}`, as Milvus bulk import takes both. */
function parseSparse(json: string, where: Where, field: string, row: number): SparseRow {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    fail(where, field, row, 'is not a JSON sparse vector');
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o['indices']) && Array.isArray(o['values'])) {
      if (o['indices'].length !== o['values'].length)
        fail(where, field, row, 'has as many indices as values only in a valid sparse vector');
      return sparseRow(o['indices'] as unknown[], o['values'] as unknown[], where, field, row);
    }
    const keys = Object.keys(o);
    return sparseRow(
      keys.map((k) => Number(k)),
      keys.map((k) => o[k]),
      where,
      field,
      row,
    );
  }
  return fail(where, field, row, 'is not a JSON sparse vector');
}

function sparseRow(indices: readonly unknown[], values: readonly unknown[], where: Where, field: string, row: number): SparseRow {
  const order = indices.map((_, k) => k).sort((a, b) => Number(indices[a]) - Number(indices[b]));
  const idx = new Uint32Array(order.length);
  const val = new Float32Array(order.length);
  order.forEach((k, n) => {
    const i = indices[k];
    const v = values[k];
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > 0xfffffffe)
      fail(where, field, row, `sparse index ${String(i)} is not a uint32`);
    if (typeof v !== 'number') fail(where, field, row, `sparse value ${String(v)} is not a number`);
    idx[n] = i;
    val[n] = v;
  });
  return { indices: idx, values: val };
}

function sparseFromMap(data: arrow.Data, where: Where, field: string, valid: Uint8Array | undefined): SparseRow[] {
  const entries = data.children[0]!;
  const keys = entries.children[0]!;
  const vals = entries.children[1]!;
  const out: SparseRow[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    if (valid && !valid[i]) {
      out[i] = { indices: new Uint32Array(0), values: new Float32Array(0) };
      continue;
    }
    const [start, end] = listRange(data, i);
    const k: number[] = [];
    const v: number[] = [];
    for (let j = start; j < end; j++) {
      k.push(Number((keys.values as ArrayLike<number | bigint>)[j]));
      v.push(Number((vals.values as ArrayLike<number>)[j]));
    }
    out[i] = sparseRow(k, v, where, field, i);
  }
  return out;
}

/** Column `data` as a column of `field`'s type. */
export function decodeColumn(field: FieldSchema, data: arrow.Data, where: Where): Column {
  const valid = validity(data);
  if (valid && !field.nullable) {
    const row = valid.indexOf(0);
    fail(where, field.name, row, 'is null, and the field is not nullable');
  }
  const extra = valid ? { valid } : {};
  const type = data.type;
  const intBits = arrow.DataType.isInt(type) ? type.bitWidth : 0;
  switch (field.type) {
    case 'bool':
      if (!arrow.DataType.isBool(type)) break;
      return {
        type: 'bool',
        values: Uint8Array.from({ length: data.length }, (_, i) => (isValid(data, i) && bitAt(data, i) ? 1 : 0)),
        ...extra,
      };
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64': {
      if (!intBits) break;
      return { ...integers(field, data, where), ...extra } as Column;
    }
    case 'float':
    case 'double': {
      if (!arrow.DataType.isFloat(type)) break;
      const precision = (type as arrow.Float).precision;
      const want = field.type === 'float' ? arrow.Precision.SINGLE : arrow.Precision.DOUBLE;
      if (precision === want) {
        const values = primitive<Float32Array>(data);
        return { type: field.type, values: field.type === 'float' ? values : (values as unknown as Float64Array), ...extra } as Column;
      }
      if (precision === arrow.Precision.HALF) break;
      // A wider or narrower float than the field: widened exactly, or rounded as Milvus would on insert.
      const values = primitive<Float64Array>(data);
      return {
        type: field.type,
        values: field.type === 'float' ? Float32Array.from(values) : Float64Array.from(values),
        ...extra,
      } as Column;
    }
    case 'varchar':
    case 'json':
      if (!isString(type)) break;
      return { type: field.type, values: strings(data, where, field.name, valid), ...extra };
    case 'array':
      return arrayColumn(field, data, where, valid);
    case 'sparse_float_vector':
      if (isString(type)) {
        const rows = strings(data, where, field.name, valid);
        return {
          type: 'sparse_float_vector',
          values: rows.map((s, i) =>
            valid && !valid[i] ? { indices: new Uint32Array(0), values: new Float32Array(0) } : parseSparse(s, where, field.name, i),
          ),
          ...extra,
        };
      }
      if (type.typeId === arrow.Type.Map)
        return { type: 'sparse_float_vector', values: sparseFromMap(data, where, field.name, valid), ...extra };
      break;
    default:
      return vectorColumn(field, data, where, valid);
  }
  return fail(where, field.name, undefined, `is ${field.type} in the schema, the file stores ${typeName(type)}`);
}

function bitAt(data: arrow.Data, i: number): boolean {
  const bit = data.offset + i;
  return ((data.values as Uint8Array)[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Integers of any Arrow width as the field's width, range-checked when narrowing or from unsigned. */
function integers(field: FieldSchema, data: arrow.Data, where: Where): Column {
  const type = data.type as arrow.Int;
  const same =
    (field.type === 'int8' && type.bitWidth === 8) ||
    (field.type === 'int16' && type.bitWidth === 16) ||
    (field.type === 'int32' && type.bitWidth === 32) ||
    (field.type === 'int64' && type.bitWidth === 64);
  if (same && type.isSigned) return { type: field.type, values: primitive(data) } as Column;
  const src = primitive<Int32Array>(data) as unknown as ArrayLike<number | bigint>;
  const n = data.length;
  if (field.type === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const v = BigInt(src[i]!);
      if (v > 0x7fffffffffffffffn) fail(where, field.name, i, `${v} does not fit int64`);
      out[i] = v;
    }
    return { type: 'int64', values: out };
  }
  const [Ctor, lo, hi] =
    field.type === 'int8'
      ? [Int8Array, -128, 127]
      : field.type === 'int16'
        ? [Int16Array, -32768, 32767]
        : [Int32Array, -(2 ** 31), 2 ** 31 - 1];
  const out = new Ctor(n);
  for (let i = 0; i < n; i++) {
    const v = Number(src[i]!);
    if (isValid(data, i) && (v < lo || v > hi)) fail(where, field.name, i, `${v} does not fit ${field.type}`);
    out[i] = v;
  }
  return { type: field.type, values: out } as Column;
}
