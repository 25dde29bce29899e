/**
 * `milvusdm verify` and `run --verify` against real servers and files: a correct H2M, M2M and
 * M2H verify equal (and an independent reader agrees the data is right); a corrupted vector,
 * a missing row and a duplicated row planted by pymilvus / h5py are each found and named;
 * exit codes; legacy --yaml jobs; targets whose ids the server assigned.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Difference {
  kind: string;
  key: string;
  sourceRows: number;
  targetRows: number;
  fields?: string[];
}

interface Report {
  event: 'verify';
  equal: boolean;
  datasets: {
    source: string;
    target: string;
    equal: boolean;
    byKey: boolean;
    mode: string;
    sourceRows: number;
    targetRows: number;
    compared: string[];
    notes: string[];
    differences: Difference[];
    sample?: { requested: number; keys: number; seed: number };
  }[];
}

/** The verify report: the one JSON line with event "verify". */
function report(stdout: string): Report {
  const line = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { event: string })
    .find((e) => e.event === 'verify');
  if (!line) throw new Error(`no verify report in:\n${stdout}`);
  return line as Report;
}

const here = dirname(fileURLToPath(import.meta.url));
const ROWS = 3000;
/** write_h5.py's counting pattern: row i has id i * 1000003 - 5. */
const idOf = (i: number) => i * 1000003 - 5;

let source: string;
let noIds: string;

beforeAll(async () => {
  source = join(tempDir(), 'src.h5');
  await runPython('write_h5.py', ['--out', source, '--rows', String(ROWS), '--dim', '16', '--pattern', 'counting', '--dtype', 'float32']);
  noIds = join(tempDir(), 'noids.h5');
  await runPython('write_h5.py', ['--out', noIds, '--rows', '500', '--dim', '8', '--ids', 'none', '--dtype', 'float32']);
});

function tamperMilvus(uri: string, collection: string, action: string, id: number | bigint | string, partition?: string, token?: string) {
  return runPython<{ ok: boolean; rows: number }>('tamper.py', [
    'milvus',
    '--uri',
    uri,
    ...(token ? ['--token', token] : []),
    '--collection',
    collection,
    ...(partition ? ['--partition', partition] : []),
    action,
    '--id',
    String(id),
  ]);
}

describe('verify H2M (Milvus Lite)', () => {
  let job: string;
  let collection: string;
  let uri: string;

  beforeAll(async () => {
    uri = inject('milvusLiteUri');
    collection = uniqueName('verify_h2m');
    job = writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'milvus', uri, collection } });
  });

  it('run --verify passes on a correct migration, which an independent reader confirms', async () => {
    const r = await runCli(['run', job, '--verify', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`equal: file .*src\\.h5 → milvus collection "${collection}"`));
    expect(r.stdout).toMatch(/rows: source 3,000, target 3,000; compared every key and value: id, embedding/);
    expect(r.stdout).toMatch(/verify: source and target are equal/);
    const independent = await runPython<{ ok: boolean; counted: number }>('verify_milvus.py', [
      '--uri',
      uri,
      '--collection',
      collection,
      '--h5',
      source,
    ]);
    expect(independent).toMatchObject({ ok: true, counted: ROWS });
    const v = await runCli(['verify', job, '--json', '--quiet', '--log-dir', tempDir()]);
    expect(v.code, v.stderr).toBe(0);
    expect(report(v.stdout)).toMatchObject({
      equal: true,
      datasets: [{ equal: true, byKey: true, mode: 'full', sourceRows: ROWS, targetRows: ROWS, differences: [] }],
    });
  });

  it('names a corrupted vector and a missing row', async () => {
    // One fault at a time: each alone must make verify fail and be named.
    expect((await tamperMilvus(uri, collection, 'corrupt', idOf(10))).ok).toBe(true);
    let v = await runCli(['verify', job, '--json', '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    expect(report(v.stdout).datasets[0]!.differences).toEqual([
      { kind: 'different', key: String(idOf(10)), sourceRows: 1, targetRows: 1, fields: ['embedding'] },
    ]);

    expect((await tamperMilvus(uri, collection, 'delete', idOf(2000))).rows).toBe(ROWS - 1);
    v = await runCli(['verify', job, '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/DIFFERENT: .*\n {2}rows: source 3,000, target 2,999/);
    expect(v.stdout).toContain(`different id ${idOf(10)} (source 1, target 1): embedding differ`);
    expect(v.stdout).toContain(`missing id ${idOf(2000)} (source 1, target 0)`);
    expect(v.stdout).toMatch(/verify: 1 of 1 target\(s\) differ from the source/);
  });

  it('--sample checks the stated number of keys, drawn the same way for the same seed', async () => {
    const a = await runCli(['verify', job, '--sample', '3000', '--seed', '5', '--json', '--log-dir', tempDir()]);
    expect(a.code).toBe(1);
    const ra = report(a.stdout).datasets[0]!;
    expect(ra.sample).toEqual({ requested: 3000, keys: 3000, seed: 5 });
    expect(ra.differences.map((d) => [d.kind, d.key])).toEqual([
      ['different', String(idOf(10))],
      ['missing', String(idOf(2000))],
    ]);
    const b1 = await runCli(['verify', job, '--sample', '50', '--seed', '9', '--json', '--log-dir', tempDir()]);
    const b2 = await runCli(['verify', job, '--sample', '50', '--seed', '9', '--json', '--log-dir', tempDir()]);
    expect(report(b1.stdout).datasets[0]!.sample).toEqual({ requested: 50, keys: 50, seed: 9 });
    expect(b2.stdout.split('\n').filter((l) => l.includes('"verify"'))).toEqual(
      b1.stdout.split('\n').filter((l) => l.includes('"verify"')),
    );
    // Counts are always compared in full: the sample run still fails while the total is off.
  });
});

