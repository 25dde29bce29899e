/**
 * The Google Cloud Storage upload path against a GCS emulator (gcp-storage-emulator, started
 * here): files land whole (big ones by a chunked resumable upload), are removed on request; a key
 * that cannot be used is refused in one line that holds no part of it; and CLI runs upload their
 * import files through it, keeping the key out of their output, log files and state.
 *
 * Not tested here: a key the service itself refuses. The emulator checks no credentials, and
 * Google's token service is not reachable from the tests.
 */
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Storage, type Bucket } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milvusdm/core';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';
import { openGcsStore } from '../src/index.js';
import { startGcsEmulator, type GcsEmulator } from './gcs-emulator.js';

const BUCKET = 'milvus-bucket';

let server: GcsEmulator;
let bucket: Bucket;

beforeAll(async () => {
  server = await startGcsEmulator(BUCKET);
  bucket = new Storage({ apiEndpoint: server.endpoint }).bucket(BUCKET);
}, 600_000);

afterAll(async () => {
  await server?.stop();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A service account key file of the real format, with a private key made here. */
function keyFile(): { path: string; privateKey: string } {
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const path = join(tempDir(), 'service-account.json');
  writeFileSync(
    path,
    JSON.stringify({
      type: 'service_account',
      project_id: 'milvusdm-test',
      private_key_id: 'f00d' + randomBytes(18).toString('hex'),
      private_key: privateKey,
      client_email: 'milvusdm@milvusdm-test.iam.gserviceaccount.com',
    }),
  );
  return { path, privateKey };
}

/** The base64 body of a PEM key, line by line: a leak of any line of it is a leak. */
const keyLines = (pem: string) => pem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));

function allOutput(r: { stdout: string; stderr: string }, dirs: string[]): string[] {
  const everything = [r.stdout, r.stderr];
  for (const dir of dirs) {
    for (const f of readdirSync(dir, { recursive: true })) {
      const path = join(dir, String(f));
      if (statSync(path).isFile()) everything.push(readFileSync(path, 'utf8'));
    }
  }
  return everything;
}

