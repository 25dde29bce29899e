/**
 * Where import files go so that the server can read them, and the name the server is given.
 *
 * - local: a folder on a file system the server reads. Measured on Milvus 2.3.5 standalone
 *   with local storage (the PyPI `milvus` server): a bulk-insert file name is opened as an OS
 *   path by the server process. An absolute path anywhere it can read works; a relative one
 *   resolves against the server's working directory (the PyPI wrapper's data folder), not
 *   against `localStorage.path`, so relative names are never sent. `server_path` names the
 *   same folder as the server sees it (a container volume).
 * - s3, azure, gcs: a bucket (container) of an object store, through the optional packages
 *   `@milvusdm/storage-s3`, `-azure`, `-gcs`, each loaded only by jobs that ask for it (so each
 *   provider's SDK is installed only by those who need it). The server is given the object key.
 *
 * Files are written whole before the server is told of them: locally as `*.partial` renamed
 * once fsynced; to an object store from a local temporary file, uploaded, then removed.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { MilvusdmError, errorMessage, type ChannelContext } from '@milvusdm/core';
import type { AzureStorageOptions, GcsStorageOptions, S3StorageOptions, StorageOptions } from './options.js';

export interface ImportStorage {
  /** For messages, without secrets: `folder /data/import`, `s3://bucket/prefix`. */
  readonly describe: string;
  /** Writes `name` (a relative path, `/`-separated) with `write`, which fills a local file; returns the name the server reads. */
  put(name: string, write: (localPath: string) => Promise<void>): Promise<string>;
  /** Removes `name` once the server has imported it (or refused it); missing is fine. */
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}

/** An object store as the optional packages open it: uploads under a key, removes, closes. */
export interface ObjectStore {
  /** `s3://bucket`, `azure://account/container`, `gs://bucket` (at an endpoint): without credentials. */
  readonly describe: string;
  putFile(key: string, localPath: string): Promise<void>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

/** What `@milvusdm/storage-s3` exports: the contract between the writer and that package. */
export interface S3Module {
  openS3Store(options: S3StorageOptions, logger: ChannelContext['logger']): Promise<ObjectStore>;
}

/** What `@milvusdm/storage-azure` exports. */
export interface AzureModule {
  openAzureStore(options: AzureStorageOptions, logger: ChannelContext['logger']): Promise<ObjectStore>;
}

/** What `@milvusdm/storage-gcs` exports; `key_file` is given as an absolute path, `redact` hides the key's private parts. */
export interface GcsModule {
  openGcsStore(options: GcsStorageOptions, logger: ChannelContext['logger'], redact: ChannelContext['redact']): Promise<ObjectStore>;
}

/** Loads the optional package of a storage type, or says how to install it. */
export async function storagePackage<T>(type: string, name: string): Promise<T> {
  try {
    // Optional: only jobs that upload to this store need its provider's SDK installed.
    return (await import(name)) as T;
  } catch (e) {
    throw new MilvusdmError('MDM_PLUGIN_NOT_FOUND', `target.storage.type ${type} needs the package ${name} (${errorMessage(e)})`, {
      hint: `Install it where @milvusdm/writer-milvus is installed, e.g. npm i -g ${name} next to a global CLI.`,
    });
  }
}

export class LocalFolderStorage implements ImportStorage {
  readonly describe: string;
  private readonly serverRoot: string;

  constructor(
    private readonly root: string,
    serverPath: string | undefined,
  ) {
    if (serverPath !== undefined && !isAbsolute(serverPath)) {
      throw new MilvusdmError(
        'MDM_CONFIG',
        `target.storage.server_path: "${serverPath}" must be an absolute path (the server resolves relative names against its own working folder)`,
        { exitCode: 2 },
      );
    }
    this.serverRoot = serverPath ?? root;
    this.describe = `folder ${root}${serverPath ? ` (${serverPath} on the server)` : ''}`;
  }

