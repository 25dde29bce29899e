/**
 * Several databases in one run: when the source read several (`source.databases`, so each
 * dataset's schema names its database) and the job names no `target.database`, every dataset
 * goes into the database of its own name (or `rename.databases`' new name), created if the
 * target lacks it. Each database gets its own connection and its own MilvusSink: Milvus scopes
 * every call to a connection's database, and each sink keeps its collections, locks and swaps.
 */
import type { BeginOptions, ChannelContext, DatasetInfo, DatasetWriter, SkippedDataset, WriterSink } from '@milvusdm/core';
import { MilvusConnection } from '@milvusdm/milvus-client';
import type { MilvusWriterOptions } from './options.js';
import { MilvusSink } from './sink.js';

export class DatabaseRouter implements WriterSink {
  private readonly sinks = new Map<string, MilvusSink>();

  constructor(
    /** The sink of the job's own connection (target.database, or the default database). */
    private readonly main: MilvusSink,
    private readonly conn: MilvusConnection,
    private readonly options: MilvusWriterOptions,
    private readonly context: ChannelContext,
  ) {}

  async begin(dataset: DatasetInfo, options?: BeginOptions): Promise<DatasetWriter | SkippedDataset> {
    const from = dataset.schema.database;
    if (from === undefined || this.options.database !== undefined) return this.main.begin(dataset, options);
    return (await this.sinkFor(this.options.rename?.databases?.[from] ?? from)).begin(dataset, options);
  }

  private async sinkFor(database: string): Promise<MilvusSink> {
    let sink = this.sinks.get(database);
    if (sink) return sink;
    const r = await this.conn.sdk<{ db_names?: string[] }>('ListDatabases', {}, 'list databases');
    if (!(r.db_names ?? []).includes(database)) {
      this.context.logger.info(`creating database "${database}"`);
      await this.conn.sdk('CreateDatabase', { db_name: database }, `create database "${database}"`);
      const again = await this.conn.sdk<{ db_names?: string[] }>('ListDatabases', {}, 'list databases');
      if (!(again.db_names ?? []).includes(database)) {
        throw new Error(`create database "${database}": the server reported success but the database does not exist`);
      }
    }
    const conn = await MilvusConnection.open({ ...this.options, database }, this.context, 'target');
    sink = new MilvusSink(conn, { ...this.options, database }, this.context);
    this.sinks.set(database, sink);
    return sink;
  }

  async finish(): Promise<void> {
    await this.main.finish();
    for (const sink of this.sinks.values()) await sink.finish();
  }

  async close(): Promise<void> {
    const failures: unknown[] = [];
    for (const sink of [this.main, ...this.sinks.values()]) await sink.close().catch((e: unknown) => failures.push(e));
    if (failures.length > 0) throw failures[0];
  }
}
