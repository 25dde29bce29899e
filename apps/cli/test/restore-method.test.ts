/** How `milvusdm restore --method/--storage` map onto the milvus writer's import options. */
import { afterEach, describe, expect, it } from 'vitest';
import { importTarget } from '../src/commands/restore.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('restore --method', () => {
  it('insert (or no flag) sets no storage, and refuses one', () => {
    expect(importTarget({})).toEqual({});
    expect(importTarget({ method: 'insert' })).toEqual({ method: 'insert' });
    expect(() => importTarget({ method: 'insert', storage: '/x' })).toThrow(/--storage is for --method import or auto/);
  });

  it('import needs a storage; a folder becomes local storage, absolute', () => {
    expect(() => importTarget({ method: 'import' })).toThrow(/--method import needs --storage/);
    expect(importTarget({ method: 'auto', storage: '/srv/imp', storageServerPath: '/var/lib/milvus/imp' })).toEqual({
      method: 'auto',
      storage: { type: 'local', path: '/srv/imp', server_path: '/var/lib/milvus/imp' },
      import_source_files: true,
    });
  });

  it('s3://bucket/prefix: keys are referred to by environment variable, never copied into the job', () => {
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIA-not-in-the-job';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'secret-not-in-the-job';
    const t = importTarget({ method: 'import', storage: 's3://bucket/a/b', s3Endpoint: 'http://127.0.0.1:9000' });
    expect(t).toEqual({
      method: 'import',
      storage: {
        type: 's3',
        bucket: 'bucket',
        prefix: 'a/b',
        endpoint: 'http://127.0.0.1:9000',
        access_key: '${AWS_ACCESS_KEY_ID}',
        secret_key: '${AWS_SECRET_ACCESS_KEY}',
      },
      import_source_files: true,
    });
    expect(JSON.stringify(t)).not.toMatch(/not-in-the-job/);
  });
});
