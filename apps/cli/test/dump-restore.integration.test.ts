/**
 * `milvusdm dump` and `milvusdm restore` against a live server: an archive of two collections
 * (one with partitions) restored under other names, compared field by field with pymilvus; one
 * partition restored alone; an interrupted dump that must not look complete; a damaged file
 * refused before anything is written; a restore into collections that exist, under each mode.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { interrupt, runCli, runPython, tempDir, uniqueName } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  a?: number;
  b?: number;
  expected?: number;
  counted?: number;
}

let uri: string;
const made = { a: '', b: '', expectedA: '', expectedB: '' };
beforeAll(async () => {
  uri = inject('milvusLiteUri');
  made.a = uniqueName('arch_a');
  made.b = uniqueName('arch_b');
  made.expectedA = tempDir();
  made.expectedB = tempDir();
  const common = ['--uri', uri, '--rows', '6000', '--dim', '8'];
  await runPython('make_collection.py', [
    ...common,
    '--collection',
    made.a,
    '--partitions',
    'p1,p2',
    '--seed',
    '3',
    '--expected',
    made.expectedA,
  ]);
  await runPython('make_collection.py', [...common, '--collection', made.b, '--seed', '4', '--big-ids', '--expected', made.expectedB]);
});

const cli = (args: string[]) => runCli([...args, '--log-dir', tempDir()]);

async function same(a: string, b: string): Promise<Verdict> {
  return runPython<Verdict>('compare_collections.py', ['--uri', uri, '--a', a, '--b', b]);
}

describe('dump and restore', () => {
  let archive: string;
  let p1Rows = 0;

  it('dumps two collections into a sealed archive: manifest, README, Parquet files with their checksums', async () => {
    archive = join(tempDir(), 'backup');
    const r = await cli(['dump', '--from', uri, '--to', archive, '--collections', `${made.a},${made.b}`, '--batch-rows', '1000']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(archive, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'milvusdm-archive', version: 1, source: { type: 'milvus' } });
    expect(manifest.collections.map((c: { name: string; rows: number }) => [c.name, c.rows])).toEqual([
      [made.a, 6000],
      [made.b, 6000],
    ]);
    const a = manifest.collections[0];
    const parts = Object.fromEntries(a.partitions.map((p: { name: string; rows: number }) => [p.name, p.rows]));
    expect(Object.keys(parts).sort()).toEqual(['_default', 'p1', 'p2']);
    expect(parts['_default']).toBe(0);
    expect(parts['p1'] + parts['p2']).toBe(6000);
    p1Rows = parts['p1'];
    for (const p of a.partitions) for (const f of p.files) expect(existsSync(join(archive, f.path))).toBe(true);
    expect(readFileSync(join(archive, 'README.md'), 'utf8')).toMatch(/A milvusdm archive/);
    expect(existsSync(join(archive, '.milvusdm'))).toBe(false);
    const inspected = await runCli(['inspect', archive]);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(inspected.stdout).toMatch(new RegExp(`collection ${made.a}: 6000 rows, \\d+ file\\(s\\)`));
    expect(inspected.stdout).toMatch(/partition p1: \d+ rows in \d+ file\(s\)/);
    // A second dump into the same folder is refused: the archive is complete.
    const again = await cli(['dump', '--from', uri, '--to', archive]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a complete archive/);
  });

  it('restores both under other names, every field of every row as the source', async () => {
    const a2 = uniqueName('arch_a_copy');
    const b2 = uniqueName('arch_b_copy');
    const r = await cli(['restore', '--from', archive, '--to', uri, '--rename', `${made.a}=${a2},${made.b}=${b2}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await same(made.a, a2)).toMatchObject({ ok: true, a: 6000, b: 6000 });
    expect(await same(made.b, b2)).toMatchObject({ ok: true, a: 6000, b: 6000 });
  });

  it('restores one partition alone', async () => {
    const target = uniqueName('arch_p1');
    const r = await cli(['restore', '--from', archive, '--to', uri, '--partitions', `${made.a}:p1`, '--rename', `${made.a}=${target}`]);
    expect(r.code, r.stderr).toBe(0);
    const v = await runPython<Verdict>('verify_milvus.py', [
      '--uri',
      uri,
      '--collection',
      target,
      '--partition',
      'p1',
      '--h5',
      join(made.expectedA, 'p1.h5'),
    ]);
    expect(v).toMatchObject({ ok: true, expected: p1Rows, counted: p1Rows });
    // Nothing else in the collection: all of it is exactly p1's rows.
    const whole = await runPython<Verdict>('verify_milvus.py', [
      '--uri',
      uri,
      '--collection',
      target,
      '--h5',
      join(made.expectedA, 'p1.h5'),
    ]);
    expect(whole).toMatchObject({ ok: true, expected: p1Rows, counted: p1Rows });
  });

  it('names what it cannot find in the archive', async () => {
    const r = await cli(['restore', '--from', archive, '--to', uri, '--partitions', `${made.a}:nope`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--partitions: ".*" has no partition "nope" \(it has _default, p1, p2\)/);
  });

  it('restores into collections that exist under each mode: skip leaves them, append refuses keys already there, upsert and overwrite leave exactly the archive', async () => {
    const target = uniqueName('arch_modes');
    const restore = (mode?: string) =>
      cli([
        'restore',
        '--from',
        archive,
        '--to',
        uri,
        '--collections',
        made.b,
        '--rename',
        `${made.b}=${target}`,
        ...(mode ? ['--mode', mode] : []),
      ]);
    const first = await restore();
    expect(first.code, first.stderr).toBe(0);
    const skip = await restore('skip');
    expect(skip.code, skip.stderr).toBe(0);
    expect(await same(made.b, target)).toMatchObject({ ok: true, a: 6000, b: 6000 });
    // append: every key of the archive is in the target already, so the first batch is refused before it is sent.
    const append = await restore('append');
    expect(append.code).toBe(1);
    expect(append.stderr).toMatch(/MDM_INVALID_DATA: .*the target already holds this key; nothing of this batch was sent/);
    expect(await same(made.b, target)).toMatchObject({ ok: true, a: 6000, b: 6000 });
    const upsert = await restore('upsert');
    expect(upsert.code, upsert.stderr).toBe(0);
    expect(await same(made.b, target)).toMatchObject({ ok: true, a: 6000, b: 6000 });
    const over = await cli([
      'restore',
      '--from',
      archive,
      '--to',
      uri,
      '--collections',
      made.b,
      '--rename',
      `${made.b}=${target}`,
      '--mode',
      'overwrite',
    ]);
    expect(over.code, over.stderr).toBe(0);
    expect(await same(made.b, target)).toMatchObject({ ok: true, a: 6000, b: 6000 });
  });

  it('refuses a damaged file before writing anything, naming it', async () => {
    const damaged = join(tempDir(), 'damaged');
    const r = await cli(['dump', '--from', uri, '--to', damaged, '--collections', made.b]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(damaged, 'manifest.json'), 'utf8'));
    const file = join(damaged, manifest.collections[0].partitions[0].files[0].path);
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, bytes);
    const target = uniqueName('arch_never');
    const refused = await cli(['restore', '--from', damaged, '--to', uri, '--rename', `${made.b}=${target}`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/sha256 differs from manifest\.json's/);
    const described = await runPython<{ exists: boolean }>('has_collection.py', ['--uri', uri, '--collection', target]);
    expect(described.exists).toBe(false);
  });

  it('an interrupted dump is not an archive until the same command finishes it', async () => {
    const folder = join(tempDir(), 'interrupted');
    const args = [
      'dump',
      '--from',
      uri,
      '--to',
      folder,
      '--collections',
      `${made.a},${made.b}`,
      '--batch-rows',
      '500',
      '--log-dir',
      tempDir(),
    ];
    const killed = await interrupt(args, join(folder, '.milvusdm'), 2000, 0, 'SIGKILL');
    expect(killed.interrupted, killed.stderr).toBe(true);
    expect(existsSync(join(folder, 'manifest.json'))).toBe(false);
    expect((await runCli(['inspect', folder])).stdout).toMatch(/an unfinished milvusdm dump/);
    const refused = await cli(['restore', '--from', folder, '--to', uri]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not a complete milvusdm archive \(no manifest\.json/);
    const resumed = await runCli(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming the interrupted run/);
    const target = uniqueName('arch_resumed');
    const r = await cli(['restore', '--from', folder, '--to', uri, '--collections', made.a, '--rename', `${made.a}=${target}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await same(made.a, target)).toMatchObject({ ok: true, a: 6000, b: 6000 });
    expect(readdirSync(folder).sort()).toEqual(['README.md', 'data', 'manifest.json']);
  });
});
