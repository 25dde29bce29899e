/**
 * Where each field of a collection goes in the file: the datasets ("parts") that hold it, their
 * HDF5 types and how they grow. The seed's names stay (`ids` for the primary key, `embeddings`
 * for the first float or binary vector), so the original H2M still reads a plain dump; every
 * other field gets datasets named after it. Parts of one field share its dataset name as a
 * prefix with a `.` suffix (`tags.end`, `tags.values`, `maybe.valid`): Milvus field names
 * cannot hold a dot, so no part can collide with another field.
 *
 * One definition for both ends: @milvusdm/writer-hdf5 writes by it, @milvusdm/reader-hdf5 reads
 * by it (exported from core as `hdf5Layout`); the writer's README states the rules for h5py users.
 */
import { MilvusdmError } from '../errors.js';
import { DYNAMIC_FIELD, primaryField, type CollectionSchema, type FieldSchema } from '../schema.js';

/** Version of this layout, stored in the `milvusdm_layout` file attribute. */
export const LAYOUT_VERSION = 1;
export const LAYOUT_ATTR = 'milvusdm_layout';
/** File attribute holding the schema document (@milvusdm/core schema-json). */
export const SCHEMA_ATTR = 'milvusdm_schema';

/**
 * `rows`: one entry per row (shape [n] or [n, width]). `end`: one int64 per row, the end offset
 * of the row's elements in the field's `flat` parts (row i spans [end[i-1], end[i]), end[-1] = 0).
 * `flat`: the elements of every row, concatenated.
 */
export type PartRole = 'rows' | 'end' | 'flat';

export interface PartSpec {
  readonly name: string;
  /** h5wasm dtype: `<q`, `<f`, `<B`… or `S` for variable-length UTF-8 strings. */
  readonly dtype: string;
  /** Elements per row for 2-D `rows` parts, 0 for 1-D parts. */
  readonly width: number;
  readonly role: PartRole;
  /** Bytes of one entry (a row of a 2-D part), to size chunks. */
  readonly entryBytes: number;
  /** What the part holds, for h5py users: `values`, `end`, `valid`, `indices`. */
  readonly part: string;
}

export interface FieldLayout {
  /** The field's name in the batches (`$meta` for dynamic fields). */
  readonly name: string;
  readonly type: FieldSchema['type'];
  readonly field: FieldSchema;
  readonly base: string;
  readonly parts: readonly PartSpec[];
}

const SCALAR_DTYPE: Partial<Record<FieldSchema['type'], [string, number]>> = {
  bool: ['<B', 1],
  int8: ['<b', 1],
  int16: ['<h', 2],
  int32: ['<i', 4],
  int64: ['<q', 8],
  float: ['<f', 4],
  double: ['<d', 8],
  varchar: ['S', 16],
  json: ['S', 16],
};

/** The field the seed's `embeddings` dataset holds: the first float or binary vector. */
export function embeddingsField(schema: CollectionSchema): FieldSchema | undefined {
  return schema.fields.find((f) => f.type === 'float_vector' || f.type === 'binary_vector');
}

/** Dataset name of a field: the seed's names for the key and the MilvusDM vector. */
export function baseName(field: FieldSchema, schema: CollectionSchema): string {
  if (field === primaryField(schema)) return 'ids';
  if (field === embeddingsField(schema)) return 'embeddings';
  // A non-key field called `ids` (or a second vector called `embeddings`) steps aside.
  if (field.name === 'ids' || field.name === 'embeddings') return `${field.name}.field`;
  return field.name;
}

function partsOf(field: FieldSchema, base: string, where: string): PartSpec[] {
  const row = (dtype: string, entryBytes: number, width = 0): PartSpec => ({
    name: base,
    dtype,
    width,
    role: 'rows',
    entryBytes,
    part: 'values',
  });
  const dim = field.dim ?? 0;
  const needDim = () => {
    if (!(dim > 0)) throw new MilvusdmError('MDM_UNSUPPORTED', `${where}: vector field "${field.name}" has no dimension`);
  };
  let parts: PartSpec[];
  switch (field.type) {
    case 'float_vector':
      needDim();
      parts = [row('<f', dim * 4, dim)];
      break;
    case 'binary_vector':
      needDim();
      // The seed's M2H stored binary vectors as uint8 rows; its H2M reads them back so.
      parts = [row('<B', dim / 8, dim / 8)];
      break;
    case 'float16_vector':
    case 'bfloat16_vector':
      // h5wasm cannot create HDF5 half floats: the raw 16-bit patterns, as uint16.
      needDim();
      parts = [row('<H', dim * 2, dim)];
      break;
    case 'int8_vector':
      needDim();
      parts = [row('<b', dim, dim)];
      break;
    case 'sparse_float_vector':
      parts = [
        { name: `${base}.end`, dtype: '<q', width: 0, role: 'end', entryBytes: 8, part: 'end' },
        { name: `${base}.indices`, dtype: '<I', width: 0, role: 'flat', entryBytes: 4, part: 'indices' },
        { name: `${base}.values`, dtype: '<f', width: 0, role: 'flat', entryBytes: 4, part: 'values' },
      ];
      break;
    case 'array': {
      const element = field.elementType ? SCALAR_DTYPE[field.elementType] : undefined;
      if (!element) throw new MilvusdmError('MDM_UNSUPPORTED', `${where}: array field "${field.name}" has no element type milvusdm knows`);
      parts = [
        { name: `${base}.end`, dtype: '<q', width: 0, role: 'end', entryBytes: 8, part: 'end' },
        { name: `${base}.values`, dtype: element[0], width: 0, role: 'flat', entryBytes: element[1], part: 'values' },
      ];
      break;
    }
    default: {
      const scalar = SCALAR_DTYPE[field.type];
      if (!scalar)
        throw new MilvusdmError(
          'MDM_UNSUPPORTED',
          `${where}: field "${field.name}" is of type ${field.type}, which the HDF5 writer cannot store`,
        );
      parts = [row(scalar[0], scalar[1])];
    }
  }
  if (field.nullable) parts.push({ name: `${base}.valid`, dtype: '<B', width: 0, role: 'rows', entryBytes: 1, part: 'valid' });
  return parts;
}

/** Every field the batches carry (auto-id keys excluded, the dynamic `$meta` included), with its datasets. */
export function fileLayout(schema: CollectionSchema, where: string): FieldLayout[] {
  const out: FieldLayout[] = [];
  for (const field of schema.fields) {
    if (field.autoId) continue;
    const base = baseName(field, schema);
    out.push({ name: field.name, type: field.type, field, base, parts: partsOf(field, base, where) });
  }
  if (schema.enableDynamicField) {
    const field: FieldSchema = { name: DYNAMIC_FIELD, type: 'json' };
    out.push({ name: DYNAMIC_FIELD, type: 'json', field, base: DYNAMIC_FIELD, parts: partsOf(field, DYNAMIC_FIELD, where) });
  }
  return out;
}
