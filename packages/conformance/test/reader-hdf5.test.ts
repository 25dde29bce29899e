/**
 * The HDF5 reader against @milvusdm/plugin-kit's conformance suite. Its input files are written
 * by the HDF5 writer (checked against h5py in its own tests) in MilvusDM's layout.
 */
import { join } from 'node:path';
import { runJob, silentLogger } from '@milvusdm/core';
import { memoryReader, testReader } from '@milvusdm/plugin-kit';
import hdf5Writer from '@milvusdm/writer-hdf5';
import hdf5Reader from '@milvusdm/reader-hdf5';

for (const vector of [
  { name: 'embedding', type: 'float_vector' as const, dim: 16, metric: 'L2' as const },
  { name: 'embedding', type: 'binary_vector' as const, dim: 64, metric: 'HAMMING' as const },
]) {
  testReader(hdf5Reader, {
    schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }, vector] },
    async write({ dir, dataset }) {
      const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} };
      // The generated rows, replayed into a file by the HDF5 writer.
      await runJob({
        reader: memoryReader([dataset]),
        readerOptions: {},
        writer: hdf5Writer,
        writerOptions: { dir, h2m_yaml: false },
        run: { batchRows: 1000, prefetch: 1 },
        context,
      });
      return { path: join(dir, 'data', '_default.h5'), vector_type: vector.type === 'binary_vector' ? 'binary' : 'float' };
    },
    badOptions: (dir) => ({ path: join(dir, 'missing.h5') }),
  });
}
