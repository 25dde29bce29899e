/**
 * Deterministic test data for every field type: the values are a function of the row number
 * and the seed, and include the edges that break careless code (int64 beyond 2^53 and its
 * extremes, negative zero, subnormal floats, multi-byte text, empty strings, null rows).
 */
import type { Column, ColumnBatch, CollectionSchema, FieldSchema, FieldType } from '@milvusdm/core';

/** The field types `generateBatch` can produce (every type of the plugin contract). */
export const ALL_FIELD_TYPES: readonly FieldType[] = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'double',
  'varchar',
  'json',
  'array',
  'float_vector',
  'binary_vector',
  'float16_vector',
  'bfloat16_vector',
  'int8_vector',
  'sparse_float_vector',
];

/** A schema with an int64 primary key `id` and one field per type, named `f_<type>`. */
export function schemaFor(types: readonly FieldType[], dim = 8): CollectionSchema {
  const fields: FieldSchema[] = [{ name: 'id', type: 'int64', isPrimaryKey: true }];
  for (const type of types) {
    if (type === 'int64' && fields.length === 1) continue;
    const name = `f_${type}`;
    if (type.endsWith('_vector') && type !== 'sparse_float_vector') {
      fields.push({ name, type, dim: type === 'binary_vector' ? dim * 8 : dim, metric: type === 'binary_vector' ? 'HAMMING' : 'L2' });
    } else if (type === 'varchar') fields.push({ name, type, maxLength: 64 });
    else if (type === 'array') fields.push({ name, type, elementType: 'int32', maxCapacity: 4 });
    else fields.push({ name, type });
  }
  return { fields };
}

/** A small, fast, reproducible generator (mulberry32): the same seed gives the same rows everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEXT = ['', 'a', 'plain text', 'ümlaut', '漢字', 'emoji 🚀', 'quote " and , comma', 'x'.repeat(60)];
const INT64_EDGES = [0n, 1n, -1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 2n];

/** `rows * per` values, each row's drawn from its own stream: a row is the same whichever batch holds it. */
function perRow<T>(rows: number, per: number, start: number, rng: (row: number) => () => number, value: (next: () => number) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i < rows; i++) {
    const next = rng(start + i);
    for (let j = 0; j < per; j++) out.push(value(next));
  }
  return out;
}

function column(field: FieldSchema, start: number, rows: number, rng: (row: number) => () => number): Column {
  const dim = field.dim ?? 0;
  const at = (i: number) => start + i;
  const one = (i: number) => rng(at(i))();
  switch (field.type) {
    case 'bool':
      return { type: 'bool', values: Uint8Array.from({ length: rows }, (_, i) => (at(i) % 3 === 0 ? 1 : 0)) };
    case 'int8':
      return { type: 'int8', values: Int8Array.from({ length: rows }, (_, i) => ((at(i) * 37) % 256) - 128) };
    case 'int16':
      return { type: 'int16', values: Int16Array.from({ length: rows }, (_, i) => ((at(i) * 7919) % 65536) - 32768) };
    case 'int32':
      return { type: 'int32', values: Int32Array.from({ length: rows }, (_, i) => (at(i) * 2654435761) | 0) };
    case 'int64':
      // Primary keys must be unique: the row number spread beyond 2^53, edges first.
      return {
        type: 'int64',
        values: BigInt64Array.from({ length: rows }, (_, i) =>
          field.isPrimaryKey ? BigInt(at(i)) * 9_007_199_254_740_993n - 2n ** 62n : INT64_EDGES[at(i) % INT64_EDGES.length]!,
        ),
      };
    case 'float':
      return {
        type: 'float',
        values: Float32Array.from({ length: rows }, (_, i) => (at(i) % 5 === 1 ? -0 : at(i) % 5 === 2 ? 1e-40 : (one(i) - 0.5) * 1e6)),
      };
    case 'double':
      return {
        type: 'double',
        values: Float64Array.from({ length: rows }, (_, i) => (at(i) % 4 === 1 ? Number.MAX_VALUE : (one(i) - 0.5) * 1e300)),
      };
    case 'varchar':
      return { type: 'varchar', values: Array.from({ length: rows }, (_, i) => `${TEXT[at(i) % TEXT.length]}${at(i)}`) };
    case 'json':
      return {
        type: 'json',
        values: Array.from({ length: rows }, (_, i) =>
          JSON.stringify({ row: at(i), tag: TEXT[at(i) % TEXT.length], list: [at(i) % 3, null] }),
        ),
      };
    case 'array':
      return { type: 'array', values: Array.from({ length: rows }, (_, i) => Array.from({ length: at(i) % 4 }, (_, j) => at(i) * 10 + j)) };
    case 'float_vector':
      return { type: 'float_vector', dim, values: Float32Array.from(perRow(rows, dim, start, rng, (next) => (next() - 0.5) * 2)) };
    case 'binary_vector':
      return { type: 'binary_vector', dim, values: Uint8Array.from(perRow(rows, dim / 8, start, rng, (next) => Math.floor(next() * 256))) };
    case 'float16_vector':
    case 'bfloat16_vector':
      // Finite bit patterns only (exponent below all-ones), so every reader can round-trip them.
      return {
        type: field.type,
        dim,
        values: Uint16Array.from(perRow(rows, dim, start, rng, (next) => Math.floor(next() * 0x7800) | (next() < 0.5 ? 0x8000 : 0))),
      };
    case 'int8_vector':
      return { type: 'int8_vector', dim, values: Int8Array.from(perRow(rows, dim, start, rng, (next) => Math.floor(next() * 256) - 128)) };
    case 'sparse_float_vector':
      return {
        type: 'sparse_float_vector',
        values: Array.from({ length: rows }, (_, i) => {
          const n = 1 + (at(i) % 4);
          const next = rng(at(i));
          return {
            indices: Uint32Array.from({ length: n }, (_, j) => j * 1000 + (at(i) % 997)),
            values: Float32Array.from({ length: n }, () => next()),
          };
        }),
      };
  }
}

/** Rows [start, start + rows) of a dataset with `schema`; the same for the same seed, wherever asked. */
export function generateBatch(schema: CollectionSchema, rows: number, options: { start?: number; seed?: number } = {}): ColumnBatch {
  const start = options.start ?? 0;
  const columns = new Map<string, Column>();
  for (const [index, field] of schema.fields.entries()) {
    if (field.autoId) continue;
    // One stream per field and row: batches generated separately equal one generated whole.
    const seed = (options.seed ?? 1) * 7919 + index * 104729;
    const values = column(field, start, rows, (row) => random(seed + row * 2654435761));
    columns.set(
      field.name,
      field.nullable ? { ...values, valid: Uint8Array.from({ length: rows }, (_, i) => ((start + i) % 4 === 3 ? 0 : 1)) } : values,
    );
  }
  return { numRows: rows, columns };
}
