/**
 * Uploads the Milvus writer's bulk-import files to an Azure Blob Storage container, where a Milvus
 * whose `minio.cloudProvider` is `azure` imports them from. A separate package so that only jobs
 * that use `storage: {type: azure}` install the Azure SDK; the writer loads it by name when one does.
 *
 * Every upload is checked: the blob's size, asked back from the service, must equal the file's.
 * The account key and the connection string go to the SDK only: no message here holds them.
 */
import { stat } from 'node:fs/promises';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { MilvusdmError, errorMessage, type Logger } from '@milvusdm/core';

/** The writer's `storage` options of type azure (see the Milvus writer's import/options.ts). */
export interface AzureOptions {
  readonly container: string;
  readonly account_url?: string | undefined;
  readonly connection_string?: string | undefined;
  readonly account_name?: string | undefined;
  readonly account_key?: string | undefined;
}

export interface AzureStore {
  /** `azure://account/container`: for messages, without credentials. */
  readonly describe: string;
  putFile(key: string, localPath: string): Promise<void>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Blocks of 8 MiB, two in flight: a file of any size streams with at most ~16 MiB held. */
export const BLOCK_SIZE = 8 * 1024 * 1024;
export const CONCURRENCY = 2;

const configError = (message: string) => new MilvusdmError('MDM_CONFIG', `target.storage: ${message}`, { exitCode: 2 });

/** The account URL without its query (a SAS token is a secret) or credentials: what messages show. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(account_url)';
  }
}

/** `AccountName=…` of a connection string (not a secret), for messages. */
function accountOfConnectionString(connection: string): string | undefined {
  return /(?:^|;)\s*AccountName=([^;]+)/i.exec(connection)?.[1];
}

/**
 * The service client, the way Milvus itself reaches Azure: a connection string (Milvus reads
 * AZURE_STORAGE_CONNECTION_STRING), or the account name and key (Milvus's minio.accessKeyID and
 * minio.secretAccessKey) at account_url (default https://NAME.blob.core.windows.net), or an
 * account_url that carries its own SAS token.
 */
export function serviceClient(options: AzureOptions): { client: BlobServiceClient; describe: string } {
  const { connection_string: connection, account_url: url, account_name: name, account_key: key } = options;
  if (connection !== undefined) {
    if (url !== undefined || name !== undefined || key !== undefined) {
      throw configError('give connection_string alone, or account_url / account_name / account_key, not both');
    }
    let client: BlobServiceClient;
    try {
      client = BlobServiceClient.fromConnectionString(connection);
    } catch {
      // The SDK's message may quote the string, key included.
      throw configError('connection_string is not an Azure Storage connection string (AccountName=…;AccountKey=…;BlobEndpoint=…)');
    }
    return {
      client,
      describe: describeStore(accountOfConnectionString(connection) ?? accountOfUrl(client.url), client.url, options.container),
    };
  }
  if (key !== undefined && name === undefined) throw configError('account_key needs account_name (the storage account it belongs to)');
  if (url === undefined && name === undefined) {
    throw configError('give connection_string, or account_name (with account_key, or account_url holding a SAS token)');
  }
  const endpoint = url ?? `https://${name}.blob.core.windows.net`;
  try {
    new URL(endpoint);
  } catch {
    // Not quoted: it may hold a SAS token.
    throw configError('account_url is not a URL (e.g. https://ACCOUNT.blob.core.windows.net)');
  }
  const credential = name !== undefined && key !== undefined ? new StorageSharedKeyCredential(name, key) : undefined;
  const client = new BlobServiceClient(endpoint, credential);
  return { client, describe: describeStore(name ?? accountOfUrl(endpoint), endpoint, options.container) };
}

/** The service's error in one line: its status and code, then the first line of its message (the rest is request ids). */
function oneLine(e: unknown): string {
  const err = e as { statusCode?: number; code?: string };
  const first = errorMessage(e).split(/\r?\n/)[0]!.trim();
  const head = [err.statusCode, err.code].filter((x) => x !== undefined).join(' ');
  return head ? `${head}: ${first}` : first;
}

export async function openAzureStore(options: AzureOptions, logger: Logger): Promise<AzureStore> {
  const { client, describe } = serviceClient(options);
  const container: ContainerClient = client.getContainerClient(options.container);
  const fail = (what: string, e: unknown) =>
    new MilvusdmError('MDM_TARGET', `${describe}: ${what}: ${oneLine(e)}`, {
      cause: e,
      hint: 'Check target.storage (container, account_url, account_name) and that the key or connection string may write to the container.',
    });
  return {
    describe,
    async putFile(key: string, localPath: string): Promise<void> {
      const size = (await stat(localPath)).size;
      const blob = container.getBlockBlobClient(key);
      try {
        // Staged blocks, then one commit: the blob appears whole or not at all. uploadFile reads
        // each block from the file as it is sent, so memory stays bounded for any size.
        await blob.uploadFile(localPath, {
          blockSize: BLOCK_SIZE,
          concurrency: CONCURRENCY,
          maxSingleShotSize: BLOCK_SIZE,
          blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        });
      } catch (e) {
        throw fail(`uploading ${key}`, e);
      }
      let stored: number | undefined;
      try {
        stored = (await blob.getProperties()).contentLength;
      } catch (e) {
        throw fail(`checking ${key}`, e);
      }
      if (stored !== size) {
        throw new MilvusdmError('MDM_TARGET', `${describe}: ${key} holds ${stored} bytes after the upload; the file has ${size}`);
      }
      logger.info(`uploaded ${key} (${size} bytes) to ${describe}`);
    },
    async remove(key: string): Promise<void> {
      try {
        await container.getBlockBlobClient(key).deleteIfExists();
      } catch (e) {
        throw fail(`removing ${key}`, e);
      }
    },
    // The SDK keeps no connection that needs closing.
    async close(): Promise<void> {},
  };
}

/** The account of a blob service URL: ACCOUNT.blob.… on Azure, the first folder on an emulator (http://host:10000/ACCOUNT). */
function accountOfUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (/\.blob\./i.test(url.hostname)) return url.hostname.split('.')[0]!;
  return url.pathname.split('/').find((part) => part !== '') ?? url.hostname;
}

/** `azure://account/container`, and the endpoint when it is not Azure's own (an emulator, a sovereign cloud). */
function describeStore(account: string, endpoint: string, container: string): string {
  const own = /^[^.]+\.blob\.core\.windows\.net$/i.test(new URL(endpoint).hostname);
  return `azure://${account}/${container}${own ? '' : ` at ${publicUrl(endpoint)}`}`;
}
