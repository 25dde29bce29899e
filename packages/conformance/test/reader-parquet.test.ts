/**
 * The Parquet reader against @milvusdm/plugin-kit's conformance suite, for every field type
 * milvusdm carries. Its input files are written by the Parquet writer
 * (checked against pyarrow in its own tests).
 */
import { join } from 'node:path';
import { runJob, silentLogger, type CollectionSchema } from '@milvusdm/core';
import { ALL_FIELD_TYPES, memoryReader, schemaFor, testReader } from '@milvusdm/plugin-kit';
import parquetWriter from '@milvusdm/writer-parquet';
import parquetReader from '@milvusdm/reader-parquet';

// Nulls are covered by the reader's own tests: the suite compares values even in null rows,
// which Parquet does not store.
const schema: CollectionSchema = schemaFor(ALL_FIELD_TYPES);

testReader(parquetReader, {
  schema,
  async write({ dir, dataset }) {
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} };
    // The generated rows, replayed into part files by the Parquet writer (small files: several parts).
    await runJob({
      reader: memoryReader([dataset]),
      readerOptions: {},
      writer: parquetWriter,
      writerOptions: { dir, file_rows: 100 },
      run: { batchRows: 50, prefetch: 1 },
      context,
    });
    return { path: join(dir, 'data', '_default') };
  },
  badOptions: (dir) => ({ path: join(dir, 'missing.parquet') }),
});
