/**
 * The Milvus 1.x (`milvus1x`) reader against @milvusdm/plugin-kit's conformance suite. A 1.x
 * collection holds only ids and one vector field, so the suite is given that exact schema; the
 * generated rows are stored by the private 1.x directory builder as two RAW segments (so cursors
 * cross a segment boundary), with SQLite meta as a 1.x server leaves it.
 */
import { join } from 'node:path';
import { buildMilvus1xDir, type SegmentSpec } from '@milvusdm/milvus1x-testing';
import { sliceBatch, type ColumnBatch } from '@milvusdm/core';
import { testReader } from '@milvusdm/plugin-kit';
import milvus1xReader from '@milvusdm/reader-milvus-files';

/** The rows [start, end) of the generated batch, as one segment's contents. */
function segment(rows: ColumnBatch, start: number, end: number): SegmentSpec {
  const part = sliceBatch(rows, start, end);
  const ids = part.columns.get('id');
  const vectors = part.columns.get('embedding');
  if (ids?.type !== 'int64' || !vectors || !('values' in vectors)) throw new Error('generated rows lack id or embedding');
  return { rows: end - start, type: 'RAW', data: { ids: ids.values, vectors: vectors.values as Float32Array | Uint8Array } };
}

for (const vector of [
  { name: 'embedding', type: 'float_vector' as const, dim: 16, metric: 'L2' as const },
  { name: 'embedding', type: 'binary_vector' as const, dim: 64, metric: 'HAMMING' as const },
]) {
  testReader(milvus1xReader, {
    schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }, vector] },
    async write({ dir, rows }) {
      const half = Math.floor(rows.numRows / 2);
      const segments = rows.numRows === 0 ? [] : [segment(rows, 0, half), segment(rows, half, rows.numRows)].filter((s) => s.rows > 0);
      await buildMilvus1xDir(join(dir, 'milvus'), { collections: [{ name: 'data', dim: vector.dim, metric: vector.metric, segments }] });
      // skip_empty: false, so the empty case reads an empty dataset instead of none.
      return { path: join(dir, 'milvus'), skip_empty: false };
    },
    badOptions: (dir) => ({ path: join(dir, 'missing') }),
  });
}
