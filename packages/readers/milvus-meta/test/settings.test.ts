import { describe, expect, it } from 'vitest';
import {
  describeMysql,
  fileTypeName,
  idModeOf,
  isBinaryMetricCode,
  metricCode,
  metricName,
  mysqlSettings,
  parseMysqlUri,
  LIVE_FILE_TYPES,
} from '../dist/index.js';

describe('MySQL settings', () => {
  it('fills what the seed leaves out with Milvus defaults', () => {
    expect(mysqlSettings({})).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: 'milvus',
      connectTimeout: 10,
    });
    expect(mysqlSettings({ host: 'db', port: 3307, user: 'm', password: 'p', database: 'meta', connect_timeout: 2 })).toEqual({
      host: 'db',
      port: 3307,
      user: 'm',
      password: 'p',
      database: 'meta',
      connectTimeout: 2,
    });
  });

  it('reads the meta_uri Milvus was configured with, decoding the password', () => {
    const s = parseMysqlUri('mysql://milvus:p%40ss%3Aw0rd@10.0.0.5:3307/milvus_meta', 'source.mysql');
    expect(s).toMatchObject({ host: '10.0.0.5', port: 3307, user: 'milvus', password: 'p@ss:w0rd', database: 'milvus_meta' });
    expect(describeMysql(s)).toBe('milvus@10.0.0.5:3307/milvus_meta');
    expect(parseMysqlUri('mysql://root@db/', 'x')).toMatchObject({ host: 'db', port: 3306, database: 'milvus', password: '' });
  });

  it('refuses what is not a mysql:// URI, without echoing it', () => {
    expect(() => parseMysqlUri('postgres://u:secret@h/db', 'source.mysql')).toThrow(
      /^source\.mysql: expected a mysql:\/\/ URI, got postgres:\/\/…$/,
    );
    expect(() => parseMysqlUri('secret-junk', 'source.mysql')).toThrow(/^source\.mysql: not a URI/);
  });
});

describe('1.x codes', () => {
  it('uses Milvus numbering for metrics, binary exactly for metrics 3–7', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(metricName)).toEqual(['L2', 'IP', 'HAMMING', 'JACCARD', 'TANIMOTO', 'SUBSTRUCTURE', 'SUPERSTRUCTURE']);
    expect(metricName(0)).toBeUndefined();
    expect(metricCode('JACCARD')).toBe(4);
    expect([1, 2, 3, 7, 8].map(isBinaryMetricCode)).toEqual([false, false, true, true, false]);
  });

  it('reads RAW, TO_INDEX and BACKUP rows, nothing else', () => {
    expect(LIVE_FILE_TYPES.map(fileTypeName)).toEqual(['RAW', 'TO_INDEX', 'BACKUP']);
    expect(fileTypeName(6)).toBe('NEW_INDEX');
  });

  it('tells generated ids from given ones by Tables.flag', () => {
    expect([0, 1, 2, 3].map(idModeOf)).toEqual(['unset', 'auto', 'user', 'user']);
  });
});