  async put(name: string, write: (localPath: string) => Promise<void>): Promise<string> {
    const path = join(this.root, ...name.split('/'));
    const partial = `${path}.partial`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await write(partial);
      await rename(partial, path);
    } catch (e) {
      await rm(partial, { force: true }).catch(() => {});
      throw e instanceof MilvusdmError ? e : new MilvusdmError('MDM_IO', `target.storage: ${path}: ${errorMessage(e)}`, { cause: e });
    }
    return posix.join(this.serverRoot.split('\\').join('/'), name);
  }

  async remove(name: string): Promise<void> {
    await rm(join(this.root, ...name.split('/')), { force: true });
  }

  async close(): Promise<void> {}
}

/** Files written to a local temporary file, then uploaded under the prefix to an object store. */
export class ObjectStorage implements ImportStorage {
  readonly describe: string;
  private readonly prefix: string;

  constructor(
    private readonly store: ObjectStore,
    prefix: string,
  ) {
    this.describe = store.describe;
    this.prefix = prefix.replace(/^\/+|\/+$/g, '');
  }

  private key(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  async put(name: string, write: (localPath: string) => Promise<void>): Promise<string> {
    const local = join(tmpdir(), `milvusdm-import-${randomUUID()}.parquet`);
    try {
      await write(local);
      await this.store.putFile(this.key(name), local);
    } finally {
      await rm(local, { force: true }).catch(() => {});
    }
    return this.key(name);
  }

  async remove(name: string): Promise<void> {
    await this.store.remove(this.key(name));
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/** The secrets of a storage's options, for the run's redactor: keys, a connection string, a SAS token in a URL. */
export function storageSecrets(options: StorageOptions | undefined): string[] {
  return secretsOf(options).filter((secret): secret is string => secret !== undefined && secret !== '');
}

function secretsOf(options: StorageOptions | undefined): (string | undefined)[] {
  switch (options?.type) {
    case 's3':
      return [options.access_key, options.secret_key];
    case 'azure':
      return [
        options.account_key,
        options.connection_string,
        // Each part on its own too: a message may quote the key or the signature alone.
        ...[/(?:^|;)\s*AccountKey=([^;]+)/i, /(?:^|;)\s*SharedAccessSignature=([^;]+)/i].map(
          (re) => re.exec(options.connection_string ?? '')?.[1],
        ),
        sasOf(options.account_url),
        new URLSearchParams(sasOf(options.account_url) ?? '').get('sig') ?? undefined,
      ];
    default:
      // gcs: the key lives in key_file, whose private parts @milvusdm/storage-gcs registers when it reads it.
      return [];
  }
}

/** Opens the object store of `options`; its secrets are registered with the run's redactor first. */
async function openObjectStore(options: Exclude<StorageOptions, { type: 'local' }>, context: ChannelContext): Promise<ObjectStore> {
  for (const secret of storageSecrets(options)) context.redact(secret);
  switch (options.type) {
    case 's3': {
      const module = await storagePackage<S3Module>('s3', '@milvusdm/storage-s3');
      return module.openS3Store(options, context.logger);
    }
    case 'azure': {
      const module = await storagePackage<AzureModule>('azure', '@milvusdm/storage-azure');
      return module.openAzureStore(options, context.logger);
    }
    case 'gcs': {
      const module = await storagePackage<GcsModule>('gcs', '@milvusdm/storage-gcs');
      const keyFile = options.key_file === undefined ? undefined : resolve(context.baseDir, options.key_file);
      return module.openGcsStore({ ...options, key_file: keyFile }, context.logger, context.redact);
    }
  }
}

/** The query of an account URL (a SAS token, a credential too), or undefined. */
export function sasOf(url: string | undefined): string | undefined {
  const at = url?.indexOf('?') ?? -1;
  return at >= 0 && at < url!.length - 1 ? url!.slice(at + 1) : undefined;
}

export async function openStorage(options: StorageOptions, context: ChannelContext): Promise<ImportStorage> {
  if (options.type === 'local') return new LocalFolderStorage(resolve(context.baseDir, options.path), options.server_path);
  return new ObjectStorage(await openObjectStore(options, context), options.prefix);
}
