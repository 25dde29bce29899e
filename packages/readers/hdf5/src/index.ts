import { definePlugin } from '@milvusdm/core';
import { hdf5ReaderOptions, type Hdf5ReaderOptions } from './options.js';
import { expandPaths } from './paths.js';
import { inspectHdf5 } from './inspect.js';
import { Hdf5Dataset, Hdf5Source, groupFiles, planFiles } from './source.js';

export { hdf5ReaderOptions, type Hdf5ReaderOptions };

export default definePlugin({
  kind: 'reader',
  name: 'hdf5',
  description: 'Reads HDF5 files: every field of files milvusdm wrote, vectors and ids of MilvusDM and ann-benchmarks layouts.',
  options: hdf5ReaderOptions,
  async open(options: Hdf5ReaderOptions, context) {
    const paths = await expandPaths(Array.isArray(options.path) ? options.path : [options.path], context.baseDir);
    const files = await planFiles(paths, options);
    const datasets = groupFiles(files, options).map((group) => new Hdf5Dataset(group, options));
    for (const dataset of datasets) context.logger.info(`${dataset.origin}: ${dataset.rows} rows`);
    return new Hdf5Source(
      datasets,
      files.map((f) => f.path),
    );
  },
  inspect: (target) => inspectHdf5(target),
});
