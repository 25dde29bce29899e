/**
 * Where the HDF5 writer puts a dataset, as `hdf5` reader options: the file
 * `<dir>/<collection>/<partition>.h5` (the same naming as sink.ts `begin`), with the key and
 * vector read back under the source's field names. The hdf5 reader shows ids and one vector
 * field only; other fields are reported as not compared.
 */
import { join, resolve } from 'node:path';
import { primaryField, vectorFields, type ChannelContext, type DatasetInfo, type ReadBackSpec } from '@milvusdm/core';
import type { Hdf5WriterOptions } from './options.js';

const SAFE = /[^A-Za-z0-9_.-]/g;

export function hdf5OutputPath(options: Hdf5WriterOptions, dataset: DatasetInfo, baseDir: string): string {
  const partition = dataset.partition ?? '_default';
  return join(resolve(baseDir, options.dir), dataset.collection.replace(SAFE, '_'), `${partition.replace(SAFE, '_')}.h5`);
}

export function hdf5ReadBack(options: Hdf5WriterOptions, dataset: DatasetInfo, context: ChannelContext): ReadBackSpec {
  const path = hdf5OutputPath(options, dataset, context.baseDir);
  const pk = primaryField(dataset.schema);
  const vector = vectorFields(dataset.schema)[0];
  return {
    reader: 'hdf5',
    options: {
      path,
      collection: dataset.collection,
      ...(dataset.partition ? { partition: dataset.partition } : {}),
      ...(pk ? { id_field: pk.name } : {}),
      ...(vector ? { vector_field: vector.name, vector_type: vector.type === 'binary_vector' ? 'binary' : 'float' } : {}),
    },
    describe: `file ${path}`,
  };
}
