/**
 * Refusals and messages, through the real CLI: each case asserts the one line the user sees,
 * the exit code, and that the target is untouched (no collection created).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, runPython, seedDir, tempDir, uniqueName, writeJob } from '@milvusdm/testing';

const seedFloat = join(seedDir, 'float_example.h5');
const seedBinary = join(seedDir, 'byte_example.h5');

type State = Record<string, { exists: boolean; rows?: number; partitions?: string[] }>;

function state(uri: string, ...collections: string[]): Promise<State> {
  return runPython<State>('target_state.py', ['--uri', uri, ...collections]);
}

/** Every line printed on stderr that reports an error. */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error '));
}

function runJob(doc: unknown, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runCli(['run', writeJob(doc), '--log-dir', tempDir(), ...extra], { env });
}

describe('server refusals are one line with the server reason', () => {
  it('the seed binary H2M job against Milvus Lite: one line naming the field, not [object Object]', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('bina');
    const dir = tempDir();
    const job = join(dir, 'H2M.yaml');
    const seed = readFileSync(join(seedDir, 'yamls', 'H2M.yaml'), 'utf8');
    const port = new URL(uri).port;
    writeFileSync(
      job,
      seed
        .replace('/Users/data/example/byte_example.h5', seedBinary)
        .replace('dest_port: 19530', `dest_port: ${port}`)
        .replace("'test_bina'", `'${collection}'`),
    );
    const r = await runCli(['--yaml', job, '--log-dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^error MDM_UNSUPPORTED: collection "${collection}": field "embedding" is binary_vector, which Milvus Lite 3 does not store \\(it stores float_vector and sparse_float_vector\\); .* runs milvus_lite-3\\.`,
        ),
      ),
    ]);
    expect(r.stderr).not.toMatch(/\[object Object\]|MDM_INTERNAL/);
    expect(await state(uri, collection)).toEqual({ [collection]: { exists: false } });
  });
});

