/**
 * Files milvusdm's HDF5 writer made: the schema document in the `milvusdm_schema` attribute says
 * which fields there are, file-layout.ts says which datasets hold them. Every dataset is checked
 * against the schema (present, type, shape, length) before a row is read, so a damaged or
 * hand-edited file stops the run with one line naming the file and the dataset.
 */
import { MilvusdmError, schemaFromJson, type CollectionSchema, type Column, type SparseRow } from '@milvusdm/core';
import { H5T, type DatasetInfo, type Hdf5File } from './h5.js';
import { LAYOUT_ATTR, LAYOUT_VERSION, SCHEMA_ATTR, fileLayout, type FieldLayout, type PartSpec } from './file-layout.js';

export { SCHEMA_ATTR };

export interface ExtendedPart {
  readonly spec: PartSpec;
  readonly info: DatasetInfo;
}

export interface ExtendedField {
  readonly layout: FieldLayout;
  readonly parts: readonly ExtendedPart[];
}

export interface ExtendedLayout {
  /** The schema as the file states it. */
  readonly schema: CollectionSchema;
  /** Its text, to tell files of the same collection from others. */
  readonly schemaText: string;
  readonly fields: readonly ExtendedField[];
  readonly rows: number;
  /** Bytes of one row, roughly (variable-length fields guessed), to size blocks. */
  readonly rowBytes: number;
  readonly collection: string | undefined;
  readonly partition: string | undefined;
}

/** HDF5 type class, size and sign each dtype string of the layout stands for. */
function expectedType(dtype: string): { typeClass: number; size: number; signed: boolean; vlen: boolean; text: string } {
  if (dtype === 'S') return { typeClass: H5T.STRING, size: 0, signed: false, vlen: true, text: 'variable-length UTF-8 strings' };
  const kind = dtype[1]!;
  const size = { b: 1, B: 1, h: 2, H: 2, i: 4, I: 4, q: 8, f: 4, d: 8 }[kind]!;
  if (kind === 'f' || kind === 'd') return { typeClass: H5T.FLOAT, size, signed: true, vlen: false, text: `float${size * 8}` };
  const signed = kind === kind.toLowerCase();
  return { typeClass: H5T.INTEGER, size, signed, vlen: false, text: `${signed ? 'int' : 'uint'}${size * 8}` };
}

function actualType(d: DatasetInfo): string {
  if (d.typeClass === H5T.STRING) return d.vlen ? 'variable-length strings' : `fixed-length strings of ${d.size} bytes`;
  if (d.typeClass === H5T.FLOAT) return `float${d.size * 8}`;
  if (d.typeClass === H5T.INTEGER) return `${d.signed ? 'int' : 'uint'}${d.size * 8}`;
  if (d.typeClass === H5T.ENUM) return `enum of ${d.size} byte(s)`;
  return `HDF5 type class ${d.typeClass}`;
}

function typeFits(d: DatasetInfo, spec: PartSpec): boolean {
  const want = expectedType(spec.dtype);
  if (want.vlen) return d.typeClass === H5T.STRING && d.vlen;
  // h5py stores numpy bools as a one-byte enum (FALSE = 0, TRUE = 1): as good as uint8 0/1.
  if (spec.dtype === '<B' && d.typeClass === H5T.ENUM && d.size === 1) return true;
  return d.typeClass === want.typeClass && d.size === want.size && (want.typeClass === H5T.FLOAT || d.signed === want.signed);
}

