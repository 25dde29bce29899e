/**
 * Uploads the Milvus writer's bulk-import files to a Google Cloud Storage bucket, where a Milvus
 * whose `minio.cloudProvider` is `gcp` imports them from. A separate package so that only jobs that
 * use `storage: {type: gcs}` install the Google Cloud SDK; the writer loads it by name when one does.
 *
 * Every upload is checked: the object's size, asked back from the service, must equal the file's.
 * The service account's key goes to the SDK only: no message here holds it, and the writer is told
 * its private parts so that the run's redactor hides them should anything quote them.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Storage, type StorageOptions } from '@google-cloud/storage';
import { MilvusdmError, errorMessage, type Logger } from '@milvusdm/core';

/** The writer's `storage` options of type gcs (see the Milvus writer's import/options.ts). */
export interface GcsOptions {
  readonly bucket: string;
  /** A service account's JSON key file, an absolute path (the writer resolves it against the job file). */
  readonly key_file?: string | undefined;
  /** Another endpoint than Google's own: an emulator, or a private endpoint (credentials are sent there only with key_file). */
  readonly endpoint?: string | undefined;
}

export interface GcsStore {
  /** `gs://bucket` (at endpoint): for messages, without credentials. */
  readonly describe: string;
  putFile(key: string, localPath: string): Promise<void>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Resumable uploads send 8 MiB chunks, one at a time: a file of any size streams with one chunk
 * held (so that a failed chunk can be sent again). Smaller files go in one request.
 */
export const CHUNK_SIZE = 8 * 1024 * 1024;

const configError = (message: string) => new MilvusdmError('MDM_CONFIG', `target.storage: ${message}`, { exitCode: 2 });

/** A service account key: what the SDK needs of it, and the parts that are secret. */
interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  readonly project_id?: string;
}

/** Reads key_file; one line naming the file (never its content) when it is not a service account key. */
export async function readKeyFile(path: string): Promise<ServiceAccountKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw configError(`key_file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? errorMessage(e)})`);
  }
  let key: Partial<ServiceAccountKey> & { type?: string };
  try {
    key = JSON.parse(text) as typeof key;
  } catch {
    // JSON.parse quotes the text near the fault, which may be the key.
    throw configError(`key_file ${path}: not JSON (a service account key file from the Google Cloud console is)`);
  }
  if (typeof key !== 'object' || key === null || typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw configError(`key_file ${path}: not a service account key (client_email and private_key are missing)`);
  }
  return key as ServiceAccountKey;
}

/**
 * The SDK's settings. Without key_file Google's own chain is used (GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's application default credentials, the metadata server of a VM or GKE). An endpoint that
 * is not Google's gets no credentials unless key_file is given: an emulator wants none, a private
 * endpoint (Private Service Connect) wants the key.
 */
export function storageConfig(options: GcsOptions, key: ServiceAccountKey | undefined): StorageOptions {
  return {
    ...(options.endpoint ? { apiEndpoint: options.endpoint.replace(/\/+$/, '') } : {}),
    ...(options.endpoint && key ? { useAuthWithCustomEndpoint: true } : {}),
    ...(key ? { credentials: { client_email: key.client_email, private_key: key.private_key } } : {}),
    ...(key?.project_id ? { projectId: key.project_id } : {}),
  };
}

/** The service's error in one line: its status code, then the first line of its message. */
function oneLine(e: unknown): string {
  const code = (e as { code?: number | string }).code;
  const first = errorMessage(e).split(/\r?\n/)[0]!.trim();
  return code !== undefined ? `${code}: ${first}` : first;
}

export async function openGcsStore(
  options: GcsOptions,
  logger: Logger,
  redact: (secret: string | undefined) => void = () => {},
): Promise<GcsStore> {
  const key = options.key_file !== undefined ? await readKeyFile(options.key_file) : undefined;
  redact(key?.private_key);
  redact(key?.private_key_id);
  const storage = new Storage(storageConfig(options, key));
  const bucket = storage.bucket(options.bucket);
  const describe = `gs://${options.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
  const fail = (what: string, e: unknown) =>
    new MilvusdmError('MDM_TARGET', `${describe}: ${what}: ${oneLine(e)}`, {
      cause: e,
      hint: 'Check target.storage (bucket, key_file) and that the service account may create objects in the bucket.',
    });
  return {
    describe,
    async putFile(name: string, localPath: string): Promise<void> {
      const size = (await stat(localPath)).size;
      const file = bucket.file(name);
      try {
        // Resumable above one chunk: the session survives a dropped connection, and the object
        // exists only once the last chunk is in. crc32c of the whole stream is checked by the SDK.
        await pipeline(
          createReadStream(localPath),
          file.createWriteStream({
            ...(size > CHUNK_SIZE ? { resumable: true, chunkSize: CHUNK_SIZE } : { resumable: false }),
            contentType: 'application/octet-stream',
            metadata: { contentType: 'application/octet-stream' },
          }),
        );
      } catch (e) {
        throw fail(`uploading ${name}`, e);
      }
      let stored: number | undefined;
      try {
        const [metadata] = await file.getMetadata();
        stored = metadata.size === undefined ? undefined : Number(metadata.size);
      } catch (e) {
        throw fail(`checking ${name}`, e);
      }
      if (stored !== size) {
        throw new MilvusdmError('MDM_TARGET', `${describe}: ${name} holds ${stored} bytes after the upload; the file has ${size}`);
      }
      logger.info(`uploaded ${name} (${size} bytes) to ${describe}`);
    },
    async remove(name: string): Promise<void> {
      try {
        await bucket.file(name).delete({ ignoreNotFound: true });
      } catch (e) {
        throw fail(`removing ${name}`, e);
      }
    },
    // The SDK keeps no connection that needs closing.
    async close(): Promise<void> {},
  };
}
