/**
 * Options of the `milvus1x` reader, as they appear under `source:` in a job file. The seed's
 * M2M/M2H jobs map onto `path`, `mysql` (from `mysql_parameter`) and `collections` (from
 * `source_collection`); the rest are additions.
 */
import { z } from '@milvusdm/core';

const port = z.union([z.int().min(1).max(65535), z.string().regex(/^\d+$/).transform(Number)]);

/** The seed's `mysql_parameter` block; anything left out takes Milvus's usual default. */
const mysqlBlock = z.strictObject({
  host: z.string().min(1).optional(),
  port: port.optional(),
  user: z.string().min(1).optional(),
  password: z.union([z.string(), z.number().transform(String)]).optional(),
  database: z.string().min(1).optional(),
  /** Seconds to wait for the MySQL connection. */
  connect_timeout: z.number().positive().max(600).optional(),
});

export const milvus1xReaderOptions = z
  .strictObject({
    /** The Milvus storage path (the folder holding `db/`), or the `db` folder itself. */
    path: z.string().min(1),
    /**
     * Where the meta is kept when it is MySQL: the seed's mysql_parameter block, or the URI
     * Milvus was configured with (mysql://user:password@host:port/database). Absent: SQLite,
     * `<path>/db/meta.sqlite`.
     */
    mysql: z.union([z.string().min(1), mysqlBlock]).optional(),
    /** An SQLite meta file elsewhere than `<path>/db/meta.sqlite` (e.g. a copy with its -wal file). */
    meta_file: z.string().min(1).optional(),
    /**
     * What to read: `all` (default) for every collection, a list of collection names, or
     * `{name: [partition tags]}` where null or [] means every partition and `_default` names the
     * default one.
     */
    collections: z
      .union([z.literal('all'), z.array(z.string().min(1)).min(1), z.record(z.string().min(1), z.array(z.string()).nullish())])
      .default('all'),
    /** Leave out partitions with no live rows, as the seed did (true), or migrate them empty. */
    skip_empty: z.boolean().default(true),
    /** When the meta's row_count of a segment disagrees with its files: warn and trust the files, or fail. */
    row_count_check: z.enum(['warn', 'fail']).default('warn'),
    /** Field names of the ids and the vectors in the schema. */
    id_field: z.string().min(1).default('id'),
    vector_field: z.string().min(1).default('embedding'),
    /** Upper bound of one block read from a segment file. */
    block_bytes: z.int().min(4096).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  })
  .refine((o) => !(o.mysql && o.meta_file), { message: 'give mysql or meta_file, not both', path: ['meta_file'] });

export type Milvus1xReaderOptions = z.output<typeof milvus1xReaderOptions>;
