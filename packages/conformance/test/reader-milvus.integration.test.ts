/**
 * The Milvus reader against @milvusdm/plugin-kit's conformance suite, on the real Milvus Lite
 * test server. Its collections are created and filled by the Milvus writer (checked against
 * pymilvus in its own tests) from the kit's generated rows.
 */
import { inject } from 'vitest';
import { runJob, silentLogger } from '@milvusdm/core';
import { memoryReader, testReader } from '@milvusdm/plugin-kit';
import milvusWriter from '@milvusdm/writer-milvus';
import milvusReader from '@milvusdm/reader-milvus';

const uri = inject('milvusLiteUri');

testReader(milvusReader, {
  fieldTypes: ['bool', 'int8', 'int16', 'int32', 'int64', 'float', 'double', 'varchar', 'json', 'array', 'float_vector'],
  async write({ dir, name, dataset }) {
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: dir, redact: () => {} };
    await runJob({
      reader: memoryReader([dataset]),
      readerOptions: {},
      writer: milvusWriter,
      writerOptions: { uri, collection: name, index: 'auto' },
      run: { batchRows: 1000, prefetch: 1 },
      context,
    });
    return { uri, collection: name };
  },
  badOptions: () => ({ uri: 'http://127.0.0.1:1', collection: 'nothing_here', timeout: 3 }),
  timeout: 180_000,
});
