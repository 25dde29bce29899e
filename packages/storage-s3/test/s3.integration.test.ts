/**
 * The S3 upload path against a real S3-compatible server (SeaweedFS, started here): files land
 * whole (multipart included), are removed on request, wrong keys are refused in one line; and a
 * CLI run that uploads its import files through it keeps both keys out of its output, its log
 * files and its state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milvusdm/core';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';
import { openS3Store } from '../src/index.js';
import { startSeaweed, type Seaweed } from './seaweedfs.js';

const ACCESS = 'AKIAMILVUSDMTEST0001';
const SECRET = 'sEcReT-milvusdm-' + randomBytes(8).toString('hex');
const BUCKET = 'milvus-bucket';

let server: Seaweed;
let client: S3Client;

beforeAll(async () => {
  server = await startSeaweed(ACCESS, SECRET);
  client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET },
  });
  for (let i = 0; ; i++) {
    try {
      await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
      break;
    } catch (e) {
      // The S3 gateway answers before its filer is ready.
      if (i > 50) throw e;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}, 600_000);

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const options = (extra: Record<string, unknown> = {}) => ({
  bucket: BUCKET,
  endpoint: server.endpoint,
  region: 'us-east-1',
  access_key: ACCESS,
  secret_key: SECRET,
  force_path_style: true,
  ...extra,
});

async function objectBytes(key: string): Promise<Buffer> {
  const r = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

describe('@milvusdm/storage-s3 against SeaweedFS', () => {
  it('uploads a file whole (multipart above 8 MiB), byte for byte, and removes it', async () => {
    const file = join(tempDir(), 'big.parquet');
    writeFileSync(file, randomBytes(20 * 1024 * 1024 + 12345));
    const store = await openS3Store(options(), silentLogger);
    try {
      await store.putFile('import/run1/part-000000000000.parquet', file);
      const stored = await objectBytes('import/run1/part-000000000000.parquet');
      expect(stored.length).toBe(statSync(file).size);
      expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      await store.remove('import/run1/part-000000000000.parquet');
      const left = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'import/run1/' }));
      expect(left.KeyCount ?? 0).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('wrong keys: refused in one line that holds neither key', async () => {
    const file = join(tempDir(), 'small.parquet');
    writeFileSync(file, 'x');
    const store = await openS3Store(options({ secret_key: 'wrong-' + SECRET }), silentLogger);
    try {
      const e = await store.putFile('k/x.parquet', file).catch((err: unknown) => err as Error);
      expect(e).toBeInstanceOf(Error);
      expect(e!.message).toMatch(/^s3:\/\/milvus-bucket at http:\/\/127\.0\.0\.1:\d+: uploading k\/x\.parquet: /);
      expect(e!.message).not.toContain(SECRET);
      expect(e!.message).not.toContain(ACCESS);
    } finally {
      await store.close();
    }
  });

  it('a CLI run uploads its import files through it; neither key reaches its output, logs or state', async () => {
    const h5 = join(tempDir(), 'data.h5');
    await runPython('write_h5.py', ['--out', h5, '--rows', '3000', '--dim', '8']);
    const logDir = tempDir();
    const stateDir = tempDir();
    const r = await runCli(
      [
        'run',
        writeJob({
          source: { type: 'hdf5', path: h5 },
          target: {
            type: 'milvus',
            uri: inject('milvus23Uri'),
            token: inject('milvus23Token'),
            collection: uniqueName('s3_import'),
            method: 'import',
            import_poll_ms: 200,
            storage: {
              type: 's3',
              bucket: BUCKET,
              endpoint: server.endpoint,
              prefix: 'milvusdm',
              access_key: '${S3_TEST_ACCESS}',
              secret_key: '${S3_TEST_SECRET}',
            },
          },
          run: { state_dir: stateDir },
        }),
        '--log-dir',
        logDir,
        '--log-level',
        'debug',
      ],
      { env: { S3_TEST_ACCESS: ACCESS, S3_TEST_SECRET: SECRET } },
    );
    // Milvus 2.3.5 standalone reads its local disk, not this bucket: the upload lands, the import
    // job fails on the key, and says so with the server's reason.
    expect(r.stderr).toMatch(/uploaded milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet \(\d+ bytes\) to s3:\/\/milvus-bucket/);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bulk insert of milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet into "s3_import\w+" failed \(job \d+\): .*no such file/,
    );
    const everything = [r.stdout, r.stderr];
    for (const dir of [logDir, stateDir]) {
      for (const f of readdirSync(dir, { recursive: true })) {
        const path = join(dir, String(f));
        if (statSync(path).isFile()) everything.push(readFileSync(path, 'utf8'));
      }
    }
    for (const text of everything) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ACCESS);
    }
  });
});
