/**
 * The seed's own job files and example HDF5 files, run unchanged but for paths and hosts:
 * H2M of float_example.h5 (ids above 2^53) and byte_example.h5 (binary, 512 bits), then M2H
 * back out, each checked bit for bit by h5py and pymilvus.
 */
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli, runPython, seedDir, tempDir, uniqueName } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  expected: number;
  counted?: number;
  mismatches: unknown[];
}

function seedJob(name: string, edit: (block: Record<string, unknown>) => void): string {
  const doc = parse(readFileSync(join(seedDir, 'yamls', name), 'utf8')) as Record<string, Record<string, unknown>>;
  const task = Object.keys(doc)[0]!;
  edit(doc[task]!);
  const file = join(tempDir(), name);
  writeFileSync(file, stringify(doc));
  return file;
}

function hostPort(uri: string): { host: string; port: number } {
  const u = new URL(uri);
  return { host: u.hostname, port: Number(u.port) };
}

/** `root:Milvus` → the seed format's extension keys for a server with authentication. */
function credentials(token: string, prefix: 'dest' | 'source'): Record<string, string> {
  if (!token) return {};
  const [user, password] = token.split(':') as [string, string];
  return { [`${prefix}_user`]: user, [`${prefix}_password`]: password };
}

async function h2m(uri: string, file: string, collection: string, dimension: number, metric: string, token = '') {
  const { host, port } = hostPort(uri);
  const job = seedJob('H2M.yaml', (b) => {
    b['data_path'] = [join(seedDir, file)];
    b['dest_host'] = host;
    b['dest_port'] = port;
    Object.assign(b, credentials(token, 'dest'));
    b['dest_collection_name'] = collection;
    (b['collection_parameter'] as Record<string, unknown>)['dimension'] = dimension;
    (b['collection_parameter'] as Record<string, unknown>)['metric_type'] = metric;
  });
  return runCli(['--yaml', job, '--log-dir', tempDir()]);
}

async function m2h(uri: string, collection: string, token = '') {
  const { host, port } = hostPort(uri);
  const out = tempDir();
  const job = join(tempDir(), 'M2H.yaml');
  // The seed's M2H reads a 1.x directory; a live server is named by source_host/source_port.
  writeFileSync(
    job,
    stringify({
      M2H: {
        milvus_version: '2.x',
        source_host: host,
        source_port: port,
        ...credentials(token, 'source'),
        source_collection: { [collection]: null },
        data_dir: out,
      },
    }),
  );
  const result = await runCli(['--yaml', job, '--log-dir', tempDir()]);
  const [runDir] = readdirSync(out);
  return { result, runDir: join(out, runDir ?? 'missing') };
}

describe('seed H2M and M2H', () => {
  it('moves float_example.h5 (5000 × 100, ids above 2^53) into Milvus Lite and back out, bit for bit', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('seed_float');
    const load = await h2m(uri, 'float_example.h5', collection, 100, 'L2');
    expect(load.stderr).toContain('done: 5000 rows');
    expect(load.code).toBe(0);
    const inMilvus = await runPython<Verdict>('verify_milvus.py', [
      '--uri',
      uri,
      '--collection',
      collection,
      '--h5',
      join(seedDir, 'float_example.h5'),
    ]);
    expect(inMilvus).toMatchObject({ ok: true, expected: 5000, counted: 5000 });

    const dump = await m2h(uri, collection);
    expect(dump.result.code).toBe(0);
    const h5 = join(dump.runDir, collection, '_default.h5');
    const back = await runPython<Verdict>('verify_h5.py', [
      '--actual',
      h5,
      '--expected',
      join(seedDir, 'float_example.h5'),
      '--dtype',
      'float32',
    ]);
    expect(back).toMatchObject({ ok: true, expected: 5000 });
    // The H2M job written beside the dump loads it back.
    const yaml = parse(readFileSync(join(dump.runDir, 'yamls', collection, '_default.yaml'), 'utf8')) as { H2M: Record<string, unknown> };
    expect(yaml.H2M).toMatchObject({
      data_path: [h5],
      dest_collection_name: collection,
      mode: 'skip',
      collection_parameter: { dimension: 100, metric_type: 'L2' },
    });
  });

  it('moves byte_example.h5 (binary, 512 bits as 64-byte strings) into Milvus 2.3 and back out, every byte kept', async () => {
    const uri = inject('milvus23Uri');
    const token = inject('milvus23Token');
    expect(uri, 'Milvus 2.3 was not started (MILVUSDM_SKIP_MILVUS23=1?): binary vectors need it').not.toBe('');
    const collection = uniqueName('seed_bin');
    const load = await h2m(uri, 'byte_example.h5', collection, 512, 'HAMMING', token);
    expect(load.code, load.stderr).toBe(0);
    const inMilvus = await runPython<Verdict>('verify_milvus.py', [
      '--uri',
      uri,
      '--token',
      token,
      '--collection',
      collection,
      '--h5',
      join(seedDir, 'byte_example.h5'),
      '--binary',
    ]);
    expect(inMilvus).toMatchObject({ ok: true, expected: 5, counted: 5 });

    const dump = await m2h(uri, collection, token);
    expect(dump.result.code, dump.result.stderr).toBe(0);
    const back = await runPython<Verdict>('verify_h5.py', [
      '--actual',
      join(dump.runDir, collection, '_default.h5'),
      '--expected',
      join(seedDir, 'byte_example.h5'),
      '--dtype',
      'uint8',
    ]);
    expect(back).toMatchObject({ ok: true, expected: 5 });
  });

  it('refuses a dimension that does not match the file, naming both, before writing anything', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('seed_dim');
    const r = await h2m(uri, 'float_example.h5', collection, 128, 'L2');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/target\.dim is 128 but file .*float_example\.h5 holds float_vector "embedding" of dimension 100/);
  });
});
