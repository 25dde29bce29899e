/**
 * How the writer reaches the optional storage packages: the install line when one is missing, the
 * secrets each storage type registers with the run's redactor, and the options each is opened with
 * (the real packages, opened without a request to any server).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MilvusdmError, type ChannelContext } from '@milvusdm/core';
import { silentLogger } from '@milvusdm/core';
import { tempDir } from '@milvusdm/testing';
import { openStorage, sasOf, storagePackage, storageSecrets } from '../src/import/storage.js';
import { milvusWriterOptions } from '../src/options.js';

const storageOf = (storage: Record<string, unknown>) =>
  milvusWriterOptions.parse({ uri: 'http://h:19530', method: 'import', storage }).storage!;

function context(baseDir: string): ChannelContext & { secrets: string[] } {
  const secrets: string[] = [];
  return { signal: new AbortController().signal, logger: silentLogger, baseDir, redact: (s) => void (s && secrets.push(s)), secrets };
}

describe('import storage', () => {
  it('a missing storage package: MDM_PLUGIN_NOT_FOUND with the line that installs it', async () => {
    const e = await storagePackage('gcs', '@milvusdm/storage-not-installed').then(
      () => undefined,
      (err: unknown) => err as MilvusdmError,
    );
    expect(e).toBeInstanceOf(MilvusdmError);
    expect(e!.code).toBe('MDM_PLUGIN_NOT_FOUND');
    expect(e!.message).toMatch(/^target\.storage\.type gcs needs the package @milvusdm\/storage-not-installed \(/);
    expect(e!.hint).toBe(
      'Install it where @milvusdm/writer-milvus is installed, e.g. npm i -g @milvusdm/storage-not-installed next to a global CLI.',
    );
  });

  it('secrets of each storage type go to the redactor; a SAS token in an account URL is one', () => {
    expect(storageSecrets(storageOf({ type: 's3', bucket: 'b', access_key: 'AK', secret_key: 'SK' }))).toEqual(['AK', 'SK']);
    expect(
      storageSecrets(
        storageOf({
          type: 'azure',
          container: 'c',
          account_url: 'https://a.blob.core.windows.net/?sv=2024&sig=abc',
          connection_string: 'CS',
        }),
      ),
    ).toEqual(['CS', 'sv=2024&sig=abc', 'abc']);
    expect(storageSecrets(storageOf({ type: 'azure', container: 'c', account_name: 'a', account_key: 'KEY' }))).toEqual(['KEY']);
    const connection = 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=K3Y==;EndpointSuffix=core.windows.net';
    expect(storageSecrets(storageOf({ type: 'azure', container: 'c', connection_string: connection }))).toEqual([connection, 'K3Y==']);
    expect(storageSecrets(storageOf({ type: 'local', path: 'x' }))).toEqual([]);
    expect(storageSecrets(undefined)).toEqual([]);
    expect(sasOf('https://a.blob.core.windows.net/')).toBeUndefined();
    expect(sasOf('https://a.blob.core.windows.net/?')).toBeUndefined();
  });

  it('azure: opened through @milvusdm/storage-azure with its key registered first; messages show the account, never the key', async () => {
    const ctx = context(tempDir());
    const storage = await openStorage(
      storageOf({ type: 'azure', container: 'milvus', account_name: 'acct', account_key: 'a2V5LWtleS1rZXk=', prefix: '/files/' }),
      ctx,
    );
    expect(storage.describe).toBe('azure://acct/milvus');
    expect(ctx.secrets).toEqual(['a2V5LWtleS1rZXk=']);
    await storage.close();
    const sas = await openStorage(
      storageOf({ type: 'azure', container: 'milvus', account_url: 'http://127.0.0.1:1/acct?sv=1&sig=SECRET' }),
      ctx,
    );
    expect(sas.describe).toBe('azure://acct/milvus at http://127.0.0.1:1/acct');
    expect(sas.describe).not.toContain('SECRET');
  });

  it('gcs: key_file is found relative to the job file', async () => {
    const base = tempDir();
    mkdirSync(join(base, 'keys'));
    const e = await openStorage(storageOf({ type: 'gcs', bucket: 'b', key_file: 'keys/absent.json' }), context(base)).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(e!.message).toBe(`target.storage: key_file ${join(base, 'keys', 'absent.json')} cannot be read (ENOENT)`);
  });
});
