/** Opens the meta store a job names: MySQL when `source.mysql` is given, else the SQLite file. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { MilvusdmError, type ChannelContext } from '@milvusdm/core';
import {
  MysqlMetaStore,
  SqliteMetaStore,
  mysqlSettings,
  parseMysqlUri,
  type MetaStore,
  type MysqlSettings,
} from '@milvusdm/reader-milvus-meta';
import type { DataDir } from './layout.js';
import type { Milvus1xReaderOptions } from './options.js';

export function mysqlSettingsOf(mysql: NonNullable<Milvus1xReaderOptions['mysql']>): MysqlSettings {
  return typeof mysql === 'string' ? parseMysqlUri(mysql, 'source.mysql') : mysqlSettings(mysql);
}

/** Registers every secret the options hold, before anything can log them. */
export function redactSecrets(options: Pick<Milvus1xReaderOptions, 'mysql'>, context: Pick<ChannelContext, 'redact'>): void {
  if (options.mysql === undefined) return;
  if (typeof options.mysql === 'string') {
    context.redact(options.mysql);
    try {
      context.redact(decodeURIComponent(new URL(options.mysql).password));
    } catch {
      // An unparsable URI is reported by parseMysqlUri, without echoing it.
    }
  } else context.redact(options.mysql.password);
}

export async function openMeta(dir: DataDir, options: Milvus1xReaderOptions, context: ChannelContext): Promise<MetaStore> {
  if (options.mysql !== undefined) {
    return MysqlMetaStore.open(mysqlSettingsOf(options.mysql), { jobKey: 'source.mysql' });
  }
  if (options.meta_file) {
    return SqliteMetaStore.open(resolve(context.baseDir, options.meta_file), { jobKey: 'source.meta_file' });
  }
  if (!existsSync(dir.sqlite)) {
    throw new MilvusdmError('MDM_SOURCE', `source.path: ${dir.db} has no meta.sqlite, so its meta is in MySQL`, {
      hint: 'Name the MySQL database with source.mysql (in a MilvusDM M2M/M2H job: mysql_parameter), or an SQLite copy with source.meta_file.',
    });
  }
  return SqliteMetaStore.open(dir.sqlite, { jobKey: 'source.path' });
}