describe('a server that accepts the connection and never answers', () => {
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('is reported after the connect deadline (default 15 s), naming the key', async () => {
    const port = (server.address() as { port: number }).port;
    const r = await runJob({
      source: { type: 'hdf5', path: seedFloat },
      target: { type: 'milvus', uri: `http://127.0.0.1:${port}`, collection: 'never' },
    });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error MDM_CONNECT: no answer from 127.0.0.1:${port} (target.uri) within 15 s: is it a Milvus server, and is it running?`,
    ]);
    expect(r.stderr).toContain('hint: The wait is target.connect_timeout (seconds).');
  });

  it('honours connect_timeout', async () => {
    const port = (server.address() as { port: number }).port;
    const r = await runJob({
      source: { type: 'milvus', uri: `127.0.0.1:${port}`, collection: 'c', connect_timeout: 2 },
      target: { type: 'hdf5', dir: tempDir() },
    });
    expect(r.code).toBe(1);
    expect(errorLines(r.stderr)).toEqual([
      `error MDM_CONNECT: no answer from 127.0.0.1:${port} (source.uri) within 2 s: is it a Milvus server, and is it running?`,
    ]);
  });
});

describe('input checks before anything opens (exit 2, target untouched)', () => {
  const cases: { name: string; target?: Record<string, unknown>; run?: Record<string, unknown>; args?: string[]; message: RegExp }[] = [
    {
      name: '--batch-rows -3',
      args: ['--batch-rows', '-3'],
      message: /^error MDM_CONFIG: --batch-rows: expected a whole number from 1 to 1000000, got "-3"$/,
    },
    {
      name: '--batch-rows 0.5',
      args: ['--batch-rows', '0.5'],
      message: /^error MDM_CONFIG: --batch-rows: expected a whole number from 1 to 1000000, got "0\.5"$/,
    },
    {
      name: '--batch-rows 0',
      args: ['--batch-rows=0'],
      message: /^error MDM_CONFIG: --batch-rows: expected a whole number from 1 to 1000000, got "0"$/,
    },
    { name: 'run.batch_rows 0.5', run: { batch_rows: 0.5 }, message: /^error MDM_CONFIG: .*job\.yaml: run\.batch_rows: / },
    { name: 'run.batch_rows -3', run: { batch_rows: -3 }, message: /^error MDM_CONFIG: .*job\.yaml: run\.batch_rows: / },
    { name: 'run.prefetch -1', run: { prefetch: -1 }, message: /^error MDM_CONFIG: .*job\.yaml: run\.prefetch: / },
    { name: 'run.prefetch 1.5', run: { prefetch: 1.5 }, message: /^error MDM_CONFIG: .*job\.yaml: run\.prefetch: / },
    {
      name: 'partition p"; drop',
      target: { partition: 'p"; drop' },
      message: /^error MDM_CONFIG: .*job\.yaml: target\.partition: not a valid Milvus partition name: .*\(got "p\\"; drop"\)$/,
    },
    {
      name: 'collection with a quote',
      target: { collection: 'a" || 1==1' },
      message: /^error MDM_CONFIG: .*job\.yaml: target\.collection: not a valid Milvus collection name/,
    },
    {
      name: 'ftp:// uri',
      target: { uri: 'ftp://127.0.0.1:21' },
      message: /^error MDM_CONFIG: .*job\.yaml: target\.uri: unsupported scheme "ftp:\/\/"/,
    },
    {
      name: 's3:// uri',
      target: { uri: 's3://bucket/milvus' },
      message: /^error MDM_CONFIG: .*job\.yaml: target\.uri: unsupported scheme "s3:\/\/"/,
    },
    {
      name: 'client cert without key',
      target: { tls: { cert: 'client.pem' } },
      message: /^error MDM_CONFIG: .*job\.yaml: target\.tls: a client certificate needs both cert and key$/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const uri = inject('milvusLiteUri');
      const collection = uniqueName('refused');
      const doc = {
        source: { type: 'hdf5', path: seedFloat },
        target: { type: 'milvus', uri, collection, ...c.target },
        ...(c.run ? { run: c.run } : {}),
      };
      const r = await runJob(doc, c.args ?? []);
      expect(r.code, r.stderr).toBe(2);
      expect(errorLines(r.stderr)).toEqual([expect.stringMatching(c.message)]);
      expect(await state(uri, collection)).toEqual({ [collection]: { exists: false } });
    });
  }

  it('a legacy H2M file names its own keys (dest_partition_name, dest_uri)', async () => {
    const uri = inject('milvusLiteUri');
    const dir = tempDir();
    const job = join(dir, 'H2M.yaml');
    const collection = uniqueName('legacy');
    writeFileSync(
      job,
      [
        'H2M:',
        `  data_path: [${seedFloat}]`,
        `  dest_uri: '${uri}'`,
        `  dest_collection_name: ${collection}`,
        `  dest_partition_name: 'p"; drop'`,
        '  mode: append',
        '  collection_parameter: {dimension: 128, metric_type: L2}',
      ].join('\n'),
    );
    const r = await runCli(['--yaml', job, '--log-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/H2M\.dest_partition_name: not a valid Milvus partition name/)]);
    writeFileSync(job, readFileSync(job, 'utf8').replace(`'p"; drop'`, 'p1').replace(`dest_uri: '${uri}'`, "dest_uri: 'ftp://x:21'"));
    const r2 = await runCli(['--yaml', job, '--log-dir', tempDir()]);
    expect(r2.code).toBe(2);
    expect(errorLines(r2.stderr)).toEqual([expect.stringMatching(/H2M\.dest_uri: unsupported scheme "ftp:\/\/"/)]);
    expect(await state(uri, collection)).toEqual({ [collection]: { exists: false } });
  });
});

describe('local files and folders', () => {
  const rmCleanup: string[] = [];
  afterAll(() => {
    for (const dir of rmCleanup) rmSync(dir, { recursive: true, force: true });
  });

  it('an output folder the user cannot write: "cannot write <path>: permission denied", exit 1', async () => {
    const uri = inject('milvusLiteUri');
    const collection = uniqueName('m2h');
    const load = await runJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri, collection } });
    expect(load.code, load.stderr).toBe(0);
    // As root every folder is writable: run as an ordinary user, as a user would meet this,
    // from a folder that user can reach.
    const root = mkdtempSync(join(tmpdir(), 'milvusdm-eacces-'));
    const locked = join(root, 'locked');
    const logs = join(root, 'logs');
    mkdirSync(locked);
    mkdirSync(logs);
    chmodSync(root, 0o755);
    chmodSync(locked, 0o555);
    chmodSync(logs, 0o777);
    const job = join(root, 'job.yaml');
    writeFileSync(job, JSON.stringify({ source: { type: 'milvus', uri, collection }, target: { type: 'hdf5', dir: join(locked, 'out') } }));
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = await runCli(['run', job, '--log-dir', logs], { ...asUser, env: { HOME: root } }).finally(() => undefined);
    rmCleanup.push(root);
    expect(r.code, r.stderr).toBe(1);
    expect(errorLines(r.stderr)).toEqual([`error MDM_IO: cannot write ${join(locked, 'out')}: permission denied`]);
    expect(readdirSync(locked)).toEqual([]);
  });

  it('a Milvus Lite source folder that does not exist is not "Milvus Lite is not installed"', async () => {
    const missing = join(tempDir(), 'no-such-db');
    const r = await runJob({ source: { type: 'milvus', uri: missing, collection: 'c' }, target: { type: 'hdf5', dir: tempDir() } });
    expect(r.code).toBe(2);
    expect(errorLines(r.stderr)).toEqual([`error MDM_CONFIG: source.uri: the Milvus Lite folder ${missing} does not exist`]);
    const deep = join(tempDir(), 'typo', 'milvus');
    const w = await runJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri: deep, collection: 'c' } });
    expect(w.code).toBe(2);
    expect(errorLines(w.stderr)).toEqual([
      `error MDM_CONFIG: target.uri: cannot create the Milvus Lite folder ${deep}: ${join(deep, '..')} does not exist`,
    ]);
    // A folder that is fine, on a machine without Milvus Lite: that one is "not installed".
    const ok = tempDir();
    const n = await runJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'milvus', uri: ok, collection: 'c' } }, [], {
      MILVUSDM_MILVUS_LITE: '/nonexistent/milvus-lite',
    });
    expect(n.code).toBe(1);
    expect(errorLines(n.stderr)).toEqual([`error MDM_CONNECT: target.uri is a local folder (${ok}) and Milvus Lite is not installed`]);
  });
});
