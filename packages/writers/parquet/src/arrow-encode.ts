/**
 * milvusdm columns as Arrow arrays, in the layout Milvus's bulk import reads from Parquet:
 * scalars as their own Arrow types, VarChar and JSON (and `$meta`) as UTF-8 strings, arrays as
 * lists of their element type, float vectors as list<float>, binary vectors as list<uint8> of
 * dim/8 bytes, float16/bfloat16 vectors as list<uint8> of their little-endian bytes, int8
 * vectors as list<int8>, sparse vectors as a JSON string `{"indices":[…],"values":[…]}`.
 * Typed arrays are handed to Arrow as they are (no per-value copy), so bits are kept exactly.
 */
import * as arrow from 'apache-arrow';
import { DYNAMIC_FIELD, MilvusdmError, type ArrayElementType, type CollectionSchema, type Column, type FieldSchema } from '@milvusdm/core';

const utf8 = new TextEncoder();

function element(type: arrow.DataType, nullable = false): arrow.Field {
  return new arrow.Field('element', type, nullable);
}

function scalarArrowType(type: ArrayElementType | 'json'): arrow.DataType {
  switch (type) {
    case 'bool':
      return new arrow.Bool();
    case 'int8':
      return new arrow.Int8();
    case 'int16':
      return new arrow.Int16();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float32();
    case 'double':
      return new arrow.Float64();
    case 'varchar':
    case 'json':
      return new arrow.Utf8();
  }
}

/** The Arrow type a field is stored as. */
export function arrowType(field: FieldSchema): arrow.DataType {
  switch (field.type) {
    case 'array':
      if (!field.elementType) throw new MilvusdmError('MDM_UNSUPPORTED', `field "${field.name}": an array field needs its element type`);
      return new arrow.List(element(scalarArrowType(field.elementType), true));
    case 'float_vector':
      return new arrow.List(element(new arrow.Float32()));
    case 'binary_vector':
    case 'float16_vector':
    case 'bfloat16_vector':
      return new arrow.List(element(new arrow.Uint8()));
    case 'int8_vector':
      return new arrow.List(element(new arrow.Int8()));
    case 'sparse_float_vector':
      return new arrow.Utf8();
    default:
      return scalarArrowType(field.type);
  }
}

/** The stored fields that are top-level scalar columns in the file (not lists): see part-file's writerProperties. */
export function scalarColumns(schema: CollectionSchema): string[] {
  return storedFields(schema)
    .filter((f) => !(arrowType(f) instanceof arrow.List))
    .map((f) => f.name);
}

/** The fields a batch carries, in file order: the schema's (server-assigned keys left out), then `$meta`. */
export function storedFields(schema: CollectionSchema): FieldSchema[] {
  const fields = schema.fields.filter((f) => !f.autoId);
  if (schema.enableDynamicField) fields.push({ name: DYNAMIC_FIELD, type: 'json' });
  return fields;
}

export function arrowSchema(schema: CollectionSchema): arrow.Schema {
  return new arrow.Schema(storedFields(schema).map((f) => new arrow.Field(f.name, arrowType(f), f.nullable === true)));
}

/** Byte i of `flags` (0 or 1) as bit i, least significant first: Arrow's bitmaps. */
function packBits(flags: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(flags.length / 8));
  for (let i = 0; i < flags.length; i++) if (flags[i]) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function nullsOf(column: Column): { nullBitmap?: Uint8Array; nullCount?: number } {
  if (!column.valid) return {};
  let missing = 0;
  for (const v of column.valid) if (!v) missing++;
  return missing === 0 ? {} : { nullBitmap: packBits(column.valid), nullCount: missing };
}

type Nulls = { nullBitmap?: Uint8Array; nullCount?: number };

function strings(values: readonly string[], valid?: Uint8Array, nulls: Nulls = {}): arrow.Data {
  const offsets = new Int32Array(values.length + 1);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const bytes = valid && !valid[i] ? new Uint8Array(0) : utf8.encode(values[i]!);
    parts.push(bytes);
    total += bytes.length;
    if (total > 0x7fffffff) throw new MilvusdmError('MDM_TARGET', 'a batch holds more than 2 GiB of text: lower run.batch_rows');
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: values.length, valueOffsets: offsets, data, ...nulls });
}

