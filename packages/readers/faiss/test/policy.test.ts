/**
 * What the reader announces and refuses: metric from the file or the job, lossy types only with
 * allow_lossy, vectors that are not in the file, options, schema, resume cursors, and on-disk
 * inverted lists found where Faiss would look for them.
 */
import { copyFileSync, mkdirSync, renameSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@milvusdm/testing';
import plugin from '../dist/index.js';
import { context, fixture, readAll } from './helpers/fixtures.js';

const WRITER = 'faiss-1.15.1';
const pathOf = (name: string, writer = WRITER) => {
  const f = fixture(writer, name);
  return join(f.dir, f.file);
};

async function open(options: Record<string, unknown>, warnings: string[] = [], baseDir?: string) {
  const source = await plugin.open(plugin.options.parse(options), context(baseDir, warnings));
  return source.datasets[0]!;
}

describe('metric', () => {
  it('takes L2 and IP from the file and names them as Milvus does (Faiss 1 = L2, 0 = IP)', async () => {
    expect((await open({ path: pathOf('flat_l2_d13') })).schema.fields[1]).toMatchObject({ type: 'float_vector', dim: 13, metric: 'L2' });
    expect((await open({ path: pathOf('flat_ip_d7') })).schema.fields[1]).toMatchObject({ metric: 'IP' });
    expect((await open({ path: pathOf('ivfflat_ip_hnsw_quantizer_d11') })).schema.fields[1]).toMatchObject({ metric: 'IP' });
    expect((await open({ path: pathOf('idmap2_ivfflat_ip_d5') })).schema.fields[1]).toMatchObject({ metric: 'IP' });
  });

  it('announces binary indexes as HAMMING, dimension in bits, unless the job says otherwise', async () => {
    expect((await open({ path: pathOf('bivf_d56') })).schema.fields[1]).toMatchObject({
      type: 'binary_vector',
      dim: 56,
      metric: 'HAMMING',
    });
    expect((await open({ path: pathOf('bflat_d24'), metric: 'JACCARD' })).schema.fields[1]).toMatchObject({ metric: 'JACCARD' });
  });

  it('lets the job override the metric', async () => {
    expect((await open({ path: pathOf('flat_l2_d13'), metric: 'COSINE' })).schema.fields[1]).toMatchObject({ metric: 'COSINE' });
  });

  it('refuses a metric Milvus has no equivalent for, naming file, metric and what is supported', async () => {
    const l1 = pathOf('flat_l1');
    await expect(open({ path: l1 })).rejects.toMatchObject({ code: 'MDM_UNSUPPORTED', exitCode: 1 });
    await expect(open({ path: l1 })).rejects.toThrow(
      `${l1}: the index uses the L1 (Faiss metric 2) metric, which Milvus has no equivalent for; supported: L2 (Faiss 1) and IP (Faiss 0)`,
    );
    await expect(open({ path: pathOf('flat_lp') })).rejects.toThrow('Lp (Faiss metric 4, argument 3) metric');
    await expect(open({ path: pathOf('flat_linf') })).rejects.toThrow('Linf (Faiss metric 3)');
    // With a metric from the job, the (exact) vectors move.
    expect((await open({ path: l1, metric: 'L2' })).schema.fields[1]).toMatchObject({ metric: 'L2' });
  });

  it('refuses a metric of the other vector family as a job error (exit 2)', async () => {
    await expect(open({ path: pathOf('bflat_d24'), metric: 'L2' })).rejects.toMatchObject({ code: 'MDM_CONFIG', exitCode: 2 });
    await expect(open({ path: pathOf('flat_l2_d13'), metric: 'HAMMING' })).rejects.toThrow('source.metric: HAMMING is a binary metric');
  });
});

describe('lossy indexes', () => {
  for (const name of [
    'sq_8bit_d11',
    'ivfsq_8bit_residual_d11',
    'pq_m4_nbits8_d12',
    'ivfpq_nbits8_residual_d12',
    'hnswsq_8bit_d11',
    'idmap2_ivfpq_ip_d12',
  ]) {
    it(`${name}: refused without allow_lossy, saying the vectors would not be the originals`, async () => {
      const path = pathOf(name);
      const error = (await open({ path }).catch((e: unknown) => e)) as { code: string; message: string; hint: string };
      expect(error).toMatchObject({ code: 'MDM_UNSUPPORTED' });
      expect(error.message).toMatch(
        new RegExp(
          `^${path.replace(/[.]/g, '\\.')}: Index\\w+ stores (scalar|product)-quantizer codes \\(.*\\), not the vectors: what milvusdm can migrate is Faiss's reconstruction, not the original vectors$`,
        ),
      );
      expect(error.hint).toContain('allow_lossy: true');
    });
  }

  it('reads them with allow_lossy, with a warning', async () => {
    const warnings: string[] = [];
    const dataset = await open({ path: pathOf('sq_4bit_d11'), allow_lossy: true }, warnings);
    expect(dataset.rows).toBe(100);
    expect(warnings.join('\n')).toContain("Faiss's reconstruction, not the original vectors (allow_lossy is set)");
  });
});

describe('vectors not in the file', () => {
  it('refuses IVF lists saved as il00', async () => {
    const path = pathOf('ivfflat_il00_d4');
    await expect(open({ path })).rejects.toThrow(
      `${path}: IndexIVFFlat holds 100 vectors but its inverted lists were not saved in this file ("il00": written without its lists); nothing to migrate`,
    );
  });

  it('reads an empty il00 index as no rows', async () => {
    expect((await open({ path: pathOf('ivfflat_il00_empty_d4') })).rows).toBe(0);
  });

  it('refuses HNSW saved without its storage', async () => {
    await expect(open({ path: pathOf('hnswflat_nostorage_d5') })).rejects.toThrow(
      'IndexHNSWFlat was saved without its storage (IO_FLAG_SKIP_STORAGE)',
    );
  });
});

describe('refused types', () => {
  it('names the type, where it sits and what is supported', async () => {
    const path = pathOf('idmap_lsh_d8');
    await expect(open({ path })).rejects.toThrow(
      `${path}: IndexLSH ("IxHe") at offset 37 inside IndexIDMap is not supported: LSH stores hashes, not vectors; supported: IndexFlat (L2, IP)`,
    );
    await expect(open({ path: pathOf('pretransform_pca') })).rejects.toThrow(
      'IndexPreTransform ("IxPT") at offset 0 is not supported: its stored vectors are transformed',
    );
  });
});

describe('options and schema', () => {
  it('validates options strictly, with defaults', () => {
    expect(plugin.options.safeParse({ path: 'a.index', typo: 1 }).success).toBe(false);
    expect(plugin.options.safeParse({}).success).toBe(false);
    expect(plugin.options.parse({ path: 'a.index' })).toEqual({
      path: 'a.index',
      allow_lossy: false,
      id_field: 'id',
      vector_field: 'embedding',
    });
  });

  it('names the collection after the file, sanitised, and carries partition and field names', async () => {
    const dir = tempDir();
    const path = join(dir, '9 my-faiss.v2.index');
    copyFileSync(pathOf('idmap_flat_ip_d10'), path);
    const dataset = await open({ path });
    expect(dataset).toMatchObject({ collection: '_9_my_faiss_v2', key: '_9_my_faiss_v2/_default', rows: 64, origin: `file ${path}` });
    expect(dataset.schema.fields).toEqual([
      { name: 'id', type: 'int64', isPrimaryKey: true },
      { name: 'embedding', type: 'float_vector', dim: 10, metric: 'IP' },
    ]);
    const named = await open({ path, collection: 'books', partition: 'p1', id_field: 'pk', vector_field: 'vec' });
    expect(named).toMatchObject({ collection: 'books', partition: 'p1', key: 'books/p1' });
    expect(named.schema.fields.map((f) => f.name)).toEqual(['pk', 'vec']);
    const batches = [];
    for await (const b of named.batches({ batchRows: 100 })) batches.push(b);
    expect([...batches[0]!.columns.keys()]).toEqual(['pk', 'vec']);
  });

  it('resolves a relative path from the job folder', async () => {
    const f = fixture(WRITER, 'flat_ip_one');
    const dataset = await open({ path: f.file }, [], f.dir);
    expect(dataset.rows).toBe(1);
  });
});

describe('resuming', () => {
  for (const name of [
    'flat_l2_d13',
    'idmap_flat_ip_d10',
    'ivfflat_full_d12',
    'idmap_ivfflat_d13',
    'bivf_ids_hashtable_d32',
    'ivfsq_6bit_residual_d11',
  ]) {
    it(`${name}: resuming from any batch's cursor yields exactly the rest`, async () => {
      const options = { path: pathOf(name), allow_lossy: true };
      const all = await readAll(options, 11);
      const per = all.vectors.length / all.ids.length;
      for (const [k, cursor] of all.cursors.entries()) {
        const done = Math.min(all.ids.length, (k + 1) * 11);
        const rest = await readAll(options, 11, JSON.parse(JSON.stringify(cursor)));
        expect(rest.ids).toEqual(all.ids.subarray(done));
        expect(Buffer.from(rest.vectors).equals(Buffer.from(all.vectors.subarray(done * per)))).toBe(true);
      }
    });
  }

  it('refuses a cursor taken from another file', async () => {
    const all = await readAll({ path: pathOf('flat_l2_d13') }, 100);
    await expect(readAll({ path: pathOf('flat_ip_d7') }, 100, all.cursors[0])).rejects.toThrow(
      'the resume position does not match this file',
    );
  });
});

describe('on-disk inverted lists (ilod)', () => {
  const f = fixture(WRITER, 'ivfflat_ondisk_d6');

  it('finds the data file next to the index, as Faiss does', async () => {
    const dir = tempDir();
    copyFileSync(join(f.dir, f.file), join(dir, 'moved.index'));
    copyFileSync(join(f.dir, f.dataFile!), join(dir, f.dataFile!));
    expect((await readAll({ path: join(dir, 'moved.index') })).ids.length).toBe(250);
  });

  it('takes data_file from the job, and says where it looked when the file is missing', async () => {
    const dir = tempDir();
    const index = join(dir, 'alone.index');
    copyFileSync(join(f.dir, f.file), index);
    await expect(open({ path: index })).rejects.toThrow(
      `${index}: its inverted lists are on disk in "ivfflat_ondisk_d6.ivfdata", which was not found (looked at ${join(dir, f.dataFile!)}`,
    );
    mkdirSync(join(dir, 'data'));
    copyFileSync(join(f.dir, f.dataFile!), join(dir, 'data', 'lists.bin'));
    expect((await readAll({ path: index, data_file: join(dir, 'data', 'lists.bin') })).ids.length).toBe(250);
    renameSync(join(dir, 'data', 'lists.bin'), join(dir, 'data', 'short.bin'));
    truncateSync(join(dir, 'data', 'short.bin'), 1000);
    await expect(open({ path: index, data_file: join(dir, 'data', 'short.bin') })).rejects.toThrow(
      /short\.bin: the inverted-lists data file of .* has \d+ bytes but its lists reach byte \d+ \(truncated\?\)/,
    );
  });
});
