/**
 * The sink's entry to the bulk-import path: decides, per dataset, whether rows go by insert or
 * by import (`method`), and builds the import writer with the server's API and the storage.
 * Everything that can refuse an import (Milvus Lite, no storage, mode upsert) is decided here,
 * before the sink creates or changes anything.
 */
import { MilvusdmError, type ChannelContext, type DatasetInfo, type DatasetWriter, type ResumeInfo } from '@milvusdm/core';
import { serverInfo, type MilvusConnection } from '@milvusdm/milvus-client';
import type { MilvusWriterOptions } from '../options.js';
import { importTokenOf } from './import-token.js';
// The import writer (Parquet, Arrow) is loaded by `writer`, when a dataset is imported.
import type { ImportWriterArgs } from './import-writer.js';
import { BulkInsert23, CloudImportJobs, RestImportJobs, type ImportApi } from './jobs.js';
import { openStorage, storageSecrets, type ImportStorage } from './storage.js';

export type Method = 'insert' | 'import';

export class BulkImport {
  private storage: ImportStorage | undefined;
  private api: ImportApi | undefined;
  /** Notes said once per run, not once per dataset. */
  private readonly said = new Set<string>();

  constructor(
    private readonly conn: MilvusConnection,
    private readonly options: MilvusWriterOptions,
    private readonly context: ChannelContext,
  ) {
    context.redact(options.cloud?.api_key);
    for (const secret of storageSecrets(options.storage)) context.redact(secret);
  }

  private note(text: string): void {
    if (this.said.has(text)) return;
    this.said.add(text);
    this.context.logger.info(text);
  }

  /** Why this target cannot import, or undefined when it can. */
  private async cannotImport(): Promise<string | undefined> {
    const info = await serverInfo(this.conn);
    // Not any version with "lite" in it: the PyPI 2.3.5 standalone server calls itself v2.3.5-lite.
    if (this.conn.display.startsWith('Milvus Lite') || info.localLiteEngine || /^milvus_lite-/i.test(info.version ?? '')) {
      return `the target is Milvus Lite (${this.conn.display}), which cannot import files`;
    }
    if (info.release && (info.release[0] < 2 || (info.release[0] === 2 && info.release[1] < 3))) {
      return `${this.conn.display} runs ${info.version}; milvusdm imports into Milvus 2.3 and later`;
    }
    if (!this.options.storage) return 'target.storage is not set (where the files go for the server to read)';
    if (this.isCloud() && !this.options.cloud) return 'target.cloud (cluster_id, api_key) is not set, which Zilliz Cloud import needs';
    if (this.isCloud() && (this.options.storage.type !== 's3' || !this.options.storage.object_url))
      return 'Zilliz Cloud imports from a bucket: target.storage needs type s3 and object_url';
    return undefined;
  }

  private isCloud(): boolean {
    return /zillizcloud\.com/i.test(this.options.uri);
  }

  /**
   * insert or import for one dataset. A resumed dataset keeps its interrupted run's method. Under
   * `import`, a target that cannot import is refused here, before anything is written; under
   * `auto` it falls back to insert, saying so once.
   */
  async method(dataset: DatasetInfo, resume: ResumeInfo | undefined): Promise<Method> {
    if (resume) return importTokenOf(resume.token) ? 'import' : 'insert';
    const { method } = this.options;
    if (method === 'insert') return 'insert';
    if (method === 'auto') {
      const min = this.options.import_min_rows;
      if (dataset.rows === undefined || dataset.rows < min) return 'insert';
    }
    const upsert = this.options.mode === 'upsert' ? 'mode upsert replaces rows by key, which an import cannot do' : undefined;
    const why = upsert ?? (await this.cannotImport());
    if (why === undefined) return 'import';
    if (method === 'import') {
      throw new MilvusdmError('MDM_UNSUPPORTED', `target.method import: ${why}; nothing was written`, {
        hint: 'Use method: insert (or auto, which imports only where the target can).',
      });
    }
    this.note(`method auto: inserting rows, not importing: ${why}`);
    return 'insert';
  }

  private async importApi(): Promise<ImportApi> {
    if (this.api) return this.api;
    const info = await serverInfo(this.conn);
    if (this.isCloud()) {
      const cloud = this.options.cloud!;
      const storage = this.options.storage as Extract<MilvusWriterOptions['storage'], { type: 's3' }>;
      const base = storage.object_url!.replace(/\/+$/, '');
      this.api = new CloudImportJobs(
        cloud.api_url,
        cloud.api_key,
        cloud.cluster_id,
        // object_url names the bucket's root as Zilliz Cloud reads it; the key follows.
        (file) => `${base}/${file}`,
        { accessKey: storage.access_key, secretKey: storage.secret_key },
        this.context.signal,
      );
    } else if (info.release && info.release[0] === 2 && info.release[1] === 3) {
      this.api = new BulkInsert23(this.conn);
    } else {
      const token = this.options.token ?? (this.options.user ? `${this.options.user}:${this.options.password ?? ''}` : undefined);
      const base = /^https?:\/\//.test(this.options.uri) ? this.options.uri : `http://${this.options.uri}`;
      this.api = new RestImportJobs(base, token, this.context.signal, this.options.database);
    }
    this.context.logger.info(`importing by ${this.api.name}`);
    return this.api;
  }

  /** The import writer of one dataset (undefined: insert after all); `fit` is what the sink knows of the target. */
  async writer(
    fit: Omit<ImportWriterArgs, 'api' | 'storage' | 'fileRows' | 'pollMs' | 'logger' | 'signal' | 'target'> & {
      collection: string;
      partition: string | undefined;
      existing: 'check' | 'upsert' | undefined;
    },
  ): Promise<DatasetWriter | undefined> {
    if (fit.existing === 'upsert' && this.options.method === 'auto') {
      this.note(`method auto: inserting rows into "${fit.collection}", not importing: it holds rows and existing_keys is upsert`);
      return undefined;
    }
    if (fit.existing === 'upsert') {
      throw new MilvusdmError(
        'MDM_UNSUPPORTED',
        `target.method import: "${fit.collection}" already holds rows and existing_keys is upsert, which an import cannot do; nothing was written`,
        { hint: 'Use method: insert for this job.' },
      );
    }
    this.storage ??= await openStorage(this.options.storage!, this.context);
    const api = await this.importApi();
    const { importWriter } = await import('./import-writer.js');
    return importWriter({
      ...fit,
      api,
      storage: this.storage,
      target: { collection: fit.collection, partition: fit.partition, database: this.options.database },
      fileRows: this.options.import_file_rows,
      pollMs: this.options.import_poll_ms,
      logger: this.context.logger,
      signal: this.context.signal,
    });
  }

  async close(): Promise<void> {
    await this.storage?.close();
  }
}
