/** Options of the `hdf5` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';

export const hdf5ReaderOptions = z.strictObject({
  path: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .describe('A file, a folder (every .h5/.hdf5 file in it), a glob, or a list of these (required).'),
  vectors: z.string().min(1).optional().describe("Dataset holding the vectors (default `embeddings`, else ann-benchmarks' `train`)."),
  ids: z
    .union([z.string().min(1), z.literal(false)])
    .optional()
    .describe('Dataset holding int64 ids (default `ids` when present); false ignores ids and lets Milvus assign them.'),
  vector_type: z
    .enum(['auto', 'float', 'binary'])
    .default('auto')
    .describe(
      'How to read the vectors: float (float16/32/64 and integers as float32), binary (uint8 rows or fixed-length byte strings, dimension in bits), or auto by the data type (default auto).',
    ),
  collection: z.string().min(1).optional().describe("Name of the source collection (default: the first file's name without extension)."),
  partition: z
    .string()
    .min(1)
    .optional()
    .describe('Partition the rows belong to at the source, carried to the target (default: none, the default partition).'),
  id_field: z
    .string()
    .min(1)
    .optional()
    .describe('Name of the int64 primary-key field in the announced schema (default `id`; files with a schema attribute name their own).'),
  vector_field: z
    .string()
    .min(1)
    .optional()
    .describe('Name of the vector field in the announced schema (default `embedding`; files with a schema attribute name their own).'),
  file_schema: z
    .boolean()
    .default(true)
    .describe(
      'Read files milvusdm wrote (schema in the `milvusdm_schema` attribute) as their schema says: every field, its type and properties, collection and partition (default true); false reads only ids and one vector dataset, as MilvusDM did.',
    ),
  metric: z
    .enum(['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'])
    .optional()
    .describe(
      "Metric of the vectors when the file does not say (ann-benchmarks files do) (default: none announced; the writer's default applies).",
    ),
});

export type Hdf5ReaderOptions = z.output<typeof hdf5ReaderOptions>;
