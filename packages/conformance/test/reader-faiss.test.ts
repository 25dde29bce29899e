/**
 * The Faiss reader against @milvusdm/plugin-kit's conformance suite. A Faiss index holds only
 * ids and one vector field, so the suite is given that exact schema; the generated rows are
 * stored by faiss-cpu itself (an IndexIDMap over a flat index, float and binary).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPythonRaw } from '@milvusdm/testing';
import { testReader } from '@milvusdm/plugin-kit';
import faissReader from '@milvusdm/reader-faiss';

const writer = fileURLToPath(new URL('./python/write_faiss.py', import.meta.url));

for (const vector of [
  { name: 'embedding', type: 'float_vector' as const, dim: 16, metric: 'L2' as const },
  { name: 'embedding', type: 'binary_vector' as const, dim: 64, metric: 'HAMMING' as const },
]) {
  testReader(faissReader, {
    schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }, vector] },
    async write({ dir, rows }) {
      const ids = rows.columns.get('id');
      const vectors = rows.columns.get('embedding');
      if (ids?.type !== 'int64' || !vectors || !('values' in vectors)) throw new Error('generated rows lack id or embedding');
      const values = vectors.values as Float32Array | Uint8Array;
      writeFileSync(join(dir, 'ids.bin'), new Uint8Array(ids.values.buffer, ids.values.byteOffset, ids.values.byteLength));
      writeFileSync(join(dir, 'vectors.bin'), new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      const index = join(dir, 'data.index');
      const binary = vector.type === 'binary_vector';
      const r = await runPythonRaw(writer, [
        index,
        join(dir, 'ids.bin'),
        join(dir, 'vectors.bin'),
        '--d',
        String(vector.dim),
        '--binary',
        binary ? '1' : '0',
      ]);
      if (r.code !== 0) throw new Error(`write_faiss.py failed (${r.code}):\n${r.stderr.slice(-2000)}`);
      return { path: index, collection: 'data' };
    },
    badOptions: (dir) => ({ path: join(dir, 'missing.index') }),
  });
}
