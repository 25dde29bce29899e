/**
 * The Milvus writer against @milvusdm/plugin-kit's conformance suite, on the real Milvus Lite
 * test server: every scalar type Milvus Lite stores, JSON, arrays and float vectors. What it
 * wrote is read back through the Milvus reader (checked against pymilvus in its own tests).
 */
import { inject } from 'vitest';
import { concatBatches, testWriter } from '@milvusdm/plugin-kit';
import milvusReader from '@milvusdm/reader-milvus';
import { silentLogger, type ColumnBatch } from '@milvusdm/core';
import milvusWriter from '@milvusdm/writer-milvus';

const uri = inject('milvusLiteUri');

testWriter(milvusWriter, {
  fieldTypes: ['bool', 'int8', 'int16', 'int32', 'int64', 'float', 'double', 'varchar', 'json', 'array', 'float_vector'],
  options: ({ name }) => ({ uri, collection: name, index: false }),
  async readBack({ options }) {
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: process.cwd(), redact: () => {} };
    const source = await milvusReader.open(milvusReader.options.parse({ uri, collection: options.collection }), context);
    try {
      const batches: ColumnBatch[] = [];
      for (const dataset of source.datasets) for await (const b of dataset.batches({ batchRows: 1000 })) batches.push(b);
      return concatBatches(batches);
    } finally {
      await source.close();
    }
  },
  // Nothing listens on port 1.
  badOptions: ({ name }) => ({ uri: 'http://127.0.0.1:1', collection: name, timeout: 3 }),
});
