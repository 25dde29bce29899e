import { definePlugin } from '@milvusdm/core';
import { parquetReaderOptions, type ParquetReaderOptions } from './options.js';
import { expandPaths } from './paths.js';
import { inspectParquet } from './inspect.js';
import { ParquetSource, groupFiles, planFile } from './source.js';

export { parquetReaderOptions, type ParquetReaderOptions };

export default definePlugin({
  kind: 'reader',
  name: 'parquet',
  description: 'Reads Parquet files: those milvusdm wrote with their exact schema, others with types inferred from the Arrow schema.',
  options: parquetReaderOptions,
  async open(options: ParquetReaderOptions, context) {
    const paths = await expandPaths(Array.isArray(options.path) ? options.path : [options.path], context.baseDir);
    const files = [];
    for (const path of paths) files.push(await planFile(path, options));
    const datasets = groupFiles(files, options);
    for (const d of datasets) context.logger.info(`${d.origin}: ${d.rows} rows`);
    return new ParquetSource(datasets, paths);
  },
  inspect: (target) => inspectParquet(target),
});
