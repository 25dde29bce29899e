import { definePlugin } from '@milvusdm/core';
import { parquetWriterOptions, type ParquetWriterOptions } from './options.js';
import { ParquetSink } from './sink.js';
import { parquetReadBack } from './read-back.js';

export { parquetWriterOptions, type ParquetWriterOptions };
export { arrowSchema, arrowType } from './arrow-encode.js';

export default definePlugin({
  kind: 'writer',
  name: 'parquet',
  description: 'Writes Parquet files in the layout Milvus bulk import reads: <dir>/<collection>/<partition>/part-NNNNN.parquet.',
  options: parquetWriterOptions,
  async open(options: ParquetWriterOptions, context) {
    return new ParquetSink(options, context);
  },
  readBack: (options: ParquetWriterOptions, dataset, context) => parquetReadBack(options, dataset, context),
});
