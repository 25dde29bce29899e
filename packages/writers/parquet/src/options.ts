/** Options of the `parquet` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';

export const parquetWriterOptions = z.strictObject({
  dir: z
    .string()
    .min(1)
    .describe('Output folder: files go to <dir>/<collection>/<partition>/part-00000.parquet, part-00001.parquet, … (required).'),
  existing: z
    .enum(['fail', 'skip', 'overwrite'])
    .default('fail')
    .describe("When a partition's output folder already exists: fail, skip the dataset, or overwrite it (default fail)."),
  file_mb: z
    .int()
    .min(1)
    .default(1024)
    .describe('Start a new part file once the current one holds about this many MB of row data (default 1024).'),
  file_rows: z.int().min(1).optional().describe('Start a new part file once the current one holds this many rows (default: no row limit).'),
  row_group_mb: z
    .int()
    .min(1)
    .max(1024)
    .default(64)
    .describe('Rows per row group, said as about this many MB of row data; memory holds about one row group (default 64).'),
  compression: z
    .enum(['none', 'snappy', 'zstd', 'gzip', 'lz4'])
    .default('snappy')
    .describe('Compression of the column chunks; Milvus bulk import reads every one of these (default snappy).'),
});

export type ParquetWriterOptions = z.output<typeof parquetWriterOptions>;
