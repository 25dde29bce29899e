/** Options of the `milvus` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';
import { connectionShape, milvusName } from '@milvusdm/milvus-client';

const METRICS = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'] as const;

export const MODES = ['skip', 'append', 'overwrite', 'upsert'] as const;
export type WriteMode = (typeof MODES)[number];

export const milvusWriterOptions = z.strictObject({
  ...connectionShape,
  collection: milvusName('collection').optional().describe("Target collection (default: the source's collection name)."),
  partition: milvusName('partition')
    .optional()
    .describe("Target partition (default: the source's partition; the default partition for files)."),
  mode: z
    .enum(MODES)
    .default('append')
    .describe(
      'When the target exists: skip it, append rows, overwrite (drop and recreate it, or the named partition), or upsert rows by key (default append).',
    ),
  dim: z
    .int()
    .min(1)
    .optional()
    .describe('Expected vector dimension; the run stops before writing anything if the source differs (default: not checked).'),
  metric: z
    .enum(METRICS)
    .optional()
    .describe("Metric of the vector index (default: the source's metric, else L2, HAMMING for binary vectors)."),
  index: z
    .union([
      z.literal('auto'),
      z.literal(false),
      z.strictObject({
        type: z.string().min(1).describe('Milvus index type, e.g. HNSW, IVF_FLAT, BIN_IVF_FLAT (required).'),
        params: z
          .record(z.string(), z.unknown())
          .optional()
          .describe("Build parameters passed to Milvus as given, e.g. {M: 16, efConstruction: 200} (default: Milvus's own)."),
      }),
    ])
    .default('auto')
    .describe('Index built at the end: `auto` picks one per vector type, false builds none, or {type, params} (default auto).'),
  load: z
    .boolean()
    .default(false)
    .describe(
      'Load the collection into memory at the end, ready to search (default false: rows are verified without loading; loading costs the server real work, about 100 s for 1M × 128 rows on Milvus 2.3).',
    ),
  // Kept below the server's gRPC message limit.
  batch_bytes: z
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe('Upper bound, in bytes, of one insert request (default 16777216, 16 MiB).'),
  concurrency: z.int().min(1).max(16).default(2).describe('Insert requests in flight at once, 1 to 16 (default 2).'),
});

export type MilvusWriterOptions = z.output<typeof milvusWriterOptions>;
