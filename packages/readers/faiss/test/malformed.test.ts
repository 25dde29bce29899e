/**
 * Bad input: wrong fourcc, empty, truncated at every byte (or a dense sample of bytes), trailing
 * bytes, and randomly corrupted files. The reader must answer with one MilvusdmError naming the
 * file — never a RangeError, a huge allocation or a hang.
 */
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@milvusdm/testing';
import { loadPlan } from '../dist/index.js';
import { fixture, readAll } from './helpers/fixtures.js';

const WRITER = 'faiss-1.15.1';
const dir = tempDir('milvusdm-faiss-bad-');

function isMilvusdmError(e: unknown): e is { code: string; message: string } {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as { code: string }).code.startsWith('MDM_')
  );
}

/** Cut points: every byte of small files; the first 600 bytes, a stride and the last 64 of bigger ones. */
function cuts(size: number): number[] {
  if (size <= 3000) return Array.from({ length: size }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < 600; i++) out.add(i);
  for (let i = 600; i < size; i += Math.ceil(size / 150)) out.add(i);
  for (let i = size - 64; i < size; i++) out.add(i);
  return [...out];
}

describe('files that are not whole Faiss indexes', () => {
  it('refuses a file that is not a Faiss index, showing its first bytes', async () => {
    const path = join(dir, 'notes.index');
    writeFileSync(path, 'hello, this is not an index');
    await expect(loadPlan(path)).rejects.toMatchObject({ code: 'MDM_SOURCE' });
    await expect(loadPlan(path)).rejects.toThrow(`${path}: not a Faiss index: it starts with "hell" (bytes 68 65 6c 6c)`);
  });

  it('refuses an empty file and a missing one', async () => {
    const empty = join(dir, 'empty.index');
    writeFileSync(empty, '');
    await expect(loadPlan(empty)).rejects.toThrow(
      `${empty}: the file ends early (truncated?): expected 4 bytes of the index type (first 4 bytes) at offset 0, but only 0 remain`,
    );
    await expect(loadPlan(join(dir, 'missing.index'))).rejects.toThrow(/missing\.index: the index file does not exist/);
  });

  for (const name of [
    'flat_ip_one',
    'ivfflat_sprs_d6',
    'ivfflat_ondisk_d6',
    'bidmap_bivf_d24',
    'sq_6bit_d11',
    'pq_m5_nbits5_d10',
    'idmap_hnswflat_d9',
    'ivfflat_ip_hnsw_quantizer_d11',
    'legacy_ivfl_floats_d5',
    'hnswcagra_d6',
  ]) {
    it(`refuses ${name} cut short at any byte, naming the file`, { timeout: 60_000 }, async () => {
      const f = fixture(WRITER, name);
      const bytes = readFileSync(join(f.dir, f.file));
      const path = join(dir, `cut-${name}.index`);
      for (const cut of cuts(bytes.length)) {
        writeFileSync(path, bytes.subarray(0, cut));
        const error = await loadPlan(path).then(
          () => new Error(`a copy cut at ${cut} of ${bytes.length} bytes was accepted`),
          (e: unknown) => e,
        );
        if (!isMilvusdmError(error) || error.code !== 'MDM_SOURCE' || !error.message.startsWith(`${path}: `)) {
          throw new Error(`cut at ${cut}: ${String(error)}`);
        }
      }
    });
  }

  it('says which inverted list a file ends in', async () => {
    const f = fixture(WRITER, 'ivfflat_full_d12');
    const { plan } = await loadPlan(join(f.dir, f.file));
    if (plan.data.kind !== 'lists') throw new Error('expected lists');
    const third = plan.data.table;
    const cut = third.codeOffsets[2]! + 100;
    const path = join(dir, 'cut-in-list.index');
    writeFileSync(path, readFileSync(join(f.dir, f.file)).subarray(0, cut));
    await expect(loadPlan(path)).rejects.toThrow(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the file ends early \\(truncated\\?\\): expected \\d+ bytes of the codes of inverted list ${third.listNo[2]} \\(\\d+ vectors\\) at offset ${third.codeOffsets[2]}`,
      ),
    );
  });

  it('stops at 50 levels of nesting, as Faiss does', async () => {
    // 60 IndexIDMap headers (d 4, ntotal 0, metric L2), each wrapping the next.
    const header = Buffer.alloc(33);
    header.writeInt32LE(4, 0);
    header.writeUInt8(1, 28);
    header.writeInt32LE(1, 29);
    const path = join(dir, 'deep.index');
    writeFileSync(path, Buffer.concat(Array.from({ length: 60 }, () => Buffer.concat([Buffer.from('IxMp'), header]))));
    await expect(loadPlan(path)).rejects.toThrow(`${path}: indexes nested more than 50 deep at offset ${51 * 37} (corrupt file?)`);
  });

  it('refuses bytes after the end of the index', async () => {
    const f = fixture(WRITER, 'flat_l2_d13');
    const path = join(dir, 'trailing.index');
    copyFileSync(join(f.dir, f.file), path);
    appendFileSync(path, Buffer.from([1, 2, 3]));
    await expect(loadPlan(path)).rejects.toThrow(`${path}: 3 unexpected bytes after the end of the IndexFlatL2`);
  });

  it('answers randomly corrupted files with a MilvusdmError or a clean read, never a crash', async () => {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const name of [
      'ivfflat_sprs_d6',
      'idmap_ivfflat_d13',
      'bivf_ids_hashtable_d32',
      'ivfpq_nbits6_residual_d12',
      'hnswflat_one_d5',
      'ivfflat_ondisk_d6',
    ]) {
      const f = fixture(WRITER, name);
      const original = readFileSync(join(f.dir, f.file));
      const path = join(dir, `fuzz-${name}.index`);
      if (f.dataFile) copyFileSync(join(f.dir, f.dataFile), join(dir, f.dataFile));
      for (let round = 0; round < 150; round++) {
        const bytes = Buffer.from(original);
        // Mostly the structure (the first bytes), sometimes anywhere.
        const span = random() < 0.7 ? Math.min(bytes.length, 400) : bytes.length;
        for (let k = 1 + Math.floor(random() * 3); k > 0; k--) bytes[Math.floor(random() * span)] = Math.floor(random() * 256);
        writeFileSync(path, bytes);
        try {
          await readAll({ path, allow_lossy: true, ...(f.dataFile ? { data_file: join(dir, f.dataFile) } : {}) }, 50);
        } catch (e) {
          if (!isMilvusdmError(e)) throw new Error(`${name} round ${round}: ${String(e)}\n${(e as Error).stack ?? ''}`, { cause: e });
        }
      }
    }
  }, 120_000);
});
