/**
 * Where the HDF5 writer puts a dataset, as `hdf5` reader options: the file
 * `<dir>/<collection>/<partition>.h5` (the same naming as sink.ts `begin`). The file states its
 * schema, so the hdf5 reader shows every field under the source's names.
 */
import { join, resolve } from 'node:path';
import { type ChannelContext, type DatasetInfo, type ReadBackSpec } from '@milvusdm/core';
import type { Hdf5WriterOptions } from './options.js';

const SAFE = /[^A-Za-z0-9_.-]/g;

export function hdf5OutputPath(options: Hdf5WriterOptions, dataset: DatasetInfo, baseDir: string): string {
  const partition = dataset.partition ?? '_default';
  return join(resolve(baseDir, options.dir), dataset.collection.replace(SAFE, '_'), `${partition.replace(SAFE, '_')}.h5`);
}

export function hdf5ReadBack(options: Hdf5WriterOptions, dataset: DatasetInfo, context: ChannelContext): ReadBackSpec {
  const path = hdf5OutputPath(options, dataset, context.baseDir);
  return {
    reader: 'hdf5',
    options: {
      path,
      collection: dataset.collection,
      ...(dataset.partition ? { partition: dataset.partition } : {}),
    },
    describe: `file ${path}`,
  };
}
