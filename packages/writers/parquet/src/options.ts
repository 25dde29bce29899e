/** Options of the `parquet` writer, as they appear under `target:` in a job file. */
import { z } from '@milvusdm/core';

export const parquetWriterOptions = z.strictObject({
  dir: z
    .string()
    .min(1)
    .describe(
      'Output folder: files go to <dir>/<collection>/<partition>/part-00000.parquet, part-00001.parquet, … (<dir>/<database>/… when the source reads several databases) (required).',
    ),
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
    // 16 rather than Parquet's customary 64-128: parquet-wasm's memory grows to a few row groups
    // and is never returned; a 1M x 128 HDF5 -> Parquet run peaked at 410 MiB with 16, 660 with 64,
    // in no more time (bench/README.md, "Parquet row groups").
    .default(16)
    .describe('Rows per row group, said as about this many MB of row data; memory holds about one row group (default 16).'),
  compression: z
    .enum(['none', 'snappy', 'zstd', 'gzip', 'lz4'])
    .default('snappy')
    .describe('Compression of the column chunks; Milvus bulk import reads every one of these (default snappy).'),
});

export type ParquetWriterOptions = z.output<typeof parquetWriterOptions>;
