/** Options of the `milvus` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';
import { connectionShape, milvusName } from '@milvusdm/milvus-client';

export const milvusReaderOptions = z.strictObject({
  ...connectionShape,
  collection: milvusName('collection'),
  /** Partitions to read, each a dataset of its own; default: every partition. */
  partitions: z.array(milvusName('partition')).min(1).optional(),
  /** Rows per query, at most 16384 (Milvus's query window); lowered for wide rows. */
  page_rows: z.int().min(1).max(16_384).default(10_000),
  /**
   * Where the server holds several rows under one key (Milvus 2.3 keeps them on insert) it
   * counts them all but returns one: yield that row as often as it is counted instead of
   * failing. Used by `milvusdm verify` to name duplicated keys; off for migrations.
   */
  count_duplicates: z.boolean().default(false),
});

export type MilvusReaderOptions = z.output<typeof milvusReaderOptions>;
