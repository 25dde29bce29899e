/**
 * A third-party reader installed in a project outside the workspace, found by the real CLI at
 * run time and paired with a first-party writer.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runPython, tempDir, uniqueName } from '@milvusdm/testing';
import { stringify } from 'yaml';

const ROWS = 2500;
const DIM = 8;

// Generates rows whose values are a function of the row number, so an independent reader can check them.
const readerCode = `
const options = { safeParse: (v) => (v && typeof v.rows === 'number' ? { success: true, data: v } : { success: false, error: { issues: [{ code: 'custom', path: ['rows'], message: 'rows must be a number' }] } }) };
export default {
  kind: 'reader', name: 'counting', options,
  async open(opts) {
    const rows = opts.rows, dim = ${DIM};
    const schema = { fields: [ { name: 'id', type: 'int64', isPrimaryKey: true }, { name: 'embedding', type: 'float_vector', dim, metric: 'IP' } ] };
    return {
      datasets: [{
        key: 'counting', collection: opts.collection ?? 'counting', schema, origin: 'counting reader', rows,
        async *batches({ batchRows }) {
          for (let start = 0; start < rows; start += batchRows) {
            const n = Math.min(batchRows, rows - start);
            const ids = new BigInt64Array(n), vec = new Float32Array(n * dim);
            for (let i = 0; i < n; i++) { ids[i] = BigInt(start + i) * 1000003n - 5n; for (let j = 0; j < dim; j++) vec[i * dim + j] = (start + i) / (j + 1); }
            yield { numRows: n, columns: new Map([['id', { type: 'int64', values: ids }], ['embedding', { type: 'float_vector', dim, values: vec }]]), cursor: start + n };
          }
        },
      }],
      async close() {},
    };
  },
};
`;

let project: string;
let expectedH5: string;

beforeAll(async () => {
  project = tempDir('milvusdm-thirdparty-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  const dir = join(project, 'node_modules', 'milvusdm-reader-counting');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'milvusdm-reader-counting',
      version: '0.0.1',
      type: 'module',
      main: 'index.js',
      milvusdm: { apiVersion: 1, channels: [{ kind: 'reader', name: 'counting' }] },
    }),
  );
  writeFileSync(join(dir, 'index.js'), readerCode);
  expectedH5 = join(project, 'expected.h5');
  await runPython('write_h5.py', ['--out', expectedH5, '--rows', String(ROWS), '--dim', String(DIM), '--pattern', 'counting']);
});

describe('a third-party plugin outside the workspace', () => {
  it('is listed by `milvusdm plugins --json` from the project folder', async () => {
    const r = await runCli(['plugins', '--json'], { cwd: project });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { package: string; channels: { kind: string; name: string }[] }[];
    expect(list.find((p) => p.package === 'milvusdm-reader-counting')?.channels).toEqual([{ kind: 'reader', name: 'counting' }]);
    // First-party channels installed beside the CLI are listed too.
    expect(list.map((p) => p.package)).toContain('@milvusdm/writer-hdf5');
  });

  it('feeds the first-party HDF5 writer, every value as generated', async () => {
    const out = join(project, 'out');
    const job = join(project, 'to-h5.yaml');
    writeFileSync(
      job,
      stringify({ source: { type: 'counting', rows: ROWS }, target: { type: 'hdf5', dir: 'out' }, run: { batch_rows: 1000 } }),
    );
    const r = await runCli(['run', job, '--log-dir', tempDir()], { cwd: tempDir() });
    expect(r.code, r.stderr).toBe(0);
    const v = await runPython<{ ok: boolean }>('verify_h5.py', [
      '--actual',
      join(out, 'counting', '_default.h5'),
      '--expected',
      expectedH5,
      '--dtype',
      'float32',
    ]);
    expect(v).toMatchObject({ ok: true, expected: ROWS });
  });

  it('feeds the first-party Milvus writer', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('counting');
    const job = join(project, 'to-milvus.yaml');
    writeFileSync(job, stringify({ source: { type: 'counting', rows: ROWS, collection }, target: { type: 'milvus', uri } }));
    const r = await runCli(['run', job, '--log-dir', tempDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/creating AUTOINDEX index on "[^"]+\.embedding" with metric IP/);
    const v = await runPython<{ ok: boolean }>('verify_milvus.py', ['--uri', uri, '--collection', collection, '--h5', expectedH5]);
    expect(v).toMatchObject({ ok: true, expected: ROWS, counted: ROWS });
  });

  it('reports its own option errors against the job key, exit 2', async () => {
    const job = join(project, 'bad.yaml');
    writeFileSync(job, stringify({ source: { type: 'counting', rows: 'many' }, target: { type: 'hdf5', dir: 'out2' } }));
    const r = await runCli(['run', job, '--log-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error MDM_CONFIG: .*bad\.yaml: source\.rows: rows must be a number/);
  });

  it('names the package to install when a type has no plugin, exit 1', async () => {
    const job = join(project, 'missing.yaml');
    writeFileSync(job, stringify({ source: { type: 'lancedb', path: 'x' }, target: { type: 'hdf5', dir: 'out3' } }));
    const r = await runCli(['run', job, '--log-dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MDM_PLUGIN_NOT_FOUND: no reader plugin found for type "lancedb"/);
    expect(r.stderr).toMatch(/hint: .*npm i @milvusdm\/reader-lancedb/);
  });
});
