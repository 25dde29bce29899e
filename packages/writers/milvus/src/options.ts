/** Options of the `milvus` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';
import { connectionShape, milvusName } from '@milvusdm/milvus-client';
import { importOptionsShape } from './import/options.js';

const METRICS = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE'] as const;

export const MODES = ['skip', 'append', 'overwrite', 'upsert'] as const;
export type WriteMode = (typeof MODES)[number];

export const COUNT_PROOFS = ['auto', 'server', 'acknowledged'] as const;

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
      z.literal('source'),
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
    .default('source')
    .describe(
      "Indexes of a collection this run creates: `source` rebuilds every index the source had (type, metric, parameters), `auto` picks one per vector type, false builds none, or {type, params} for the vector fields (default source; a vector field the source left unindexed gets auto's choice).",
    ),
  load: z
    .boolean()
    .optional()
    .describe(
      'Load the collection into memory at the end, ready to search (default: as the source was; file sources are not loaded. Loading costs the server real work, about 100 s for 1M × 128 rows on Milvus 2.3).',
    ),
  aliases: z
    .boolean()
    .default(true)
    .describe(
      "Point the source collection's aliases at the copy; an alias that points elsewhere on the target is moved only under mode overwrite (default true).",
    ),
  unsupported: z
    .enum(['fail', 'drop'])
    .default('fail')
    .describe(
      'A property or index the target server lacks (a default value, a clustering key, TTL or mmap, a BM25 function, an index type): fail before creating anything, or drop it and say so (default fail; nullable fields and field types cannot be dropped).',
    ),
  // Kept below the server's gRPC message limit.
  rename: z
    .strictObject({
      collections: z
        .record(z.string().min(1), milvusName('collection'))
        .optional()
        .describe('Source collection names to target names, {old: new} (default: the source names).'),
      databases: z
        .record(z.string().min(1), milvusName('database'))
        .optional()
        .describe(
          'Source database names to target names, {old: new}, when the source reads several databases (default: the source names).',
        ),
    })
    .optional()
    .describe('Names mapped on the way: collections, and databases when the source reads several (source.databases).'),
  batch_bytes: z
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe('Upper bound, in bytes, of one insert request (default 16777216, 16 MiB).'),
  concurrency: z
    .union([z.literal('auto'), z.int().min(1).max(16)], { error: 'expected a whole number from 1 to 16, or auto' })
    .default(2)
    .describe(
      'Insert requests in flight at once: 1 to 16, or `auto` to follow how fast the server acknowledges them (2 to 8 requests, at most 64 MiB of them; for a server across a slow link) (default 2).',
    ),
  count: z
    .enum(COUNT_PROOFS)
    .default('auto')
    .describe(
      "How the rows written are proven at the end: `server` counts them on the server; `acknowledged` adds up the server's acknowledgements where they prove the count (a collection this run created, keys unique, nothing upserted), else counts on the server; `auto` is `acknowledged` on Milvus Lite 3.x, whose every count reads each row and its vectors, and `server` elsewhere (default auto).",
    ),
  // method, import_min_rows, import_file_rows, storage: Milvus's own bulk import (import/options.ts).
  ...importOptionsShape,
});

export type MilvusWriterOptions = z.output<typeof milvusWriterOptions>;
