/**
 * Options of the Milvus writer's bulk-import path: `method` chooses between insert requests and
 * Milvus's own import (the server reads Parquet files from its storage), `storage` says where
 * the files go so that the server can read them.
 */
import { z } from '@milvusdm/core';
import { secretString } from '@milvusdm/milvus-client';

export const METHODS = ['insert', 'import', 'auto'] as const;
export type WriteMethod = (typeof METHODS)[number];

const localStorage = z.strictObject({
  type: z.literal('local'),
  path: z
    .string()
    .min(1)
    .describe('Folder the files are written to, relative to the job file; the server must be able to read it (required).'),
  server_path: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The same folder as the server sees it, when it differs (a container volume, a network mount); an absolute path (default: path).',
    ),
});

const s3Storage = z.strictObject({
  type: z.literal('s3'),
  bucket: z.string().min(1).describe('The bucket the server imports from: for Milvus, its own (minio.bucketName) (required).'),
  endpoint: z
    .string()
    .min(1)
    .optional()
    .describe('S3-compatible endpoint, e.g. http://127.0.0.1:9000 for MinIO (default: AWS S3 of the region).'),
  region: z.string().min(1).default('us-east-1').describe('Region of the bucket (default us-east-1).'),
  prefix: z
    .string()
    .default('')
    .describe("Folder in the bucket the files go under, e.g. Milvus's minio.rootPath (default: the bucket's root)."),
  access_key: secretString.optional().describe('Access key id; `${NAME}` reads it from the environment (default: the AWS SDK chain).'),
  secret_key: secretString.optional().describe('Secret access key; `${NAME}` reads it from the environment (default: the AWS SDK chain).'),
  force_path_style: z.boolean().default(true).describe('Path-style addressing, as MinIO and SeaweedFS need (default true).'),
  object_url: z
    .string()
    .min(1)
    .optional()
    .describe('Zilliz Cloud import only: the URL of the bucket folder Zilliz Cloud reads from (default: none).'),
});

// Named after Milvus's own settings (minio.cloudProvider azure): bucketName is the container,
// accessKeyID the account name, secretAccessKey the account key, rootPath the prefix.
const azureStorage = z.strictObject({
  type: z.literal('azure'),
  container: z.string().min(1).describe('The container the server imports from: for Milvus on Azure, its minio.bucketName (required).'),
  prefix: z
    .string()
    .default('')
    .describe("Folder in the container the files go under, e.g. Milvus's minio.rootPath (default: the container's root)."),
  account_name: z
    .string()
    .min(1)
    .optional()
    .describe("Storage account name, Milvus's minio.accessKeyID (default: the one in connection_string or account_url)."),
  account_key: secretString
    .optional()
    .describe("Storage account key, Milvus's minio.secretAccessKey; `${NAME}` reads it from the environment (default: none)."),
  account_url: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Blob service URL, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite; may carry a SAS token instead of a key (default: https://ACCOUNT_NAME.blob.core.windows.net).',
    ),
  connection_string: secretString
    .optional()
    .describe(
      'Instead of the account settings: a connection string, as Milvus reads from AZURE_STORAGE_CONNECTION_STRING; `${NAME}` reads it from the environment (default: none).',
    ),
});

// Named after Milvus's own settings (minio.cloudProvider gcp): bucketName is the bucket, rootPath the prefix.
const gcsStorage = z.strictObject({
  type: z.literal('gcs'),
  bucket: z.string().min(1).describe('The bucket the server imports from: for Milvus on GCP, its minio.bucketName (required).'),
  prefix: z
    .string()
    .default('')
    .describe("Folder in the bucket the files go under, e.g. Milvus's minio.rootPath (default: the bucket's root)."),
  key_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      "A service account's JSON key file, relative to the job file (default: Google's own chain: GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials, the VM's service account).",
    ),
  endpoint: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Another endpoint than Google's: an emulator (e.g. http://127.0.0.1:9023), which gets no credentials, or a private endpoint, which gets key_file's (default: Google Cloud Storage).",
    ),
});

export const storageOptions = z.discriminatedUnion('type', [localStorage, s3Storage, azureStorage, gcsStorage]);
export type StorageOptions = z.output<typeof storageOptions>;
export type LocalStorageOptions = z.output<typeof localStorage>;
export type S3StorageOptions = z.output<typeof s3Storage>;
export type AzureStorageOptions = z.output<typeof azureStorage>;
export type GcsStorageOptions = z.output<typeof gcsStorage>;

export const importOptionsShape = {
  method: z
    .enum(METHODS)
    .default('insert')
    .describe(
      "How rows reach the server: insert requests, Milvus's own bulk import of Parquet files (needs storage), or auto: import for datasets of import_min_rows rows or more where the target can import, insert otherwise (default insert).",
    ),
  import_min_rows: z
    .int()
    .min(1)
    .default(1_000_000)
    .describe('Under method auto: datasets with at least this many rows go by import (default 1000000).'),
  import_file_rows: z
    .int()
    .min(1)
    .default(1_000_000)
    .describe(
      'Rows per import file; each file is one import job, committed to the resume state when the server has imported it (default 1000000).',
    ),
  import_poll_ms: z
    .int()
    .min(50)
    .max(60_000)
    .default(1000)
    .describe('How often the state of a running import is asked for, in milliseconds (default 1000).'),
  import_source_files: z
    .boolean()
    .default(false)
    .describe(
      "Import a Parquet source's own files as they are (milvusdm's archive layout) instead of writing new ones; `milvusdm restore --method import` sets it (default false).",
    ),
  storage: storageOptions
    .optional()
    .describe(
      "Where import files go so the server can read them: {type: local, path} for a server on this machine (or a shared folder), {type: s3 | azure | gcs, …} for the server's object storage (default: none; method import needs it).",
    ),
  cloud: z
    .strictObject({
      cluster_id: z.string().min(1).describe('Zilliz Cloud cluster id (required).'),
      api_key: secretString.describe('Zilliz Cloud API key; `${NAME}` reads it from the environment (required).'),
      api_url: z
        .string()
        .min(1)
        .default('https://api.cloud.zilliz.com')
        .describe('Zilliz Cloud control-plane URL (default https://api.cloud.zilliz.com).'),
    })
    .optional()
    .describe('Zilliz Cloud import only (untested): the cluster and API key of its import jobs (default: none).'),
};