/** A list column whose rows all hold `per` elements of `child`. */
function fixedLists(type: arrow.List, rows: number, per: number, child: arrow.Data, nulls: Nulls): arrow.Data {
  const offsets = new Int32Array(rows + 1);
  for (let i = 0; i <= rows; i++) offsets[i] = i * per;
  return arrow.makeData({ type, length: rows, valueOffsets: offsets, child, ...nulls });
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function scalarData(type: ArrayElementType, values: readonly unknown[], origin: string): arrow.Data {
  const n = values.length;
  const valid = Uint8Array.from(values, (v) => (v === null || v === undefined ? 0 : 1));
  const nulls = nullsOf({ type: 'bool', values: valid, valid });
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  switch (type) {
    case 'bool':
      return arrow.makeData({ type: new arrow.Bool(), length: n, data: packBits(Uint8Array.from(values, (v) => (v ? 1 : 0))), ...nulls });
    case 'int8':
      return arrow.makeData({ type: new arrow.Int8(), length: n, data: Int8Array.from(values, num), ...nulls });
    case 'int16':
      return arrow.makeData({ type: new arrow.Int16(), length: n, data: Int16Array.from(values, num), ...nulls });
    case 'int32':
      return arrow.makeData({ type: new arrow.Int32(), length: n, data: Int32Array.from(values, num), ...nulls });
    case 'int64':
      return arrow.makeData({
        type: new arrow.Int64(),
        length: n,
        data: BigInt64Array.from(values, (v) => (v === null || v === undefined ? 0n : BigInt(v as bigint | number | string))),
        ...nulls,
      });
    case 'float':
      return arrow.makeData({ type: new arrow.Float32(), length: n, data: Float32Array.from(values, num), ...nulls });
    case 'double':
      return arrow.makeData({ type: new arrow.Float64(), length: n, data: Float64Array.from(values, num), ...nulls });
    case 'varchar': {
      const text = values.map((v) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v)));
      return strings(text, valid, nulls);
    }
    default:
      throw new MilvusdmError('MDM_UNSUPPORTED', `${origin}: arrays of ${String(type)} cannot be stored`);
  }
}

/** `{"indices":[…],"values":[…]}`: float32 values printed as the doubles they widen to, so they parse back to the same bits. */
export function sparseJson(indices: Uint32Array, values: Float32Array): string {
  return `{"indices":[${Array.from(indices).join(',')}],"values":[${Array.from(values).join(',')}]}`;
}

/** One column of a batch as an Arrow array of `field`'s stored type. */
export function arrowData(field: FieldSchema, column: Column, rows: number): arrow.Data {
  const type = arrowType(field);
  const nulls = nullsOf(column);
  switch (column.type) {
    case 'bool':
      return arrow.makeData({ type: new arrow.Bool(), length: rows, data: packBits(column.values), ...nulls });
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float':
    case 'double':
      return arrow.makeData({ type: type as arrow.Int, length: rows, data: column.values as never, ...nulls });
    case 'varchar':
    case 'json':
      return strings(column.values, column.valid, nulls);
    case 'sparse_float_vector':
      return strings(
        column.values.map((r, i) => (column.valid && !column.valid[i] ? '' : sparseJson(r.indices, r.values))),
        column.valid,
        nulls,
      );
    case 'array': {
      const offsets = new Int32Array(rows + 1);
      const items: unknown[] = [];
      for (let i = 0; i < rows; i++) {
        if (!column.valid || column.valid[i]) for (const v of column.values[i]!) items.push(v);
        offsets[i + 1] = items.length;
      }
      const child = scalarData(field.elementType!, items, field.name);
      return arrow.makeData({ type: type as arrow.List, length: rows, valueOffsets: offsets, child, ...nulls });
    }
    case 'float_vector':
      return fixedLists(
        type as arrow.List,
        rows,
        column.dim,
        arrow.makeData({ type: new arrow.Float32(), length: rows * column.dim, data: column.values }),
        nulls,
      );
    case 'int8_vector':
      return fixedLists(
        type as arrow.List,
        rows,
        column.dim,
        arrow.makeData({ type: new arrow.Int8(), length: rows * column.dim, data: column.values }),
        nulls,
      );
    case 'binary_vector':
    case 'float16_vector':
    case 'bfloat16_vector': {
      const bytes = bytesOf(column.values);
      const per = bytes.length / Math.max(rows, 1);
      return fixedLists(
        type as arrow.List,
        rows,
        rows === 0 ? 0 : per,
        arrow.makeData({ type: new arrow.Uint8(), length: bytes.length, data: bytes }),
        nulls,
      );
    }
  }
}

/** A batch as one Arrow record batch of `schema`'s stored fields. */
export function arrowBatch(
  schema: CollectionSchema,
  target: arrow.Schema,
  columns: ReadonlyMap<string, Column>,
  rows: number,
): arrow.RecordBatch {
  const children = storedFields(schema).map((field) => {
    const column = columns.get(field.name);
    if (!column) throw new MilvusdmError('MDM_BATCH_INVALID', `a batch has no column for field "${field.name}"`);
    return arrowData(field, column, rows);
  });
  return new arrow.RecordBatch(target, arrow.makeData({ type: new arrow.Struct(target.fields), length: rows, children }));
}

/** Zero-row columns of every stored field. */
export function emptyColumns(schema: CollectionSchema): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const f of storedFields(schema)) {
    const dim = f.dim ?? 0;
    const column = (() => {
      switch (f.type) {
        case 'bool':
        case 'binary_vector':
          return { type: f.type, dim, values: new Uint8Array(0) };
        case 'int8':
        case 'int8_vector':
          return { type: f.type, dim, values: new Int8Array(0) };
        case 'int16':
          return { type: f.type, values: new Int16Array(0) };
        case 'int32':
          return { type: f.type, values: new Int32Array(0) };
        case 'int64':
          return { type: f.type, values: new BigInt64Array(0) };
        case 'float':
        case 'float_vector':
          return { type: f.type, dim, values: new Float32Array(0) };
        case 'double':
          return { type: f.type, values: new Float64Array(0) };
        case 'float16_vector':
        case 'bfloat16_vector':
          return { type: f.type, dim, values: new Uint16Array(0) };
        default:
          return { type: f.type, values: [] };
      }
    })();
    columns.set(f.name, column as Column);
  }
  return columns;
}
