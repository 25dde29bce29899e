/**
 * The Azure Blob upload path against a real Azure Storage emulator (Azurite, started here): files
 * land whole (in blocks), are removed on request, a wrong key is refused in one line; and a CLI run
 * that uploads its import files through it keeps the key out of its output, its log files and its
 * state.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '@milvusdm/core';
import { runCli, runPython, tempDir, uniqueName, writeJob } from '@milvusdm/testing';
import { openAzureStore } from '../src/index.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from './azurite.js';

const CONTAINER = 'milvus-bucket';

let server: Azurite;
let container: ContainerClient;

beforeAll(async () => {
  server = await startAzurite();
  const service = new BlobServiceClient(server.accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  container = service.getContainerClient(CONTAINER);
  await container.create();
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const options = (extra: Record<string, unknown> = {}) => ({
  container: CONTAINER,
  account_url: server.accountUrl,
  account_name: AZURITE_ACCOUNT,
  account_key: AZURITE_KEY,
  ...extra,
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function blobNames(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
  return names;
}

describe('@milvusdm/storage-azure against Azurite', () => {
  it('uploads a 20 MB file whole in blocks, byte for byte, and removes it', async () => {
    const file = join(tempDir(), 'big.parquet');
    writeFileSync(file, randomBytes(20 * 1024 * 1024 + 12345));
    const store = await openAzureStore(options(), silentLogger);
    expect(store.describe).toBe(`azure://devstoreaccount1/milvus-bucket at ${server.accountUrl}`);
    const key = 'import/run1/part-000000000000.parquet';
    try {
      await store.putFile(key, file);
      // Three staged blocks of at most 8 MiB, committed as one blob.
      const blocks = await container.getBlockBlobClient(key).getBlockList('committed');
      expect(blocks.committedBlocks?.length).toBe(3);
      const stored = await container.getBlobClient(key).downloadToBuffer();
      expect(stored.length).toBe(statSync(file).size);
      expect(sha256(stored)).toBe(sha256(readFileSync(file)));
      await store.remove(key);
      expect(await blobNames('import/run1/')).toEqual([]);
      // Removing what is gone is fine (a resumed run removes files the server already imported).
      await store.remove(key);
    } finally {
      await store.close();
    }
  });

  it('a connection string (as Milvus reads AZURE_STORAGE_CONNECTION_STRING) works the same', async () => {
    const file = join(tempDir(), 'small.parquet');
    writeFileSync(file, randomBytes(1000));
    const connection = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${server.accountUrl};`;
    const store = await openAzureStore({ container: CONTAINER, connection_string: connection }, silentLogger);
    try {
      expect(store.describe).toBe(`azure://devstoreaccount1/milvus-bucket at ${server.accountUrl}`);
      await store.putFile('cs/x.parquet', file);
      expect(sha256(await container.getBlobClient('cs/x.parquet').downloadToBuffer())).toBe(sha256(readFileSync(file)));
      await store.remove('cs/x.parquet');
    } finally {
      await store.close();
    }
  });

  it('a wrong key: refused in one line that holds no secret', async () => {
    const file = join(tempDir(), 'small.parquet');
    writeFileSync(file, 'x');
    const wrong = randomBytes(64).toString('base64');
    const store = await openAzureStore(options({ account_key: wrong }), silentLogger);
    try {
      const e = await store.putFile('k/x.parquet', file).catch((err: unknown) => err as Error);
      expect(e).toBeInstanceOf(Error);
      expect(e!.message).toMatch(
        /^azure:\/\/devstoreaccount1\/milvus-bucket at http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1: uploading k\/x\.parquet: 403 /,
      );
      expect(e!.message.split('\n')).toHaveLength(1);
      expect(e!.message).not.toContain(wrong);
      expect(e!.message).not.toContain(AZURITE_KEY);
      expect(await blobNames('k/')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('settings that cannot work are refused before any request, without quoting a secret', async () => {
    await expect(openAzureStore({ container: CONTAINER, account_key: AZURITE_KEY }, silentLogger)).rejects.toThrow(
      /^target\.storage: account_key needs account_name/,
    );
    await expect(openAzureStore({ container: CONTAINER }, silentLogger)).rejects.toThrow(
      /^target\.storage: give connection_string, or account_name/,
    );
    const bad = `AccountKey=${AZURITE_KEY};nonsense`;
    const e = await openAzureStore({ container: CONTAINER, connection_string: bad }, silentLogger).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e!.message).toMatch(/^target\.storage: connection_string is not an Azure Storage connection string/);
    expect(e!.message).not.toContain(AZURITE_KEY);
  });

  it('a CLI run uploads its import files through it; the key reaches neither its output, logs nor state', async () => {
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
            collection: uniqueName('azure_import'),
            method: 'import',
            import_poll_ms: 200,
            storage: {
              type: 'azure',
              container: CONTAINER,
              account_url: server.accountUrl,
              account_name: AZURITE_ACCOUNT,
              account_key: '${AZURE_TEST_KEY}',
              prefix: 'milvusdm',
            },
          },
          run: { state_dir: stateDir },
        }),
        '--log-dir',
        logDir,
        '--log-level',
        'debug',
      ],
      { env: { AZURE_TEST_KEY: AZURITE_KEY } },
    );
    // No Milvus here imports from Azure (2.3.5 standalone reads its local disk): the upload lands,
    // the import job fails on the key, and says so with the server's reason.
    expect(r.stderr).toMatch(
      /uploaded milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet \(\d+ bytes\) to azure:\/\/devstoreaccount1\/milvus-bucket/,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /bulk insert of milvusdm\/milvusdm-import\/\S+part-000000000000\.parquet into "azure_import\w+" failed \(job \d+\): .*no such file/,
    );
    const everything = [r.stdout, r.stderr];
    for (const dir of [logDir, stateDir]) {
      for (const f of readdirSync(dir, { recursive: true })) {
        const path = join(dir, String(f));
        if (statSync(path).isFile()) everything.push(readFileSync(path, 'utf8'));
      }
    }
    for (const text of everything) expect(text).not.toContain(AZURITE_KEY);
  });
});
