/**
 * @milvusdm/reader-milvus-files: the `milvus1x` reader. Reads a stopped Milvus 0.10/1.x data
 * directory (segment files + SQLite or MySQL meta) without a 1.x server.
 */
import { definePlugin } from '@milvusdm/core';
import { inspectMilvus1x } from './inspect.js';
import { milvus1xReaderOptions, type Milvus1xReaderOptions } from './options.js';
import { openMilvus1x } from './source.js';

export { milvus1xReaderOptions, type Milvus1xReaderOptions };
export { Milvus1xDataset, type Milvus1xCursor } from './dataset.js';
export { inspectMilvus1x, MYSQL_URI_ENV } from './inspect.js';
export { openMilvus1x } from './source.js';

export default definePlugin({
  kind: 'reader',
  name: 'milvus1x',
  description: 'Reads a stopped Milvus 0.10/1.x data directory (segment files, SQLite or MySQL meta): live rows only, partitions kept.',
  options: milvus1xReaderOptions,
  open: openMilvus1x,
  inspect: inspectMilvus1x,
});
