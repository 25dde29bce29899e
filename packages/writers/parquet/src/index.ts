import { definePlugin } from '@milvusdm/core';
import { parquetWriterOptions, type ParquetWriterOptions } from './options.js';
import { ParquetSink } from './sink.js';
import { parquetReadBack } from './read-back.js';

export { parquetWriterOptions, type ParquetWriterOptions };
export { arrowSchema, arrowType, arrowBatch, emptyColumns, storedFields, scalarColumns } from './arrow-encode.js';
// The Milvus writer's bulk-import path writes its files with the same encoding (one definition of the layout).
export { writePart, type PartSettings, type Codec } from './part-file.js';

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
