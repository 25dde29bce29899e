/**
 * The Parquet writer against @milvusdm/plugin-kit's conformance suite, every field type
 * milvusdm carries; what it wrote is read back through the Parquet reader (itself checked
 * against pyarrow-written files in its own tests).
 */
import { concatBatches, ALL_FIELD_TYPES, schemaFor, testWriter } from '@milvusdm/plugin-kit';
import parquetReader from '@milvusdm/reader-parquet';
import { silentLogger, type ColumnBatch, type CollectionSchema } from '@milvusdm/core';
import parquetWriter from '@milvusdm/writer-parquet';
import { join } from 'node:path';

// Nulls are covered by the writer's own tests: the suite compares values even in null rows,
// which Parquet does not store.
const schema: CollectionSchema = schemaFor(ALL_FIELD_TYPES);

testWriter(parquetWriter, {
  schema,
  options: ({ dir }) => ({ dir, file_rows: 100 }),
  async readBack({ dir, key }) {
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} };
    const source = await parquetReader.open(parquetReader.options.parse({ path: join(dir, key, '_default') }), context);
    try {
      const batches: ColumnBatch[] = [];
      for await (const b of source.datasets[0]!.batches({ batchRows: 1000 })) batches.push(b);
      return concatBatches(batches);
    } finally {
      await source.close();
    }
  },
  // A file where the output folder should be: nothing can be created under it.
  badOptions: () => ({ dir: '/dev/null/not-a-folder' }),
});
