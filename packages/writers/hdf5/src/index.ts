import { definePlugin } from '@milvusdm/core';
import { hdf5WriterOptions, type Hdf5WriterOptions } from './options.js';
import { Hdf5Sink } from './sink.js';
import { hdf5ReadBack } from './read-back.js';

export { hdf5WriterOptions, type Hdf5WriterOptions };

export default definePlugin({
  kind: 'writer',
  name: 'hdf5',
  description:
    'Writes one HDF5 file per collection partition (MilvusDM layout extended to every field) plus the H2M job that loads it back.',
  options: hdf5WriterOptions,
  async open(options: Hdf5WriterOptions, context) {
    return new Hdf5Sink(options, context);
  },
  readBack: (options: Hdf5WriterOptions, dataset, context) => hdf5ReadBack(options, dataset, context),
});
