/**
 * Where the Parquet writer puts a dataset, as `parquet` reader options: the dataset's folder
 * (the same naming as the sink), read back with the schema stored in its files.
 */
import type { ChannelContext, DatasetInfo, ReadBackSpec } from '@milvusdm/core';
import { datasetFolder } from './layout.js';
import type { ParquetWriterOptions } from './options.js';

export function parquetReadBack(options: ParquetWriterOptions, dataset: DatasetInfo, context: ChannelContext): ReadBackSpec {
  const path = datasetFolder(options.dir, context.baseDir, dataset);
  return {
    reader: 'parquet',
    options: { path, collection: dataset.collection, ...(dataset.partition ? { partition: dataset.partition } : {}) },
    describe: `folder ${path}`,
  };
}
