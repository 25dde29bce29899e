/** `inspect`: Faiss files described from their structure; anything else is not ours (undefined). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedDir, tempDir } from '@milvusdm/testing';
import plugin from '../dist/index.js';
import { context, fixture } from './helpers/fixtures.js';

const pathOf = (name: string, writer = 'faiss-1.15.1') => {
  const f = fixture(writer, name);
  return join(f.dir, f.file);
};
const inspect = (path: string) => plugin.inspect!(path, context());

describe('inspect', () => {
  it('describes an IDMap over IVFFlat: chain, dimension, count, metric, stored ids, exact', async () => {
    const path = pathOf('idmap_ivfflat_d13');
    const report = await inspect(path);
    expect(report).toBeDefined();
    expect(report!.format).toBe('faiss');
    expect(report!.data).toMatchObject({
      file: path,
      family: 'float',
      type: 'IndexIDMap > IndexIVFFlat',
      fourcc: 'IxMp',
      dimension: 13,
      count: 300,
      metric: 'L2',
      faissMetric: { number: 1, name: 'L2' },
      ids: 'stored',
      idsFrom: 'inverted lists, through the id map',
      exact: true,
      migratable: true,
      problems: [],
    });
    const text = report!.lines.join('\n');
    expect(text).toContain('type:       IndexIDMap > IndexIVFFlat (float vectors)');
    expect(text).toContain('dimension:  13');
    expect(text).toContain('count:      300');
    expect(text).toContain('metric:     L2 (Faiss metric 1)');
    expect(text).toContain('ids:        stored (inverted lists, through the id map)');
    expect(text).toContain('exact:      yes');
    expect(text).toMatch(/IndexIVFFlat "IwFl": 300 × float32 vectors, nlist 8, lists "full", 8 of 8 non-empty, direct map none/);
    expect(text).toMatch(/quantizer: IndexFlatL2 "IxF2": 8 × float32 vectors/);
  });

  it('says when ids are implied and vectors lossy', async () => {
    const report = await inspect(pathOf('hnswsq_8bit_d11'));
    expect(report!.data).toMatchObject({ type: 'IndexHNSWSQ > IndexScalarQuantizer', ids: 'implied', exact: false, count: 400 });
    expect(report!.lines.join('\n')).toContain('exact:      no: IndexHNSWSQ stores scalar-quantizer codes (8bit), not the vectors');
    expect(report!.lines.join('\n')).toContain('implied: 0 … n-1 by position');
  });

  it('reports binary indexes in bits, with HAMMING', async () => {
    const report = await inspect(pathOf('bidmap_bivf_d24', 'faiss-1.7.3'));
    expect(report!.data).toMatchObject({
      family: 'binary',
      type: 'IndexBinaryIDMap > IndexBinaryIVF',
      dimension: 24,
      metric: 'HAMMING',
      count: 200,
      ids: 'stored',
    });
  });

  it('reports what stands in the way of a migration', async () => {
    const l1 = await inspect(pathOf('flat_l1'));
    expect(l1!.data).toMatchObject({ metric: null, faissMetric: { number: 2, name: 'L1' }, migratable: false });
    expect(l1!.lines.join('\n')).toContain('set source.metric');
    const il00 = await inspect(pathOf('ivfflat_il00_d4'));
    expect(il00!.data).toMatchObject({ migratable: false, count: 100 });
    expect(il00!.lines.join('\n')).toContain('no lists saved ("il00")');
  });

  it('names the data file of on-disk lists', async () => {
    const f = fixture('faiss-1.15.1', 'ivfflat_ondisk_d6');
    const report = await inspect(join(f.dir, f.file));
    expect(report!.data).toMatchObject({ dataFile: join(f.dir, f.dataFile!), migratable: true });
  });

  it('returns undefined for anything that is not a Faiss index', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'text.index'), 'IxF'); // too short
    writeFileSync(join(dir, 'other.bin'), 'ABCDEFGH');
    expect(await inspect(join(dir, 'text.index'))).toBeUndefined();
    expect(await inspect(join(dir, 'other.bin'))).toBeUndefined();
    expect(await inspect(dir)).toBeUndefined();
    expect(await inspect(join(dir, 'missing'))).toBeUndefined();
    expect(await inspect(join(seedDir, 'float_example.h5'))).toBeUndefined();
  });

  it('throws the reader error for a Faiss file it cannot read', async () => {
    await expect(inspect(pathOf('pretransform_pca'))).rejects.toMatchObject({ code: 'MDM_UNSUPPORTED' });
  });
});
