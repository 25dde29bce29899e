/**
 * A live collection out to HDF5 (M2H) and back in (H2M), with keys inserted in shuffled order
 * and a tenth of them upserted later: nothing may be lost or repeated. Milvus Lite 3 returns
 * query rows in storage order, which is what breaks paging by "key > last seen".
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli, runPython, tempDir, uniqueName } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  expected: number;
  counted?: number;
  actual?: number;
  mismatches: unknown[];
}

function job(doc: unknown): string {
  const file = join(tempDir(), 'job.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

/** Enough rows for several segments and read pages on Milvus Lite; the soak and the benchmarks go bigger. */
const ROWS = 40_000;

describe('M2H then H2M of a live collection', () => {
  it(`keeps all ${ROWS} rows of a shuffled, upserted collection, bit for bit, none repeated`, async () => {
    const uri = inject('milvusLiteUri');
    const source = uniqueName('shuffled');
    const expected = tempDir();
    const made = await runPython<{ rows: number; upserted: number }>('make_collection.py', [
      '--uri',
      uri,
      '--collection',
      source,
      '--rows',
      String(ROWS),
      '--dim',
      '16',
      '--upsert-fraction',
      '0.1',
      '--big-ids',
      '--expected',
      expected,
    ]);
    expect(made).toMatchObject({ rows: ROWS, upserted: ROWS / 10 });

    const out = tempDir();
    const dump = await runCli([
      'run',
      job({ source: { type: 'milvus', uri, collection: source }, target: { type: 'hdf5', dir: out } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(dump.code, dump.stderr).toBe(0);
    const h5 = join(out, source, '_default.h5');
    const dumped = await runPython<Verdict>('verify_h5.py', ['--actual', h5, '--expected', join(expected, 'all.h5'), '--dtype', 'float32']);
    expect(dumped).toMatchObject({ ok: true, expected: ROWS, actual: ROWS });

    const target = uniqueName('restored');
    const load = await runCli([
      'run',
      job({ source: { type: 'hdf5', path: h5 }, target: { type: 'milvus', uri, collection: target } }),
      '--log-dir',
      tempDir(),
    ]);
    expect(load.code, load.stderr).toBe(0);
    const restored = await runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--collection', target, '--h5', join(expected, 'all.h5')]);
    expect(restored).toMatchObject({ ok: true, expected: ROWS, counted: ROWS });
  });

  const servers = [
    {
      name: 'Milvus Lite 3, float vectors',
      uri: () => inject('milvusLiteUri'),
      token: () => '',
      vector: ['--dim', '24'],
      binary: [] as string[],
    },
    {
      name: 'Milvus 2.3, binary vectors',
      uri: () => inject('milvus23Uri'),
      token: () => inject('milvus23Token'),
      vector: ['--dim', '64', '--binary'],
      binary: ['--binary'],
    },
  ];
  for (const server of servers) {
    it(`dumps each partition to its own file and restores them into the same partitions (${server.name})`, async () => {
      const uri = server.uri();
      const token = server.token();
      expect(uri, `${server.name} is needed for this test`).not.toBe('');
      const auth = token ? ['--token', token] : [];
      const source = uniqueName('parts');
      const expected = tempDir();
      await runPython('make_collection.py', [
        '--uri',
        uri,
        ...auth,
        '--collection',
        source,
        '--rows',
        '3000',
        ...server.vector,
        '--partitions',
        'p1,p2',
        '--batch',
        '500',
        '--upsert-fraction',
        '0.2',
        '--expected',
        expected,
      ]);
      const out = tempDir();
      const dump = await runCli([
        'run',
        job({ source: { type: 'milvus', uri, ...(token ? { token } : {}), collection: source }, target: { type: 'hdf5', dir: out } }),
        '--log-dir',
        tempDir(),
      ]);
      expect(dump.code, dump.stderr).toBe(0);
      expect(readdirSync(join(out, source)).sort()).toEqual(['_default.h5', 'p1.h5', 'p2.h5']);
      for (const p of ['p1', 'p2']) {
        const v = await runPython<Verdict>('verify_h5.py', [
          '--actual',
          join(out, source, `${p}.h5`),
          '--expected',
          join(expected, `${p}.h5`),
          '--dtype',
          server.binary.length ? 'uint8' : 'float32',
        ]);
        expect(v).toMatchObject({ ok: true, expected: 1500 });
      }
      // Back into a new collection, partition by partition.
      const target = uniqueName('parts_back');
      for (const p of ['p1', 'p2']) {
        const r = await runCli([
          'run',
          job({
            source: { type: 'hdf5', path: join(out, source, `${p}.h5`) },
            target: { type: 'milvus', uri, ...(token ? { token } : {}), collection: target, partition: p },
          }),
          '--log-dir',
          tempDir(),
        ]);
        expect(r.code, r.stderr).toBe(0);
        const v = await runPython<Verdict>('verify_milvus.py', [
          '--uri',
          uri,
          ...auth,
          '--collection',
          target,
          '--partition',
          p,
          '--h5',
          join(expected, `${p}.h5`),
          ...server.binary,
        ]);
        expect(v).toMatchObject({ ok: true, expected: 1500, counted: 1500 });
      }
    });
  }
});