describe('@milvusdm/storage-gcs against gcp-storage-emulator', () => {
  it('uploads a 20 MB file whole by a resumable upload in 8 MiB chunks, byte for byte, and removes it', async () => {
    const file = join(tempDir(), 'big.parquet');
    writeFileSync(file, randomBytes(20 * 1024 * 1024 + 12345));
    const store = await openGcsStore({ bucket: BUCKET, endpoint: server.endpoint }, silentLogger);
    expect(store.describe).toBe(`gs://milvus-bucket at ${server.endpoint}`);
    const key = 'import/run1/part-000000000000.parquet';
    try {
      await store.putFile(key, file);
      // One session, then three chunks: two answered 308 (resume incomplete), the last 200.
      const chunks = server
        .requests()
        .filter((line) => line.startsWith('"PUT /upload/') && line.includes('import%2Frun1%2Fpart-000000000000'));
      expect(chunks.map((line) => line.split(' ').at(-2))).toEqual(['308', '308', '200']);
      const [stored] = await bucket.file(key).download();
      expect(stored.length).toBe(statSync(file).size);
      expect(sha256(stored)).toBe(sha256(readFileSync(file)));
      await store.remove(key);
      const [left] = await bucket.getFiles({ prefix: 'import/run1/' });
      expect(left).toEqual([]);
      // Removing what is gone is fine (a resumed run removes files the server already imported).
      await store.remove(key);
    } finally {
      await store.close();
    }
  });

  it('a small file goes in one request, byte for byte', async () => {
    const file = join(tempDir(), 'small.parquet');
    writeFileSync(file, randomBytes(1000));
    const store = await openGcsStore({ bucket: BUCKET, endpoint: server.endpoint }, silentLogger);
    await store.putFile('small/x.parquet', file);
    expect(server.requests().filter((line) => line.includes('small%2Fx.parquet') && line.includes('uploadType=multipart'))).toHaveLength(1);
    const [stored] = await bucket.file('small/x.parquet').download();
    expect(sha256(stored)).toBe(sha256(readFileSync(file)));
  });

  it('a key that cannot be used: refused in one line holding no part of it; its private parts go to the redactor', async () => {
    const file = join(tempDir(), 'small.parquet');
    writeFileSync(file, 'x');
    const key = keyFile();
    const redacted: (string | undefined)[] = [];
    // With key_file the key is used at any endpoint: the SDK asks Google's token service for a
    // token, which it cannot reach (or which refuses a key it never issued).
    const store = await openGcsStore({ bucket: BUCKET, endpoint: server.endpoint, key_file: key.path }, silentLogger, (s) =>
      redacted.push(s),
    );
    expect(redacted).toContain(key.privateKey);
    expect(redacted).toContain(JSON.parse(readFileSync(key.path, 'utf8')).private_key_id);
    const e = await store.putFile('k/x.parquet', file).catch((err: unknown) => err as Error);
    expect(e).toBeInstanceOf(Error);
    expect(e!.message).toMatch(/^gs:\/\/milvus-bucket at http:\/\/127\.0\.0\.1:\d+: uploading k\/x\.parquet: /);
    expect(e!.message.split('\n')).toHaveLength(1);
    for (const line of keyLines(key.privateKey)) expect(e!.message).not.toContain(line);
    const [left] = await bucket.getFiles({ prefix: 'k/' });
    expect(left).toEqual([]);
  });

  it('a key_file that is not a service account key: one line naming the file, quoting none of it', async () => {
    const dir = tempDir();
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{"private_key": "-----BEGIN PRIVATE KEY-----\nSECRETSECRET');
    await expect(openGcsStore({ bucket: BUCKET, key_file: notJson }, silentLogger)).rejects.toThrow(
      new RegExp(`^target\\.storage: key_file ${notJson}: not JSON`),
    );
    const e = await openGcsStore({ bucket: BUCKET, key_file: notJson }, silentLogger).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e!.message).not.toContain('SECRETSECRET');
    const wrongShape = join(dir, 'user.json');
    writeFileSync(wrongShape, JSON.stringify({ type: 'authorized_user', refresh_token: 'SECRETSECRET' }));
    await expect(openGcsStore({ bucket: BUCKET, key_file: wrongShape }, silentLogger)).rejects.toThrow(
      /^target\.storage: key_file .*user\.json: not a service account key \(client_email and private_key are missing\)$/,
    );
    await expect(openGcsStore({ bucket: BUCKET, key_file: join(dir, 'absent.json') }, silentLogger)).rejects.toThrow(
      /^target\.storage: key_file .*absent\.json cannot be read \(ENOENT\)$/,
    );
  });

  const job = (collection: string, storage: Record<string, unknown>, stateDir: string, h5: string) =>
    writeJob({
      source: { type: 'hdf5', path: h5 },
      target: {
        type: 'milvus',
        uri: inject('milvus23Uri'),
        token: inject('milvus23Token'),
        collection,
        method: 'import',
        import_poll_ms: 200,
        storage: { type: 'gcs', bucket: BUCKET, endpoint: server.endpoint, prefix: 'milvusdm', ...storage },
      },
      run: { state_dir: stateDir },
    });

  it('CLI runs: the import files are uploaded; a key that cannot be used stops the run, and reaches neither output, logs nor state', async () => {
    const h5 = join(tempDir(), 'data.h5');
    await runPython('write_h5.py', ['--out', h5, '--rows', '3000', '--dim', '8']);

    const logDir = tempDir();
    const stateDir = tempDir();
    const r = await runCli(['run', job(uniqueName('gcs_import'), {}, stateDir, h5), '--log-dir', logDir, '--log-level', 'debug']);
    // No Milvus here imports from GCS (2.3.5 standalone reads its local disk): the upload lands,
    // the import job fails on the key, and says so with the server's reason.
    expect(r.stderr).toMatch(/uploaded milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet \(\d+ bytes\) to gs:\/\/milvus-bucket/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bulk insert of milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet into "gcs_import\w+" failed \(job \d+\): .*no such file/,
    );

    const key = keyFile();
    const keyLogDir = tempDir();
    const keyStateDir = tempDir();
    const k = await runCli([
      'run',
      job(uniqueName('gcs_key'), { key_file: key.path }, keyStateDir, h5),
      '--log-dir',
      keyLogDir,
      '--log-level',
      'debug',
    ]);
    expect(k.code).not.toBe(0);
    expect(k.stderr).toMatch(
      /gs:\/\/milvus-bucket at http:\/\/127\.0\.0\.1:\d+: uploading milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet: /,
    );
    for (const text of allOutput(k, [keyLogDir, keyStateDir])) {
      for (const line of keyLines(key.privateKey)) expect(text).not.toContain(line);
    }
  });
});
