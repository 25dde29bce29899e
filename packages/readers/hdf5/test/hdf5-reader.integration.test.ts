/**
 * The HDF5 reader on files written by h5py: each layout and data type it accepts is copied to
 * HDF5 by the real CLI and compared with the source by h5py, bit for bit; each bad input gets
 * one line naming the file and what is wrong, exit 1, and no output file.
 */
import { copyFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runCli, runPython, seedDir, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

async function h5(args: string[]): Promise<string> {
  const out = join(tempDir(), 'input.h5');
  await runPython('write_h5.py', ['--out', out, ...args]);
  return out;
}

/** Copies `source` through milvusdm (hdf5 → hdf5) and returns h5py's verdict. */
async function copyAndVerify(
  source: Record<string, unknown>,
  expected: string[],
  dtype: 'float32' | 'uint8',
  extra: Record<string, unknown> = {},
) {
  const out = tempDir();
  const r = await runCli([
    'run',
    writeJob({ source: { type: 'hdf5', collection: 'copy', ...source }, target: { type: 'hdf5', dir: out }, ...extra }),
    '--log-dir',
    tempDir(),
  ]);
  expect(r.code, r.stderr).toBe(0);
  return runPython<{ ok: boolean; expected: number; actual: number }>('verify_h5.py', [
    '--actual',
    join(out, 'copy', '_default.h5'),
    ...expected.flatMap((e) => ['--expected', e]),
    '--dtype',
    dtype,
  ]);
}

describe('hdf5 reader: layouts and types', () => {
  it('reads the seed float_example.h5: float64 as float32, ids above 2^53 exact', async () => {
    const seed = join(seedDir, 'float_example.h5');
    expect(await copyAndVerify({ path: seed }, [seed], 'float32')).toMatchObject({ ok: true, expected: 5000 });
  });

  it('keeps every byte of binary vectors stored as fixed-length strings, NULs included', async () => {
    const file = await h5(['--rows', '300', '--dim', '256', '--dtype', 'S']);
    expect(await copyAndVerify({ path: file }, [file], 'uint8')).toMatchObject({ ok: true, expected: 300 });
  });

  it('reads uint8 rows as binary vectors', async () => {
    const file = await h5(['--rows', '300', '--dim', '64', '--dtype', 'uint8']);
    expect(await copyAndVerify({ path: file }, [file], 'uint8')).toMatchObject({ ok: true, expected: 300 });
  });

  it('streams a chunked, gzip-compressed file in blocks that do not align with its chunks', async () => {
    const file = await h5(['--rows', '10000', '--dim', '20', '--chunks', '333', '--gzip', '6', '--dtype', 'float32']);
    expect(await copyAndVerify({ path: file }, [file], 'float32', { run: { batch_rows: 777 } })).toMatchObject({
      ok: true,
      expected: 10000,
    });
  });

  it('reads float16 vectors and int32 ids', async () => {
    const file = await h5(['--rows', '100', '--dim', '10', '--dtype', 'float16', '--ids', 'int32']);
    expect(await copyAndVerify({ path: file }, [file], 'float32')).toMatchObject({ ok: true, expected: 100 });
  });

  it('reads several files, a folder, and a glob as one dataset', async () => {
    const dir = tempDir();
    const files = ['a', 'b', 'c'].map((n) => join(dir, `${n}.h5`));
    for (const [i, f] of files.entries()) {
      await runPython('write_h5.py', [
        '--out',
        f,
        '--rows',
        '50',
        '--dim',
        '4',
        '--dtype',
        'float32',
        '--seed',
        String(i),
        '--id-offset',
        String(i * 1_000_000),
      ]);
    }
    expect(await copyAndVerify({ path: files }, files, 'float32')).toMatchObject({ ok: true, expected: 150 });
    expect(await copyAndVerify({ path: dir }, files, 'float32')).toMatchObject({ ok: true, expected: 150 });
    expect(await copyAndVerify({ path: join(dir, '*.h5') }, files, 'float32')).toMatchObject({ ok: true, expected: 150 });
  });

  it('reads the ann-benchmarks layout (train, distance angular) into Milvus with Milvus-assigned ids and COSINE', async () => {
    const uri = inject('milvusLiteUri');
    const file = await h5(['--rows', '500', '--dim', '12', '--layout', 'ann', '--dtype', 'float32']);
    const collection = uniqueName('ann');
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: file }, target: { type: 'milvus', uri, collection } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/id int64 pk auto, embedding float_vector\(12\) COSINE/);
    expect(r.stderr).toMatch(/with metric COSINE/);
    expect(r.stderr).toContain('done: 500 rows');
    // Content, not just the count: every "train" vector once, bit for bit, under ids Milvus chose.
    const v = await runPython('verify_milvus.py', [
      '--uri',
      uri,
      '--collection',
      collection,
      '--h5',
      file,
      '--vectors',
      'train',
      '--autoid',
    ]);
    expect(v).toMatchObject({ ok: true, expected: 500, counted: 500, fetched: 500 });
  });
});

