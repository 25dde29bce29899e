/**
 * Files without milvusdm's schema attribute — the seed's example files and what h5py users
 * write (`ids` + `embeddings`) — are read exactly as before the extended layout existed: two
 * fields, `id` and `embedding`, the collection named after the file, no partition.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drain, seedDir, testContext, tempDir } from '@milvusdm/testing';
import plugin, { hdf5ReaderOptions } from '../src/index.js';

async function read(path: string, extra: Record<string, unknown> = {}) {
  const source = await plugin.open(hdf5ReaderOptions.parse({ path, ...extra }), testContext(tempDir()));
  try {
    expect(source.datasets).toHaveLength(1);
    const dataset = source.datasets[0]!;
    const batches = await drain(dataset.batches({ batchRows: 1000 }));
    return { dataset, batches };
  } finally {
    await source.close();
  }
}

describe('hdf5 reader: files in the original MilvusDM layout read as before', () => {
  it('the seed float_example.h5: id int64 key and a float vector, nothing else', async () => {
    const { dataset, batches } = await read(join(seedDir, 'float_example.h5'));
    expect(dataset.schema).toEqual({
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 100 },
      ],
    });
    expect(dataset).toMatchObject({ collection: 'float_example', key: 'float_example/_default', rows: 5000 });
    expect(dataset.partition).toBeUndefined();
    expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(5000);
    expect([...batches[0]!.columns.keys()]).toEqual(['id', 'embedding']);
  });

  it('the seed byte_example.h5: binary vectors, with the names and options of old', async () => {
    const { dataset, batches } = await read(join(seedDir, 'byte_example.h5'), { id_field: 'key', vector_field: 'bits', collection: 'c' });
    expect(dataset.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['key', 'int64'],
      ['bits', 'binary_vector'],
    ]);
    expect(dataset.collection).toBe('c');
    expect([...batches[0]!.columns.keys()]).toEqual(['key', 'bits']);
  });
});
