/** Options of the `faiss` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';

export const faissReaderOptions = z.strictObject({
  path: z.string().min(1).describe('The index file, as written by faiss.write_index or write_index_binary (required).'),
  // Off by default: SQ / PQ indexes keep quantized codes, so what would arrive in Milvus would
  // not be the vectors that were indexed.
  allow_lossy: z
    .boolean()
    .default(false)
    .describe("Migrate Faiss's reconstruction of SQ / PQ codes instead of refusing a lossy index (default false)."),
  metric: z
    .enum(['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'])
    .optional()
    .describe(
      "Metric to announce instead of the file's (default: IP for Faiss metric 0, L2 for 1, HAMMING for binary indexes); also lets an L1 / Linf index be migrated.",
    ),
  collection: z.string().min(1).optional().describe('Name of the source collection (default: the file name without extension).'),
  partition: z
    .string()
    .min(1)
    .optional()
    .describe('Partition the rows belong to, carried to the target (default: none, the default partition).'),
  id_field: z.string().min(1).default('id').describe('Name of the int64 primary-key field in the announced schema (default `id`).'),
  vector_field: z.string().min(1).default('embedding').describe('Name of the vector field in the announced schema (default `embedding`).'),
  // Faiss's IO_FLAG_ONDISK_SAME_DIR does the same fallback to the index's folder.
  data_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Data file of on-disk inverted lists (`ilod`) (default: the path stored in the index, else a file of that name next to the index).',
    ),
});

export type FaissReaderOptions = z.output<typeof faissReaderOptions>;
