import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobFromDocument, parseYaml } from '../src/job/load.js';
import { seedDir } from '@milvusdm/testing';

const seed = (name: string) => parseYaml(readFileSync(join(seedDir, 'yamls', name), 'utf8'), name);
const load = (doc: unknown) => jobFromDocument(doc, '/jobs/x.yaml', '/jobs', { env: {}, runId: 'RUN' });

describe('the seed job files', () => {
  it('maps H2M.yaml (binary, HAMMING, 512 bits) onto hdf5 → milvus', () => {
    const job = load(seed('H2M.yaml'));
    expect(job.format).toBe('legacy-H2M');
    expect(job.source).toEqual({
      type: 'hdf5',
      options: { path: ['/Users/data/example/byte_example.h5'], vector_type: 'binary', collection: 'test_bina' },
    });
    expect(job.target).toEqual({
      type: 'milvus',
      options: { uri: 'http://127.0.0.1:19530', mode: 'overwrite', collection: 'test_bina', dim: 512, metric: 'HAMMING' },
    });
    expect(job.notes.join('\n')).toMatch(/milvus_version \(1\.x\) is accepted and ignored/);
    expect(job.notes.join('\n')).toMatch(/index_file_size is accepted and ignored/);
  });

  it('maps F2M.yaml onto faiss → milvus with the dimension and metric it states', () => {
    const job = load(seed('F2M.yaml'));
    expect(job.source).toEqual({ type: 'faiss', options: { path: '/home/data/faiss1.index', metric: 'L2' } });
    expect(job.target.options).toMatchObject({ collection: 'test01', mode: 'append', dim: 256, metric: 'L2' });
    expect(job.target.options).not.toHaveProperty('partition');
  });

  it('maps M2M.yaml onto milvus1x (MySQL meta, chosen partitions) → milvus', () => {
    const job = load(seed('M2M.yaml'));
    expect(job.source).toEqual({
      type: 'milvus1x',
      options: {
        path: '/home/user/milvus',
        mysql: { host: '127.0.0.1', port: 3306, user: 'root', password: '123456', database: 'milvus' },
        collections: { test: ['partition_1', 'partition_2'] },
      },
    });
    expect(job.target).toEqual({ type: 'milvus', options: { uri: 'http://127.0.0.1:19530', mode: 'skip' } });
  });

  it('maps M2H.yaml onto milvus1x → hdf5, one folder per run as the seed did', () => {
    const job = load(seed('M2H.yaml'));
    expect(job.source.type).toBe('milvus1x');
    expect(job.target).toEqual({ type: 'hdf5', options: { dir: '/home/user/data/RUN', h2m_yaml: true } });
  });
});

describe('legacy job errors name the key', () => {
  const h2m = (over: Record<string, unknown>) => ({
    H2M: {
      data_path: ['/a.h5'],
      dest_host: '127.0.0.1',
      dest_port: 19530,
      mode: 'append',
      dest_collection_name: 'c',
      collection_parameter: { dimension: 8, metric_type: 'L2' },
      ...over,
    },
  });

  it('rejects an unknown mode', () => {
    expect(() => load(h2m({ mode: 'replace' }))).toThrow(/H2M\.mode: expected one of "skip", "append", "overwrite", got "replace"/);
  });
  it('rejects data_path with data_dir', () => {
    expect(() => load(h2m({ data_dir: '/data' }))).toThrow(/give data_path or data_dir, not both/);
  });
  it('requires dest_port with dest_host', () => {
    expect(() => load(h2m({ dest_port: null }))).toThrow(/H2M\.dest_port: is required with dest_host/);
  });
  it('names a missing nested key', () => {
    expect(() => load(h2m({ collection_parameter: { metric_type: 'L2' } }))).toThrow(/H2M\.collection_parameter\.dimension: is required/);
  });
  it('ignores, with a note, a key the original tool did not know', () => {
    const job = load(h2m({ dest_colection_name: 'typo' }));
    expect(job.notes).toContain('H2M.dest_colection_name is not a MilvusDM setting and is ignored');
  });
  it('takes data_dir as every .h5 file of the folder', () => {
    const job = load(h2m({ data_path: null, data_dir: '/data/' }));
    expect(job.source.options['path']).toBe('/data/*.h5');
  });
  it('keeps the seed log settings (MILVUSDM_PATH, logs_num)', () => {
    const job = jobFromDocument(h2m({}), undefined, '/', { env: { MILVUSDM_PATH: '/srv/mdm', logs_num: '7' } });
    expect(job.run).toMatchObject({ logDir: '/srv/mdm/logs', logsKept: 7 });
  });
  it('reads a live Milvus source for M2H from source_host/source_port', () => {
    const job = load({ M2H: { source_host: 'db', source_port: 19531, source_collection: { books: ['p1'] }, data_dir: '/out' } });
    expect(job.source).toEqual({ type: 'milvus', options: { uri: 'http://db:19531', collection: 'books', partitions: ['p1'] } });
  });
});

describe('mysql_parameter', () => {
  const m2h = (mysql: unknown) => ({
    M2H: { source_milvus_path: '/m', mysql_parameter: mysql, source_collection: { c: null }, data_dir: '/out' },
  });
  it("takes '' (MilvusDM's documented value for no MySQL), null and blank values as SQLite", () => {
    for (const empty of ['', null, { host: '', user: '', port: '', password: '', database: '' }]) {
      expect(load(m2h(empty)).source.options).not.toHaveProperty('mysql');
    }
  });
  it('takes a filled block as MySQL', () => {
    expect(load(m2h({ host: 'db', port: '3307', user: 'u', password: 123, database: 'milvus' })).source.options['mysql']).toEqual({
      host: 'db',
      port: 3307,
      user: 'u',
      password: '123',
      database: 'milvus',
    });
  });
});
