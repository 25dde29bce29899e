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
    databases: z
      .union([z.array(milvusName('database')).min(1), z.literal('*')])
      .optional()
      .describe(
        "Read several databases, or '*' for every database, each with its collections (collections, default '*'); the milvus writer writes each into its own database (not with database or collection).",
      ),
    partitions: z
      .array(milvusName('partition'))
      .min(1)
      .optional()
      .describe('Partitions to read, each a dataset of its own (default: every partition); with one collection only.'),
    filter: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Copy only the rows this Milvus expression matches, in the source\'s field names (e.g. "year >= 2020"); the server evaluates it. {name} stands for filter_values.name (default: every row).',
      ),
    filter_values: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
        z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))]),
      )
      .optional()
      .describe(
        'Values for {name} in filter, each written as a literal (strings quoted and escaped), so no value can change the expression.',
      ),
    fields: z
      .record(z.string().min(1), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a field name: letters, digits and _, not first a digit'))
      .optional()
      .describe('Rename fields on the way: {old: new}; indexes, functions and keys follow (default: names kept).'),
    drop: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Fields to leave out (never read from the server); a function whose input or output is dropped goes with its output fields.',
      ),
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
    changes: z
      .enum(['fail', 'allow'])
      .default('fail')
      .describe(
        'Rows written or deleted while a collection is read: fail the read (default), or allow them, each key range read as it stands when fetched, so rows written meanwhile may be partly included (milvusdm dump allows them and records the counts before and after).',
      ),
  })
  .superRefine((o, ctx) => {
    if (o.databases !== undefined) {
      if (o.database !== undefined) ctx.addIssue({ code: 'custom', path: ['databases'], message: 'name either database or databases' });
      if (o.collection !== undefined || o.partitions) {
        ctx.addIssue({
          code: 'custom',
          path: ['databases'],
          message: 'several databases are read with collections (default every collection)',
        });
      }
    } else if ((o.collection === undefined) === (o.collections === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['collection'], message: 'name either collection or collections' });
    }
    if (o.partitions && o.collections !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['partitions'], message: 'partitions can be chosen for one collection only' });
    }
  });

export type MilvusReaderOptions = z.output<typeof milvusReaderOptions>;
