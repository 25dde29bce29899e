/** Options of the `milvus` reader, as they appear under `source:` in a job file. */
import { z } from '@milvusdm/core';
import { connectionShape, milvusName } from '@milvusdm/milvus-client';

export const milvusReaderOptions = z
  .strictObject({
    ...connectionShape,
    collection: milvusName('collection').optional().describe('The collection to read (this, or collections).'),
    collections: z
      .union([z.array(milvusName('collection')).min(1), z.literal('*')])
      .optional()
      .describe("Several collections to read, in this order, or '*' for every collection of the database (this, or collection)."),
    partitions: z
      .array(milvusName('partition'))
      .min(1)
      .optional()
      .describe('Partitions to read, each a dataset of its own (default: every partition); with one collection only.'),
    page_rows: z
      .int()
      .min(1)
      .max(16_384)
      .default(10_000)
      .describe("Rows per query, at most 16384 (Milvus's query window); lowered for wide rows (default 10000)."),
    // Milvus 2.3 keeps several rows under one key on insert, counts them all but returns one;
    // `milvusdm verify` turns this on to name the duplicated keys.
    count_duplicates: z
      .boolean()
      .default(false)
      .describe('Yield a row held several times under one key as often as the server counts it, instead of failing (default false).'),
  })
  .superRefine((o, ctx) => {
    if ((o.collection === undefined) === (o.collections === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['collection'], message: 'name either collection or collections' });
    }
    if (o.partitions && o.collections !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['partitions'], message: 'partitions can be chosen for one collection only' });
    }
  });

export type MilvusReaderOptions = z.output<typeof milvusReaderOptions>;
