/** Options of the `parquet` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';

const FIELD_TYPES = [
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
] as const;

export const parquetReaderOptions = z.strictObject({
  path: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('A .parquet file, a folder (every .parquet file under it, sub-folders included), a glob, or a list of these (required).'),
  collection: z
    .string()
    .min(1)
    .optional()
    .describe('Collection the rows belong to (default: the one stored in files milvusdm wrote, else the first file or folder name).'),
  partition: z
    .string()
    .min(1)
    .optional()
    .describe('Partition the rows belong to (default: the one stored in files milvusdm wrote, else none: the default partition).'),
  primary_key: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Files without a milvusdm schema: the int64 or string column holding the primary key (default `id` when there is one; else Milvus assigns keys).',
    ),
  field_types: z
    .record(z.string().min(1), z.enum(FIELD_TYPES))
    .optional()
    .describe(
      'Files without a milvusdm schema: the Milvus type of columns whose Arrow type is ambiguous, e.g. { emb: float16_vector } for a list<uint8> of half floats, { doc: json } for a string column (default: inferred).',
    ),
  nullable: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'Files without a milvusdm schema: the columns that may hold nulls (default none; a null elsewhere stops the run naming the row).',
    ),
});

export type ParquetReaderOptions = z.output<typeof parquetReaderOptions>;
