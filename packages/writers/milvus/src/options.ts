/** Options of the `milvus` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';
import { connectionShape, milvusName } from '@milvusdm/milvus-client';

const METRICS = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'] as const;

export const MODES = ['skip', 'append', 'overwrite', 'upsert'] as const;
export type WriteMode = (typeof MODES)[number];

export const milvusWriterOptions = z.strictObject({
  ...connectionShape,
  /** Target collection; defaults to the source's collection name. */
  collection: milvusName('collection').optional(),
  /** Target partition; defaults to the source's partition (the default partition for files). */
  partition: milvusName('partition').optional(),
  /**
   * What to do when the target exists. skip: leave it and skip the data; append: add rows;
   * overwrite: drop and recreate it (the partition, when one is named); upsert: replace rows by key.
   */
  mode: z.enum(MODES).default('append'),
  /** Expected vector dimension: the run stops before writing anything if the source differs. */
  dim: z.int().min(1).optional(),
  /** Metric of the vector index; defaults to the source's metric, else L2 (HAMMING for binary). */
  metric: z.enum(METRICS).optional(),
  /** Index built at the end: `auto` picks one per vector type; false builds none. */
  index: z
    .union([
      z.literal('auto'),
      z.literal(false),
      z.strictObject({ type: z.string().min(1), params: z.record(z.string(), z.unknown()).optional() }),
    ])
    .default('auto'),
  /** Load the collection into memory at the end, ready to search. */
  load: z.boolean().default(false),
  /** Upper bound of one insert request; stays below the server's gRPC message limit. */
  batch_bytes: z.int().min(1024).max(512 * 1024 * 1024).default(16 * 1024 * 1024),
  /** Insert requests in flight at once. */
  concurrency: z.int().min(1).max(16).default(2),
});

export type MilvusWriterOptions = z.output<typeof milvusWriterOptions>;
