/**
 * Options of the `milvus1x` reader, as they appear under `source:` in a job file. The seed's
 * M2M/M2H jobs map onto `path`, `mysql` (from `mysql_parameter`) and `collections` (from
 * `source_collection`); the rest are additions.
 */
import { z } from '@milvusdm/core';

const port = z.union([z.int().min(1).max(65535), z.string().regex(/^\d+$/).transform(Number)]);

/** The seed's `mysql_parameter` block; anything left out takes Milvus's usual default. */
const mysqlBlock = z.strictObject({
  host: z.string().min(1).optional().describe('MySQL host (default 127.0.0.1).'),
  port: port.optional().describe('MySQL port (default 3306).'),
  user: z.string().min(1).optional().describe('MySQL user (default root).'),
  password: z
    .union([z.string(), z.number().transform(String)])
    .optional()
    .describe('MySQL password (default empty); never logged.'),
  database: z.string().min(1).optional().describe('MySQL database holding the meta tables (default milvus).'),
  connect_timeout: z.number().positive().max(600).optional().describe('Seconds to wait for the MySQL connection (default 10).'),
});

export const milvus1xReaderOptions = z
  .strictObject({
    path: z.string().min(1).describe('The Milvus 1.x storage path (the folder holding `db/`), or the `db` folder itself (required).'),
    /**
     * Where the meta is kept when it is MySQL: the seed's mysql_parameter block, or the URI
     * Milvus was configured with (mysql://user:password@host:port/database). Absent: SQLite,
     * `<path>/db/meta.sqlite`.
     */
    mysql: z
      .union([z.string().min(1), mysqlBlock])
      .optional()
      .describe(
        "MySQL meta: the seed's mysql_parameter block or a mysql://user:password@host:port/database URI (default: none, SQLite at <path>/db/meta.sqlite).",
      ),
    meta_file: z
      .string()
      .min(1)
      .optional()
      .describe('An SQLite meta file elsewhere than <path>/db/meta.sqlite, e.g. a copy with its -wal file (default: that path).'),
    /**
     * What to read: `all` (default) for every collection, a list of collection names, or
     * `{name: [partition tags]}` where null or [] means every partition and `_default` names the
     * default one.
     */
    collections: z
      .union([z.literal('all'), z.array(z.string().min(1)).min(1), z.record(z.string().min(1), z.array(z.string()).nullish())])
      .default('all')
      .describe(
        'What to read: `all`, a list of collection names, or {name: [partition tags]} where null or [] means every partition and `_default` the default one (default all).',
      ),
    skip_empty: z
      .boolean()
      .default(true)
      .describe('Leave out partitions with no live rows, as the seed did, instead of migrating them empty (default true).'),
    row_count_check: z
      .enum(['warn', 'fail'])
      .default('warn')
      .describe("When a segment's row_count in the meta disagrees with its files: warn and trust the files, or fail (default warn)."),
    id_field: z.string().min(1).default('id').describe('Name of the int64 primary-key field in the announced schema (default `id`).'),
    vector_field: z
      .string()
      .min(1)
      .default('embedding')
      .describe('Name of the vector field in the announced schema (default `embedding`).'),
    block_bytes: z
      .int()
      .min(4096)
      .max(1024 * 1024 * 1024)
      .default(64 * 1024 * 1024)
      .describe('Upper bound, in bytes, of one block read from a segment file (default 67108864, 64 MiB).'),
  })
  .refine((o) => !(o.mysql && o.meta_file), { message: 'give mysql or meta_file, not both', path: ['meta_file'] });

export type Milvus1xReaderOptions = z.output<typeof milvus1xReaderOptions>;