/** Reads and checks the extended layout of a file whose `milvusdm_schema` attribute is `schemaText`. */
export function describeExtended(file: Hdf5File, schemaText: unknown, attrs: Readonly<Record<string, unknown>>): ExtendedLayout {
  const path = file.path;
  if (typeof schemaText !== 'string')
    throw new MilvusdmError(
      'MDM_SOURCE',
      `${path}: attribute "${SCHEMA_ATTR}" is not a string (it should hold milvusdm's schema document)`,
    );
  const version = attrs[LAYOUT_ATTR];
  if (version !== undefined && (typeof version !== 'number' || version > LAYOUT_VERSION)) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${path}: HDF5 layout version ${String(version)} is newer than this milvusdm reads (${LAYOUT_VERSION}); upgrade milvusdm`,
    );
  }
  const schema = schemaFromJson(schemaText, `${path}: attribute "${SCHEMA_ATTR}"`);
  const layouts = fileLayout(schema, path);
  let rows: number | undefined;
  let rowsFrom = '';
  let rowBytes = 0;
  const fields: ExtendedField[] = [];
  for (const layout of layouts) {
    const parts: ExtendedPart[] = [];
    for (const spec of layout.parts) {
      const where = `${path}: dataset "${spec.name}" (field "${layout.name}", ${layout.type})`;
      const info = file.info(spec.name);
      if (!info) throw new MilvusdmError('MDM_SOURCE', `${where} is missing; the file's schema attribute lists the field`);
      if (!typeFits(info, spec)) {
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${where} holds ${actualType(info)}; the layout stores this field as ${expectedType(spec.dtype).text}`,
        );
      }
      const shape = info.shape;
      const wantShape = spec.width > 0 ? `[rows, ${spec.width}]` : '[rows]';
      if (shape.length !== (spec.width > 0 ? 2 : 1) || (spec.width > 0 && shape[1] !== spec.width)) {
        throw new MilvusdmError('MDM_SOURCE', `${where} has shape [${shape.join(', ')}]; the schema says ${wantShape}`);
      }
      if (spec.role !== 'flat') {
        const n = shape[0]!;
        if (rows === undefined) {
          rows = n;
          rowsFrom = spec.name;
        } else if (n !== rows) {
          throw new MilvusdmError('MDM_SOURCE', `${where} has ${n} rows but dataset "${rowsFrom}" has ${rows}`);
        }
        rowBytes += spec.dtype === 'S' ? 256 : spec.entryBytes;
      } else rowBytes += spec.entryBytes * 16;
      parts.push({ spec, info });
    }
    fields.push({ layout, parts });
  }
  const total = rows ?? 0;
  // Element datasets hold exactly what the last row's end offset says.
  for (const { parts } of fields) {
    const end = parts.find((p) => p.spec.role === 'end');
    if (!end) continue;
    const last = total > 0 ? lastEnd(file, end.info, total) : 0n;
    for (const p of parts) {
      if (p.spec.role !== 'flat') continue;
      const n = p.info.shape[0]!;
      if (BigInt(n) !== last) {
        throw new MilvusdmError(
          'MDM_SOURCE',
          `${path}: dataset "${p.spec.name}" holds ${n} elements but "${end.spec.name}" says the rows end at ${last}`,
        );
      }
    }
  }
  const collection = attrs['collection'];
  const partition = attrs['partition'];
  return {
    schema,
    schemaText,
    fields,
    rows: total,
    rowBytes: Math.max(1, rowBytes),
    collection: typeof collection === 'string' && collection ? collection : undefined,
    partition: typeof partition === 'string' && partition ? partition : undefined,
  };
}

function lastEnd(file: Hdf5File, info: DatasetInfo, rows: number): bigint {
  const bytes = file.readRows(info, rows - 1, 1);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A typed array over raw little-endian bytes (copied when unaligned). */
function typed<T>(bytes: Uint8Array, ctor: { new (b: ArrayBuffer, o: number, n: number): T; BYTES_PER_ELEMENT: number }): T {
  const n = bytes.byteLength / ctor.BYTES_PER_ELEMENT;
  if (bytes.byteOffset % ctor.BYTES_PER_ELEMENT === 0) return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, n);
  return new ctor(bytes.slice().buffer, 0, n);
}

/** Rows [row, row + n) of every field, as the batch columns (`$meta` for dynamic fields). */
export function readExtendedBlock(
  file: Hdf5File,
  layout: ExtendedLayout,
  row: number,
  n: number,
  skip: ReadonlySet<string>,
): Map<string, Column> {
  const columns = new Map<string, Column>();
  for (const field of layout.fields) {
    if (skip.has(field.layout.name)) continue;
    columns.set(field.layout.name, readField(file, field, row, n));
  }
  return columns;
}

function partOf(field: ExtendedField, part: string): ExtendedPart {
  return field.parts.find((p) => p.spec.part === part)!;
}

/** The element range of rows [row, row + n) from the `end` offsets, checked. */
function elementRange(file: Hdf5File, field: ExtendedField, row: number, n: number): { start: number; ends: number[] } {
  const end = partOf(field, 'end');
  const flat = field.parts.find((p) => p.spec.role === 'flat')!;
  const from = row > 0 ? row - 1 : 0;
  const raw = view(file.readRows(end.info, from, n + (row > 0 ? 1 : 0)));
  const start = row > 0 ? Number(raw.getBigInt64(0, true)) : 0;
  const ends: number[] = [];
  let previous = start;
  const limit = flat.info.shape[0]!;
  for (let i = 0; i < n; i++) {
    const e = Number(raw.getBigInt64((i + (row > 0 ? 1 : 0)) * 8, true));
    if (e < previous || e > limit) {
      throw new MilvusdmError(
        'MDM_SOURCE',
        `${file.path}: dataset "${end.spec.name}" row ${row + i}: end offset ${e} is ${e < previous ? `below the previous row's (${previous})` : `beyond the ${limit} elements of "${flat.spec.name}"`}`,
      );
    }
    ends.push(e);
    previous = e;
  }
  return { start, ends };
}

function readField(file: Hdf5File, field: ExtendedField, row: number, n: number): Column {
  const { layout } = field;
  const validPart = field.parts.find((p) => p.spec.part === 'valid');
  const valid = validPart ? file.readRows(validPart.info, row, n).map((v) => (v ? 1 : 0)) : undefined;
  const extra = valid ? { valid } : {};
  const values = partOf(field, 'values');
  const dim = layout.field.dim ?? 0;
  switch (layout.type) {
    case 'varchar':
    case 'json':
      return { type: layout.type, values: file.readStrings(values.info, row, n), ...extra };
    case 'bool':
      return { type: 'bool', values: file.readRows(values.info, row, n).map((v) => (v ? 1 : 0)), ...extra };
    case 'int8':
      return { type: 'int8', values: typed(file.readRows(values.info, row, n), Int8Array), ...extra };
    case 'int16':
      return { type: 'int16', values: typed(file.readRows(values.info, row, n), Int16Array), ...extra };
    case 'int32':
      return { type: 'int32', values: typed(file.readRows(values.info, row, n), Int32Array), ...extra };
    case 'int64':
      return { type: 'int64', values: typed(file.readRows(values.info, row, n), BigInt64Array), ...extra };
    case 'float':
      return { type: 'float', values: typed(file.readRows(values.info, row, n), Float32Array), ...extra };
    case 'double':
      return { type: 'double', values: typed(file.readRows(values.info, row, n), Float64Array), ...extra };
    case 'float_vector':
      return { type: 'float_vector', dim, values: typed(file.readRows(values.info, row, n), Float32Array), ...extra };
    case 'binary_vector':
      return { type: 'binary_vector', dim, values: file.readRows(values.info, row, n), ...extra };
    case 'float16_vector':
    case 'bfloat16_vector':
      return { type: layout.type, dim, values: typed(file.readRows(values.info, row, n), Uint16Array), ...extra };
    case 'int8_vector':
      return { type: 'int8_vector', dim, values: typed(file.readRows(values.info, row, n), Int8Array), ...extra };
    case 'sparse_float_vector': {
      const { start, ends } = elementRange(file, field, row, n);
      const count = (ends[ends.length - 1] ?? start) - start;
      const indices = typed(file.readRows(partOf(field, 'indices').info, start, count), Uint32Array);
      const vals = typed(file.readRows(values.info, start, count), Float32Array);
      const rows: SparseRow[] = [];
      let at = 0;
      for (const e of ends) {
        const to = e - start;
        rows.push({ indices: indices.slice(at, to), values: vals.slice(at, to) });
        at = to;
      }
      return { type: 'sparse_float_vector', values: rows, ...extra };
    }
    case 'array': {
      const { start, ends } = elementRange(file, field, row, n);
      const count = (ends[ends.length - 1] ?? start) - start;
      const elements = arrayElements(file, values.info, layout.field.elementType!, start, count);
      const rows: unknown[][] = [];
      let at = 0;
      for (const e of ends) {
        const to = e - start;
        rows.push(elements.slice(at, to));
        at = to;
      }
      return { type: 'array', values: rows, ...extra };
    }
  }
}

/** Array elements as the live Milvus reader yields them: numbers, bigint for int64, strings. */
function arrayElements(file: Hdf5File, info: DatasetInfo, element: string, start: number, count: number): unknown[] {
  if (element === 'varchar') return file.readStrings(info, start, count);
  const bytes = file.readRows(info, start, count);
  switch (element) {
    case 'bool':
      return Array.from(bytes, (v) => (v ? 1 : 0));
    case 'int8':
      return Array.from(typed(bytes, Int8Array));
    case 'int16':
      return Array.from(typed(bytes, Int16Array));
    case 'int32':
      return Array.from(typed(bytes, Int32Array));
    case 'int64':
      return Array.from(typed(bytes, BigInt64Array));
    case 'float':
      return Array.from(typed(bytes, Float32Array));
    default:
      return Array.from(typed(bytes, Float64Array));
  }
}
