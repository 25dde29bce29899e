/**
 * `milvusdm restore --method import` into Milvus 2.3.5: the archive's Parquet files are handed
 * to the server's bulk import as they are (copied into a folder it reads), one import job per
 * file, into the right partitions; the restored collection is compared with the dumped one
 * field by field, bit for bit.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName } from '@milvusdm/testing';

describe('restore --method import', () => {
  it('imports the archive files as they are, partitions included, bit for bit', async () => {
    const uri = inject('milvus23Uri');
    const token = inject('milvus23Token');
    const source = uniqueName('arch_imp');
    await runPython('make_collection.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--collection',
      source,
      '--rows',
      '8000',
      '--dim',
      '8',
      '--partitions',
      'p1,p2',
      '--big-ids',
      '--expected',
      tempDir(),
    ]);
    const archive = join(tempDir(), 'backup');
    const dump = await runCli(['dump', '--from', uri, '--token', token, '--to', archive, '--collections', source, '--log-dir', tempDir()]);
    expect(dump.code, dump.stderr).toBe(0);
    const restored = uniqueName('restored_imp');
    const storage = tempDir();
    const r = await runCli([
      'restore',
      '--from',
      archive,
      '--to',
      uri,
      '--token',
      token,
      '--rename',
      `${source}=${restored}`,
      '--method',
      'import',
      '--storage',
      storage,
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/importing by (Milvus|\*\*\*) 2\.3 bulk insert/);
    expect(r.stderr).toMatch(new RegExp(`"${restored}" partition "p1": \\d+ rows imported in \\d+ file\\(s\\)`));
    expect(r.stderr).toMatch(new RegExp(`${source} → ${restored}: 8000 rows, as the manifest lists`));
    const v = await runPython<{ ok: boolean; a: number; b: number; differences?: unknown }>('compare_collections.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--a',
      source,
      '--b',
      restored,
    ]);
    expect(v, JSON.stringify(v.differences)).toMatchObject({ ok: true, a: 8000, b: 8000 });
    expect(readdirSync(storage, { recursive: true }).filter((f) => String(f).endsWith('.parquet'))).toEqual([]);
  });

  it('refuses --method import without --storage, before anything is read', async () => {
    const r = await runCli(['restore', '--from', tempDir(), '--to', 'http://127.0.0.1:1', '--method', 'import', '--log-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--method import needs --storage/);
  });
});
