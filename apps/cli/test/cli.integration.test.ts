/**
 * The command line as scripts and people use it: exit codes, quiet and JSON-lines output, log
 * files and their rotation, secrets kept out of everything printed, Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot, runCli, seedDir, tempDir, writeJob } from '@milvusdm/testing';

const seedFloat = join(seedDir, 'float_example.h5');
const h2h = (dir: string) => writeJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'hdf5', dir } });

describe('exit codes', () => {
  it('2 for usage errors and bad job files, naming what is wrong', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    const noFile = await runCli(['run']);
    expect(noFile.code).toBe(2);
    const badOption = await runCli(['run', 'x.yaml', '--colour']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/Unknown argument: colour/);
    const file = join(tempDir(), 'broken.yaml');
    writeFileSync(file, 'source:\n  type: hdf5\n  path: [unclosed\n');
    const broken = await runCli(['run', file]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/error MDM_JOB_FILE: .*broken\.yaml:\d+:\d+: /);
  });

  it('0 and a summary for a run that worked', async () => {
    const r = await runCli(['run', h2h(tempDir()), '--log-dir', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/done: 5000 rows in [\d.]+ s/);
  });
});

describe('output modes', () => {
  it('--quiet prints nothing on success', async () => {
    const r = await runCli(['run', h2h(tempDir()), '--quiet', '--log-dir', tempDir()]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
  });

  it('--json prints one JSON event per line on stdout, ending with the summary', async () => {
    const r = await runCli(['run', h2h(tempDir()), '--json', '--log-dir', tempDir(), '--batch-rows', '1000']);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; rows?: number });
    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('log');
    expect(kinds).toContain('plan');
    expect(kinds).toContain('dataset-start');
    expect(kinds).toContain('progress');
    expect(kinds).toContain('dataset-done');
    expect(events.at(-2)).toMatchObject({ event: 'done', rows: 5000 });
    expect(events.at(-1)).toMatchObject({ event: 'log', level: 'info' });
  });

  it('--json reports a failure as an error event too', async () => {
    const r = await runCli([
      'run',
      writeJob({ source: { type: 'hdf5', path: '/nonexistent.h5' }, target: { type: 'hdf5', dir: tempDir() } }),
      '--json',
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(1);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ event: 'error', code: 'MDM_SOURCE' });
  });
});

describe('log files', () => {
  it('writes a daily file with debug detail, and keeps only the newest logs_kept files', async () => {
    const logs = tempDir();
    for (const day of ['2020-01-01', '2020-01-02', '2020-01-03']) writeFileSync(join(logs, `milvusdm-${day}.log`), 'old\n');
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'hdf5', dir: tempDir() },
        run: { log_dir: logs, logs_kept: 2 },
      }),
    ]);
    expect(r.code).toBe(0);
    const files = readdirSync(logs)
      .filter((f) => f.endsWith('.log'))
      .sort();
    const today = new Date().toISOString().slice(0, 10);
    expect(files).toEqual(['milvusdm-2020-01-03.log', `milvusdm-${today}.log`]);
    const text = readFileSync(join(logs, `milvusdm-${today}.log`), 'utf8');
    expect(text).toMatch(/\| DEBUG \| reader from @milvusdm\/reader-hdf5/);
    expect(text).toMatch(/\| INFO \| done: 5000 rows/);
  });

  it('follows the seed: MILVUSDM_PATH/logs by default', async () => {
    const home = tempDir();
    const r = await runCli(['run', h2h(tempDir())], { env: { MILVUSDM_PATH: home } });
    expect(r.code).toBe(0);
    expect(readdirSync(join(home, 'logs')).some((f) => /^milvusdm-\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);
  });
});

describe('secrets', () => {
  it('never prints or logs a token, even in a server error', async () => {
    const logs = tempDir();
    const token = 'sk-live-0123456789abcdef';
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri: 'http://127.0.0.1:1', token, collection: 'c', timeout: 3 },
      }),
      '--log-dir',
      logs,
      '--verbose',
    ]);
    expect(r.code).toBe(1);
    const logText = readdirSync(logs)
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('');
    expect(r.stderr + r.stdout + logText).not.toContain(token);
  });

  it('resolves ${ENV} references for credentials', async () => {
    const r = await runCli([
      'run',
      writeJob({
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri: 'http://127.0.0.1:1', token: '${MDM_TEST_TOKEN}', collection: 'c' },
      }),
      '--log-dir',
      tempDir(),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/target\.token: environment variable MDM_TEST_TOKEN is not set/);
  });
});

describe('interruption', () => {
  let project: string;
  beforeAll(() => {
    // A reader slow enough to be interrupted mid-run.
    project = tempDir('milvusdm-slow-');
    const dir = join(project, 'node_modules', 'milvusdm-reader-slow');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'milvusdm-reader-slow',
        type: 'module',
        main: 'index.js',
        milvusdm: { apiVersion: 1, channels: [{ kind: 'reader', name: 'slow' }] },
      }),
    );
    writeFileSync(
      join(dir, 'index.js'),
      `export default { kind: 'reader', name: 'slow', options: { safeParse: (v) => ({ success: true, data: v }) },
        async open() { return { datasets: [{ key: 'slow', collection: 'slow', origin: 'slow reader', rows: 1000000,
          schema: { fields: [{ name: 'id', type: 'int64', isPrimaryKey: true }, { name: 'v', type: 'float_vector', dim: 2 }] },
          async *batches() { for (let i = 0; i < 1000; i++) { await new Promise((r) => setTimeout(r, 50));
            yield { numRows: 1000, columns: new Map([['id', { type: 'int64', values: BigInt64Array.from({ length: 1000 }, (_, k) => BigInt(i * 1000 + k)) }], ['v', { type: 'float_vector', dim: 2, values: new Float32Array(2000) }]]) }; } } }],
          async close() {} }; } };\n`,
    );
  });

  it('Ctrl-C stops the run, exit 1, and leaves nothing that looks whole (the .partial file stays, to resume)', async () => {
    const out = join(project, 'out');
    const job = join(project, 'job.yaml');
    writeFileSync(job, `source: {type: slow}\ntarget: {type: hdf5, dir: out}\n`);
    const child = spawn(process.execPath, [cliBin, 'run', job, '--log-dir', tempDir()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Mid-run, not mid-start-up (on a loaded machine the CLI may take seconds to start): after
    // the dataset began, and a few batches later.
    while (!/dataset 1\/1/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number>((r) => child.once('close', (c) => r(c ?? -1)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/SIGINT: stopping/);
    expect(stderr).toMatch(/error MDM_ABORTED: the run was interrupted/);
    expect(existsSync(join(out, 'slow', '_default.h5'))).toBe(false);
    // Rows were committed before the Ctrl-C: the partial file is what a resumed run continues
    // (apps/cli/test/resume.integration.test.ts resumes such runs).
    expect(existsSync(join(out, 'slow', '_default.h5.partial'))).toBe(true);
  });
});

describe('schema', () => {
  it('prints the JSON Schema of job files with a branch per installed channel', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: { source: { anyOf: { properties: { type: { const?: string } } }[] } } };
    const sources = schema.properties.source.anyOf.map((b) => b.properties.type.const).filter(Boolean);
    expect(sources).toEqual(expect.arrayContaining(['hdf5', 'milvus', 'faiss', 'milvus1x']));
  });

  it('matches the published copy in schema/job.schema.json (regenerate: npx milvusdm schema > schema/job.schema.json)', async () => {
    const r = await runCli(['schema']);
    expect(r.stdout).toBe(readFileSync(join(repoRoot, 'schema', 'job.schema.json'), 'utf8'));
  });
});
