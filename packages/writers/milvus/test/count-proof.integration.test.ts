/**
 * `count: auto` on Milvus Lite 3.x proves a run's rows from the server's acknowledgements where
 * they prove it (count-proof.ts; the cases are unit-tested in count-proof.test.ts). The proof
 * rests on keys being unique in what the run sends: files sharing keys must be refused by the
 * screen before a row of the repeat is sent.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

interface Verdict {
  ok: boolean;
  counted: number;
}

let a: string;
let overlapping: string;

beforeAll(async () => {
  const dir = tempDir();
  a = join(dir, 'a.h5');
  const b = join(dir, 'b.h5');
  await runPython('write_h5.py', ['--out', a, '--rows', '1000', '--dim', '8', '--pattern', 'counting']);
  // The keys of a's rows 5..704 (the counting pattern's keys step by 1000003), other vectors.
  await runPython('write_h5.py', [
    '--out',
    b,
    '--rows',
    '700',
    '--dim',
    '8',
    '--pattern',
    'counting',
    '--vector-scale',
    '2',
    '--id-offset',
    String(5 * 1000003),
  ]);
  overlapping = join(dir, 'both');
  mkdirSync(overlapping);
  copyFileSync(a, join(overlapping, 'a.h5'));
  copyFileSync(b, join(overlapping, 'b.h5'));
});

function run(source: string, target: Record<string, unknown>) {
  return runCli([
    'run',
    writeJob({ source: { type: 'hdf5', path: source }, target: { type: 'milvus', ...target } }),
    '--log-dir',
    tempDir(),
  ]);
}

describe('row counts proven by acknowledgements (Milvus Lite 3.2)', () => {
  it('count: auto proves a new collection by acknowledgements, and the rows are all there', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('ack');
    const r = await run(a, { uri, collection: c });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/acknowledged in full/);
    expect(await runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--collection', c, '--h5', a])).toMatchObject({
      ok: true,
      counted: 1000,
    });
  });

  it('count: server counts on the server instead', async () => {
    const uri = inject('milvusLiteUri');
    const c = uniqueName('srvcount');
    const r = await run(a, { uri, collection: c, count: 'server' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toMatch(/acknowledged in full/);
  });

  it('files sharing keys are one dataset: the screen refuses the repeat before any row of it is sent, whatever the mode', async () => {
    const uri = inject('milvusLiteUri');
    for (const mode of ['overwrite', 'append']) {
      const c = uniqueName('repeat');
      const r = await run(overlapping, { uri, collection: c, mode });
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/MDM_INVALID_DATA: .*row 1000 \(id 5000010\): the key occurs more than once in the source/);
      // The first file's batch went before the second file's was read; no row of the repeat did,
      // and the run says what it left.
      expect(r.stderr).toMatch(new RegExp(`collection "${c}", which it created, holds the 1000 rows committed before it stopped`));
      expect(await runPython<Verdict>('verify_milvus.py', ['--uri', uri, '--collection', c, '--h5', a])).toMatchObject({
        ok: true,
        counted: 1000,
      });
    }
  });
});
