/**
 * Segment files written by a real Milvus (>= 1.1), not by this package's builder: the `.uid`,
 * `deleted_docs` and `bloom_filter` of milvus-migration's test collection `test1w`
 * (origin in fixtures/milvus1x-real/NOTE.md). Those bytes come from another public repository,
 * so they are not committed here: they are read from the steering repository's shared fixtures
 * (`../shared/fixtures/milvus1x-real/milvus-migration-test1w`, or $MILVUSDM_REAL_1X_DIR), and the
 * tests skip, saying so, where neither holds them. The builder shares its constants with the
 * reader, so a wrong idea of the format would pass every builder-made test; these bytes are
 * Milvus's own. The storage path around them is made by a Python script that uses nothing of
 * milvusdm (its .rv and meta.sqlite are rebuilt from milvus-migration's description: see the
 * script), and what the reader yields is compared with numpy's reading of the real .uid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnBytes, drain, repoRoot, runPython, tempDir, testContext } from '@milvusdm/testing';
import { readPayloadHeader } from '../src/files/header.js';
import { readDeletedRows } from '../src/files/deleted-docs.js';
import plugin from '../src/index.js';

const fixture =
  process.env['MILVUSDM_REAL_1X_DIR'] ?? join(repoRoot, '..', 'shared', 'fixtures', 'milvus1x-real', 'milvus-migration-test1w');
const segment = join(fixture, 'tables', 'test1w', '1678354366132931000');
const present = existsSync(segment);
if (!present) {
  console.warn(`real Milvus 1.x segment tests skipped: ${fixture} is absent (see fixtures/milvus1x-real/NOTE.md)`);
}

describe.skipIf(!present)('real Milvus 1.x segment files', () => {
  it('reads the header of a real .uid: 10,000 ids, 80,000 bytes', async () => {
    const uid = await readPayloadHeader(join(segment, '1678354366132931000.uid'));
    expect(uid).toMatchObject({ size: 80_008, payloadBytes: 80_000 });
  });

  it('reads a real deleted_docs written by a flush: no deleted rows', async () => {
    const header = await readPayloadHeader(join(segment, 'deleted_docs'));
    expect(header.payloadBytes).toBe(0);
    const deleted = await readDeletedRows(header, 10_000);
    expect(deleted.count).toBe(0);
  });
});

describe.skipIf(!present)('a storage path around the real segment', { timeout: 60_000 }, () => {
  let built: { root: string; expected: string; rows: number; dim: number; collection: string };
  beforeAll(async () => {
    built = await runPython('milvus1x_real_segment_dir.py', ['--fixture', fixture, '--out', join(tempDir(), 'milvus')]);
  }, 120_000);

  it('yields every row of the real segment: the real ids in file order, each with its vector', async () => {
    const source = await plugin.open(plugin.options.parse({ path: built.root }), testContext('/'));
    try {
      expect(source.datasets.map((d) => [d.key, d.rows])).toEqual([['test1w/_default', 10_000]]);
      const dataset = source.datasets[0]!;
      expect(dataset.schema.fields).toEqual([
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 256, metric: 'L2' },
      ]);
      const batches = await drain(dataset.batches({ batchRows: 999 }));
      expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(10_000);
      // The ids exactly as Milvus stored them: the real .uid after its 8-byte header.
      const uid = readFileSync(join(segment, '1678354366132931000.uid')).subarray(8);
      expect(Buffer.compare(Buffer.from(columnBytes(batches, 'id')), uid)).toBe(0);
      const ids = new BigInt64Array(uid.buffer.slice(uid.byteOffset, uid.byteOffset + uid.byteLength));
      expect([ids[0], ids[9999]]).toEqual([1n, 10_000n]);
      const vectors = new Float32Array(columnBytes(batches, 'embedding').slice().buffer);
      expect(vectors.length).toBe(10_000 * 256);
      expect(vectors.every((v) => v === 1)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
