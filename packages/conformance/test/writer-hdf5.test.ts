/**
 * The HDF5 writer against @milvusdm/plugin-kit's conformance suite; what it wrote is read back
 * through the HDF5 reader (itself checked against h5py-written files in its own tests).
 */
import { join } from 'node:path';
import { concatBatches, testWriter } from '@milvusdm/plugin-kit';
import hdf5Reader from '@milvusdm/reader-hdf5';
import { silentLogger, type ColumnBatch } from '@milvusdm/core';
import hdf5Writer from '@milvusdm/writer-hdf5';

const schema = {
  fields: [
    { name: 'id', type: 'int64' as const, isPrimaryKey: true },
    { name: 'embedding', type: 'float_vector' as const, dim: 16, metric: 'L2' as const },
  ],
};

testWriter(hdf5Writer, {
  schema,
  options: ({ dir }) => ({ dir, h2m_yaml: false }),
  async readBack({ dir, key }) {
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} };
    const source = await hdf5Reader.open(hdf5Reader.options.parse({ path: join(dir, key, '_default.h5') }), context);
    try {
      const batches: ColumnBatch[] = [];
      for await (const b of source.datasets[0]!.batches({ batchRows: 1000 })) batches.push(b);
      return concatBatches(batches);
    } finally {
      await source.close();
    }
  },
  // A file where the output folder should be: nothing can be created under it.
  badOptions: () => ({ dir: '/dev/null/not-a-folder' }),
});