describe('verify M2M with partitions, and M2H (Milvus Lite)', () => {
  let uri: string;
  let src: string;
  /** make_collection.py's expected content per partition, written with h5py. */
  let expected: string;

  beforeAll(async () => {
    uri = inject('milvusLiteUri');
    src = uniqueName('verify_src');
    expected = tempDir();
    await runPython('make_collection.py', [
      '--uri',
      uri,
      '--collection',
      src,
      '--rows',
      '4000',
      '--dim',
      '8',
      '--partitions',
      'p1,p2',
      '--batch',
      '700',
      '--upsert-fraction',
      '0.1',
      '--expected',
      expected,
    ]);
  });

  it('M2M: each partition is verified, and a fault in one is named there', async () => {
    const dst = uniqueName('verify_dst');
    const job = writeJob({ source: { type: 'milvus', uri, collection: src }, target: { type: 'milvus', uri, collection: dst } });
    const r = await runCli(['run', job, '--verify', '--json', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    const ok = report(r.stdout);
    expect(ok.equal).toBe(true);
    expect(ok.datasets.map((d) => d.target).sort()).toEqual([
      `milvus collection "${dst}" partition "_default"`,
      `milvus collection "${dst}" partition "p1"`,
      `milvus collection "${dst}" partition "p2"`,
    ]);
    expect(ok.datasets.reduce((n, d) => n + d.targetRows, 0)).toBe(4000);
    // Independently (pymilvus against h5py's record of what was inserted): each partition is right.
    for (const p of ['p1', 'p2']) {
      const check = await runPython<{ ok: boolean }>('verify_milvus.py', [
        '--uri',
        uri,
        '--collection',
        dst,
        '--partition',
        p,
        '--h5',
        join(expected, `${p}.h5`),
      ]);
      expect(check, p).toMatchObject({ ok: true });
    }
    const [inP1] = (await runPython<{ ids: string[] }>(join(here, 'python', 'h5_ids.py'), [join(expected, 'p1.h5'), '1'])).ids;
    expect((await tamperMilvus(uri, dst, 'corrupt', inP1!, 'p1')).ok).toBe(true);
    const v = await runCli(['verify', job, '--json', '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    const bad = report(v.stdout).datasets.filter((d) => !d.equal);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.target).toMatch(/partition "p1"$/);
    expect(bad[0]!.differences).toEqual([{ kind: 'different', key: inP1, sourceRows: 1, targetRows: 1, fields: ['embedding'] }]);
  });

  it('M2H: the HDF5 file is read back with the hdf5 reader; a flipped bit, a lost and a doubled row are named', async () => {
    const dir = tempDir();
    const job = writeJob({ source: { type: 'milvus', uri, collection: src, partitions: ['p2'] }, target: { type: 'hdf5', dir } });
    const r = await runCli(['run', job, '--verify', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/equal: milvus .* → file .*p2\.h5/);
    const file = join(dir, src, 'p2.h5');
    // Independently: h5py finds p2's rows exactly, dtypes included.
    const check = await runPython<{ ok: boolean }>('verify_h5.py', [
      '--actual',
      file,
      '--expected',
      join(expected, 'p2.h5'),
      '--dtype',
      'float32',
    ]);
    expect(check).toMatchObject({ ok: true });
    // Three ids of p2, as h5py reads them from the expected content.
    const probe = await runPython<{ ids: string[] }>(join(here, 'python', 'h5_ids.py'), [join(expected, 'p2.h5'), '3']);
    const [a, b, c] = probe.ids;
    await runPython('tamper.py', ['h5', '--file', file, 'corrupt', '--id', a!]);
    await runPython('tamper.py', ['h5', '--file', file, 'delete', '--id', b!]);
    await runPython('tamper.py', ['h5', '--file', file, 'duplicate', '--id', c!]);
    const v = await runCli(['verify', job, '--json', '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    const kinds = new Map(report(v.stdout).datasets[0]!.differences.map((d) => [d.key, d.kind]));
    expect(kinds).toEqual(
      new Map([
        [a, 'different'],
        [b, 'missing'],
        [c, 'duplicated'],
      ]),
    );
  });
});

describe('verify: legacy --yaml jobs', () => {
  it('verifies a MilvusDM H2M job given with --yaml', async () => {
    const uri = inject('milvusLiteUri');
    const { hostname, port } = new URL(uri);
    const collection = uniqueName('verify_legacy');
    const file = join(tempDir(), 'H2M.yaml');
    writeFileSync(
      file,
      `H2M:\n  milvus_version: 2.0.0\n  data_path:\n    - ${source}\n  data_dir:\n  dest_host: '${hostname}'\n  dest_port: ${port}\n  mode: 'append'\n  dest_collection_name: ${collection}\n  dest_partition_name:\n  collection_parameter:\n    dimension: 16\n    index_file_size: 1024\n    metric_type: 'L2'\n`,
    );
    const r = await runCli(['--yaml', file, '--verify', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verify: source and target are equal/);
    const v = await runCli(['verify', '--yaml', file, '--json', '--log-dir', tempDir()]);
    expect(v.code, v.stderr).toBe(0);
    expect(report(v.stdout).datasets[0]).toMatchObject({ equal: true, sourceRows: ROWS, targetRows: ROWS });
    await tamperMilvus(uri, collection, 'delete', idOf(5));
    const bad = await runCli(['verify', file, '--json', '--log-dir', tempDir()]);
    expect(bad.code).toBe(1);
    expect(report(bad.stdout).datasets[0]!.differences).toEqual([{ kind: 'missing', key: String(idOf(5)), sourceRows: 1, targetRows: 0 }]);
  });
});

describe('verify: duplicated rows and server-assigned ids (Milvus 2.3, which keeps duplicates on insert)', () => {
  let uri: string;
  let token: string;
  beforeAll(() => {
    uri = inject('milvus23Uri');
    token = inject('milvus23Token');
  });

  it('names a duplicated row', async () => {
    const collection = uniqueName('verify_dup');
    const job = writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'milvus', uri, token, collection } });
    const r = await runCli(['run', job, '--verify', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/verify: source and target are equal/);
    // Milvus 2.3 keeps a second row with the same key on insert: the count grows.
    expect((await tamperMilvus(uri, collection, 'duplicate', idOf(77), undefined, token)).rows).toBe(ROWS + 1);
    const v = await runCli(['verify', job, '--json', '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    const d = report(v.stdout).datasets[0]!;
    expect(d.targetRows).toBe(ROWS + 1);
    expect(d.differences).toEqual([{ kind: 'duplicated', key: String(idOf(77)), sourceRows: 1, targetRows: 2 }]);
  });

  it('compares a target whose ids the server assigned by counts and values, and says so', async () => {
    const collection = uniqueName('verify_autoid');
    const job = writeJob({ source: { type: 'hdf5', path: noIds }, target: { type: 'milvus', uri, token, collection } });
    const r = await runCli(['run', job, '--verify', '--json', '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    const ok = report(r.stdout).datasets[0]!;
    expect(ok).toMatchObject({ equal: true, byKey: false, sourceRows: 500, targetRows: 500, compared: ['embedding'] });
    expect(ok.notes.join(' ')).toMatch(/assigned by the server, so rows are compared without their key/);
    const [first] = (await runPython<{ ids: string[] }>(join(here, 'python', 'milvus_ids.py'), [uri, token, collection, '1'])).ids;
    await tamperMilvus(uri, collection, 'delete', first!, undefined, token);
    const v = await runCli(['verify', job, '--json', '--log-dir', tempDir()]);
    expect(v.code).toBe(1);
    const d = report(v.stdout).datasets[0]!;
    expect(d.targetRows).toBe(499);
    expect(d.differences).toHaveLength(1);
    expect(d.differences[0]).toMatchObject({ kind: 'missing', sourceRows: 1, targetRows: 0 });
    expect(d.differences[0]!.key).toMatch(/^source row #\d+$/);
  });
});

describe('verify: usage', () => {
  it('exits 2 for usage errors, naming the problem', async () => {
    const job = writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'hdf5', dir: tempDir() } });
    const cases: [string[], RegExp][] = [
      [['verify'], /verify: give a job file/],
      [['verify', job, '--full', '--sample', '3'], /--full and --sample: choose one/],
      [['verify', job, '--sample', '0'], /--sample: expected a positive whole number/],
      [['verify', job, '--seed', '3'], /--seed applies to --sample only/],
      [['run', job, '--sample', '5'], /apply to verify and run --verify/],
      [['verify', job, '--run-id', 'x'], /--run-id: "x" is not a run folder name/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, '--log-dir', tempDir()]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('exits 1 with one line when the target is not there to read back', async () => {
    const job = writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'hdf5', dir: tempDir() } });
    const r = await runCli(['verify', job, '--log-dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_VERIFY: target file .*_default\.h5 cannot be read back: .*does not exist/);
  });
});