describe('hdf5 reader: inspect and metadata', () => {
  it('describes a file: its datasets and what would be read', async () => {
    const r = await runCli(['inspect', join(seedDir, 'byte_example.h5')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('embeddings: [5] bytes (64 each)');
    expect(r.stdout).toContain('read as:    5 binary vectors of dimension 512 bits from "embeddings"');
    const json = JSON.parse((await runCli(['inspect', join(seedDir, 'float_example.h5'), '--json'])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'hdf5', vectors: 'embeddings', vector_type: 'float', dimension: 100, rows: 5000, ids: 'ids' });
  });

  it('keeps the metric milvusdm wrote into a dump', async () => {
    const uri = inject('milvusLiteUri');
    const first = uniqueName('ip_src');
    const file = await h5(['--rows', '50', '--dim', '6', '--dtype', 'float32']);
    const out = tempDir();
    expect(
      (
        await runCli([
          'run',
          writeJob({ source: { type: 'hdf5', path: file, metric: 'IP', collection: first }, target: { type: 'hdf5', dir: out } }),
          '--log-dir',
          tempDir(),
        ])
      ).code,
    ).toBe(0);
    const back = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: join(out, first, '_default.h5') },
        target: { type: 'milvus', uri, collection: uniqueName('ip_dst') },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toMatch(/embedding float_vector\(6\) IP/);
  });
});

describe('hdf5 reader: bad input', () => {
  async function refused(source: Record<string, unknown>) {
    const out = tempDir();
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', collection: 'bad', ...source }, target: { type: 'hdf5', dir: out } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    // Nothing that looks like output is left behind.
    expect(existsSync(join(out, 'bad', '_default.h5'))).toBe(false);
    expect(existsSync(join(out, 'bad', '_default.h5.partial'))).toBe(false);
    return r.stderr.split('\n').find((l) => l.startsWith('error ')) ?? r.stderr;
  }

  it('a truncated file', async () => {
    const file = await h5(['--rows', '2000', '--dim', '32', '--dtype', 'float32']);
    const cut = join(tempDir(), 'cut.h5');
    copyFileSync(file, cut);
    truncateSync(cut, Math.floor(readFileSync(cut).length / 2));
    // HDF5's own finding, not its whole error stack (h5wasm reports a dozen library frames).
    expect(await refused({ path: cut })).toMatch(
      /^error MDM_SOURCE: .*cut\.h5: (not a readable HDF5 file \(truncated file: eof = \d+, sblock->base_addr = 0, stored_eof = \d+\)|reading rows .{1,200})$/,
    );
  });

  it('a file that is not HDF5', async () => {
    const file = join(tempDir(), 'notes.h5');
    writeFileSync(file, 'just text\n');
    expect(await refused({ path: file })).toMatch(/^error MDM_SOURCE: .*notes\.h5: not a readable HDF5 file \(file signature not found\)$/);
  });

  it('no vectors dataset: the message lists what the file holds', async () => {
    const file = await h5(['--rows', '5', '--dim', '4', '--dtype', 'float32']);
    expect(await refused({ path: file, vectors: 'vecs' })).toMatch(
      /input\.h5: source\.vectors: no dataset "vecs" \(datasets: embeddings, ids\)/,
    );
  });

  it('ids that do not match the vectors in number', async () => {
    const file = await h5(['--rows', '5', '--dim', '4', '--dtype', 'float32']);
    expect(await refused({ path: file, vectors: 'embeddings', ids: 'embeddings' })).toMatch(
      /dataset "embeddings" holds float32 values; ids must be integers/,
    );
  });

  it('binary vectors asked of float data', async () => {
    const file = await h5(['--rows', '5', '--dim', '8', '--dtype', 'float32']);
    expect(await refused({ path: file, vector_type: 'binary' })).toMatch(/holds float32 values but binary vectors were asked for/);
  });

  it('files that disagree on the dimension', async () => {
    const a = await h5(['--rows', '5', '--dim', '8', '--dtype', 'float32']);
    const b = await h5(['--rows', '5', '--dim', '9', '--dtype', 'float32']);
    expect(await refused({ path: [a, b] })).toMatch(/float vectors of dimension 9, but .* has float vectors of dimension 8/);
  });

  it('a path that matches nothing', async () => {
    expect(await refused({ path: join(tempDir(), '*.h5') })).toMatch(/source\.path: no file matches/);
  });
});
