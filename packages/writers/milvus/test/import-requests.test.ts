/**
 * What the bulk-import path sends to servers it cannot be tested against here (Milvus 2.4+
 * import jobs, Zilliz Cloud), checked request by request against the documented API; and how
 * a resumed import finds the rows already imported.
 */
import { describe, expect, it } from 'vitest';
import {
  bulkInsertRequest,
  bulkInsertState,
  cloudCreateRequest,
  cloudDescribeRequest,
  restCreateRequest,
  restDescribeRequest,
  restJobState,
  restListRequest,
} from '../src/import/jobs.js';
import { importFileName, importTokenOf, importedThrough } from '../src/import/import-writer.js';
import { milvusWriterOptions } from '../src/options.js';

describe('import requests', () => {
  it('Milvus 2.3 bulk insert: one file per task, partition and database only when given', () => {
    expect(bulkInsertRequest({ collection: 'c' }, '/data/x/part-000000000000.parquet')).toEqual({
      collection_name: 'c',
      files: ['/data/x/part-000000000000.parquet'],
    });
    expect(bulkInsertRequest({ collection: 'c', partition: 'p', database: 'd' }, 'k')).toEqual({
      collection_name: 'c',
      partition_name: 'p',
      db_name: 'd',
      files: ['k'],
    });
  });

  it('Milvus 2.3 task states, with the server reason of a failure', () => {
    expect(
      bulkInsertState({
        state: 'ImportFailed',
        row_count: '0',
        infos: [
          { key: 'failed_reason', value: 'stat x: no such file' },
          { key: 'progress_percent', value: '0' },
        ],
      }),
    ).toEqual({ phase: 'failed', progress: 0, rows: 0, reason: 'stat x: no such file' });
    expect(bulkInsertState({ state: 'ImportCompleted', row_count: '6000', infos: [{ key: 'progress_percent', value: '100' }] })).toEqual({
      phase: 'completed',
      progress: 100,
      rows: 6000,
    });
    expect(bulkInsertState({ state: 'ImportStarted', infos: [] }).phase).toBe('running');
    expect(bulkInsertState({ state: 'ImportPending', infos: [] }).phase).toBe('pending');
    expect(bulkInsertState({ state: 'ImportFailedAndCleaned', infos: [] }).phase).toBe('failed');
  });

  it('Milvus 2.4+ REST import jobs: create, describe, list', () => {
    expect(
      restCreateRequest('http://h:19530/', 'root:Milvus', { collection: 'c', partition: 'p', database: 'd' }, [
        'a/1.parquet',
        'a/2.parquet',
      ]),
    ).toEqual({
      url: 'http://h:19530/v2/vectordb/jobs/import/create',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer root:Milvus' },
      body: { dbName: 'd', collectionName: 'c', partitionName: 'p', files: [['a/1.parquet'], ['a/2.parquet']] },
    });
    expect(restDescribeRequest('http://h:19530', undefined, '448', undefined)).toEqual({
      url: 'http://h:19530/v2/vectordb/jobs/import/describe',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: { jobId: '448' },
    });
    expect(restListRequest('http://h:19530', 't', { collection: 'c' }).body).toEqual({ collectionName: 'c' });
    expect(restJobState({ jobId: '448', state: 'Importing', progress: 40, importedRows: 100, totalRows: 1000 })).toEqual({
      phase: 'running',
      progress: 40,
      rows: 100,
    });
    expect(restJobState({ state: 'Failed', progress: 0, reason: 'field "v": dim mismatch' })).toMatchObject({
      phase: 'failed',
      reason: 'field "v": dim mismatch',
    });
    expect(restJobState({ state: 'Completed', progress: 100, importedRows: 1000 })).toMatchObject({ phase: 'completed', rows: 1000 });
  });

  it('Zilliz Cloud import jobs: cluster id, object URL and keys', () => {
    const r = cloudCreateRequest(
      'https://api.cloud.zilliz.com',
      'KEY',
      'in01-abc',
      { collection: 'c' },
      's3://b/p/part-000000000000.parquet',
      {
        accessKey: 'AK',
        secretKey: 'SK',
      },
    );
    expect(r).toEqual({
      url: 'https://api.cloud.zilliz.com/v2/vectordb/jobs/import/create',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: 'Bearer KEY' },
      body: {
        clusterId: 'in01-abc',
        collectionName: 'c',
        objectUrl: 's3://b/p/part-000000000000.parquet',
        accessKey: 'AK',
        secretKey: 'SK',
      },
    });
    expect(cloudDescribeRequest('https://api.cloud.zilliz.com/', 'KEY', 'in01-abc', 'job-1').body).toEqual({
      clusterId: 'in01-abc',
      jobId: 'job-1',
    });
  });
});

describe('resumed import', () => {
  it('passes over the rows of imported files that follow the recorded rows', () => {
    const files = [
      { first: 0, rows: 6000 },
      { first: 6000, rows: 6000 },
    ];
    expect(importedThrough(6000, files)).toBe(12000);
    // The state was saved between the commits of one file's batches.
    expect(importedThrough(3000, files)).toBe(12000);
    expect(importedThrough(12000, files)).toBe(12000);
    expect(importedThrough(0, [])).toBe(0);
    // A file that is not contiguous with the recorded rows is not counted.
    expect(importedThrough(6000, [{ first: 12000, rows: 6000 }])).toBe(6000);
  });

  it('names files by their first row, and reads its own token back', () => {
    expect(importFileName('milvusdm-import/c_1/_default', 6000)).toBe('milvusdm-import/c_1/_default/part-000000006000.parquet');
    expect(importTokenOf({ collection: 'c', before: 0 })).toBeUndefined();
    expect(importTokenOf({ collection: 'c', before: 0, import: { folder: 'f', files: [] } })).toEqual({ folder: 'f', files: [] });
  });

  it('options: method defaults to insert; storage is one of local, s3, azure or gcs', () => {
    const o = milvusWriterOptions.parse({ uri: 'http://h:19530' });
    expect(o.method).toBe('insert');
    expect(o.import_min_rows).toBe(1_000_000);
    expect(() => milvusWriterOptions.parse({ uri: 'http://h:19530', storage: { type: 'ftp', path: 'x' } })).toThrow();
    expect(() => milvusWriterOptions.parse({ uri: 'http://h:19530', storage: { type: 'gcs', path: 'x' } })).toThrow();
    expect(() => milvusWriterOptions.parse({ uri: 'http://h:19530', storage: { type: 'azure', bucket: 'x' } })).toThrow();
    expect(
      milvusWriterOptions.parse({ uri: 'http://h:19530', storage: { type: 'azure', container: 'c', account_name: 'a' } }).storage,
    ).toEqual({
      type: 'azure',
      container: 'c',
      account_name: 'a',
      prefix: '',
    });
    expect(milvusWriterOptions.parse({ uri: 'http://h:19530', storage: { type: 'gcs', bucket: 'b', key_file: 'k.json' } }).storage).toEqual(
      {
        type: 'gcs',
        bucket: 'b',
        key_file: 'k.json',
        prefix: '',
      },
    );
    expect(
      milvusWriterOptions.parse({ uri: 'http://h:19530', method: 'import', storage: { type: 's3', bucket: 'b' } }).storage,
    ).toMatchObject({
      type: 's3',
      bucket: 'b',
      region: 'us-east-1',
      force_path_style: true,
    });
  });
});
