/**
 * Uploads the Milvus writer's bulk-import files to an S3 or S3-compatible bucket (MinIO,
 * SeaweedFS, …), where the server imports them from. A separate package so that only jobs that
 * use `storage: {type: s3}` install the AWS SDK; the writer loads it by name when one does.
 *
 * Every upload is checked: the object's size, asked back from the store, must equal the file's.
 * Keys and secrets go to the SDK only: no message here holds them, and the SDK gets no logger.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DeleteObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { MilvusdmError, errorMessage, type Logger } from '@milvusdm/core';

/** The writer's `storage` options of type s3 (see the Milvus writer's import/options.ts). */
export interface S3Options {
  readonly bucket: string;
  readonly endpoint?: string | undefined;
  readonly region: string;
  readonly access_key?: string | undefined;
  readonly secret_key?: string | undefined;
  readonly force_path_style: boolean;
}

export interface S3Store {
  /** `s3://bucket` (at endpoint): for messages, without credentials. */
  readonly describe: string;
  putFile(key: string, localPath: string): Promise<void>;
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

/** The client's settings: credentials only when both parts are given, else the SDK's own chain (environment, profile, role). */
export function clientConfig(options: S3Options): S3ClientConfig {
  if ((options.access_key === undefined) !== (options.secret_key === undefined)) {
    throw new MilvusdmError('MDM_CONFIG', 'target.storage: give access_key and secret_key together, or neither', { exitCode: 2 });
  }
  return {
    region: options.region,
    forcePathStyle: options.force_path_style,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.access_key && options.secret_key
      ? { credentials: { accessKeyId: options.access_key, secretAccessKey: options.secret_key } }
      : {}),
  };
}

export async function openS3Store(options: S3Options, logger: Logger): Promise<S3Store> {
  const client = new S3Client(clientConfig(options));
  const describe = `s3://${options.bucket}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
  const fail = (what: string, e: unknown) =>
    new MilvusdmError('MDM_TARGET', `${describe}: ${what}: ${errorMessage(e)}`, {
      cause: e,
      hint: 'Check target.storage (bucket, endpoint, region) and that the keys may write to the bucket.',
    });
  return {
    describe,
    async putFile(key: string, localPath: string): Promise<void> {
      const size = (await stat(localPath)).size;
      try {
        // Multipart above 8 MiB parts, so a file of any size streams with bounded memory.
        await new Upload({
          client,
          params: { Bucket: options.bucket, Key: key, Body: createReadStream(localPath), ContentLength: size },
          partSize: 8 * 1024 * 1024,
          queueSize: 2,
        }).done();
      } catch (e) {
        throw fail(`uploading ${key}`, e);
      }
      let stored: number | undefined;
      try {
        stored = (await client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }))).ContentLength;
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
        await client.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
      } catch (e) {
        throw fail(`removing ${key}`, e);
      }
    },
    async close(): Promise<void> {
      client.destroy();
    },
  };
}
