/**
 * Where the Milvus writer puts a dataset, as `milvus` reader options: the same server and
 * credentials, the target collection, and the partition it was written into. `milvusdm
 * verify` reads the target back through them. Mirrors the naming in sink.ts `begin`.
 */
import type { DatasetInfo, ReadBackSpec } from '@milvusdm/core';
import type { MilvusWriterOptions } from './options.js';

export function milvusReadBack(options: MilvusWriterOptions, dataset: DatasetInfo): ReadBackSpec {
  const collection = options.collection ?? dataset.collection;
  // A source's default partition is written without a partition name, so it lands in _default;
  // a file source names no partition and is compared with the whole collection.
  const partition = options.partition ?? dataset.partition;
  const connection: Record<string, unknown> = {};
  for (const key of ['uri', 'token', 'user', 'password', 'database', 'tls', 'timeout'] as const) {
    if (options[key] !== undefined) connection[key] = options[key];
  }
  return {
    reader: 'milvus',
    // count_duplicates: a key the server holds twice must show as two rows, not fail the read.
    options: { ...connection, collection, ...(partition !== undefined ? { partitions: [partition] } : {}), count_duplicates: true },
    describe: `milvus collection "${collection}"${partition !== undefined ? ` partition "${partition}"` : ''}`,
  };
}
