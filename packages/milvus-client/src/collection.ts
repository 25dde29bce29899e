/**
 * Questions and commands about one collection, each checked: the SDK reports an
 * unimplemented call as an empty success, so every command is confirmed by a follow-up read.
 */
import { MilvusdmError, type CollectionSchema, type FieldSchema, type MetricType } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';
import { countRows } from './data-path.js';
import { everyRowExpr } from './expr.js';
import { createRequest } from './create-request.js';
import { indexesFromDescription, schemaFromDescription, type DescribedCollection, type DescribedIndex } from './schema-map.js';

export class MilvusCollection {
  constructor(
    private readonly conn: MilvusConnection,
    readonly name: string,
  ) {}

  private get params() {
    return { collection_name: this.name, ...(this.conn.database ? { db_name: this.conn.database } : {}) };
  }

  async exists(): Promise<boolean> {
    const r = await this.conn.sdk<{ value: boolean }>('HasCollection', this.params, `check collection "${this.name}"`);
    return r.value === true;
  }

  async describe(): Promise<CollectionSchema> {
    const described = await this.conn.sdk<DescribedCollection>('DescribeCollection', this.params, `describe collection "${this.name}"`);
    return schemaFromDescription(this.name, described, await this.indexMetrics());
  }

  /**
   * Everything the server says about the collection, for copying it whole: the schema with its
   * properties and functions, every index as built (type, metric, parameters), aliases, named
   * partitions and whether it is loaded. Calls a server may not implement (ListAliases,
   * ShowPartitions on Milvus Lite 2.5) leave their member out rather than fail the read.
   */
  async describeFully(): Promise<CollectionSchema> {
    const described = await this.conn.sdk<DescribedCollection>('DescribeCollection', this.params, `describe collection "${this.name}"`);
    const indexes = indexesFromDescription(await this.indexDescriptions());
    const metrics = new Map(indexes.filter((i) => i.metric).map((i) => [i.field, i.metric!]));
    const schema = schemaFromDescription(this.name, described, metrics);
    const aliases = await this.conn
      .sdk<{ aliases?: string[] }>('ListAliases', this.params, `list aliases of "${this.name}"`)
      .then((r) => r.aliases ?? [])
      .catch(() => schema.aliases ?? []);
    // A partition-key collection's partitions are the server's own (`_default_0`…), not named ones.
    const partitions = schema.fields.some((f) => f.isPartitionKey) ? undefined : await this.partitions().catch(() => undefined);
    const loaded = await this.isLoaded();
    return {
      ...schema,
      ...(indexes.length > 0 ? { indexes } : {}),
      ...(aliases.length > 0 ? { aliases: [...aliases].sort() } : {}),
      ...(partitions ? { partitions } : {}),
      loaded,
    };
  }

  /** Every index of the collection as the server describes it; none when it has none. */
  async indexDescriptions(): Promise<DescribedIndex[]> {
    try {
      const r = await this.conn.sdk<{ index_descriptions?: DescribedIndex[] }>(
        'DescribeIndex',
        { ...this.params, index_name: '' },
        `describe indexes of "${this.name}"`,
      );
      return r.index_descriptions ?? [];
    } catch (e) {
      // Milvus answers "index not found" (Lite 3.2: "no index on collection") as an error status when a collection has no index.
      if (/index not (found|exist)|no index on/i.test((e as Error).message)) return [];
      throw e;
    }
  }

  /** Metric of each indexed vector field. */
  async indexMetrics(): Promise<Map<string, MetricType>> {
    const r = await this.conn
      .sdk<{ index_descriptions: { field_name: string; params: { key: string; value: string }[] }[] }>(
        'DescribeIndex',
        { ...this.params, index_name: '' },
        `describe indexes of "${this.name}"`,
      )
      .catch(() => ({ index_descriptions: [] }));
    const out = new Map<string, MetricType>();
    for (const d of r.index_descriptions ?? []) {
      const metric = d.params.find((p) => p.key === 'metric_type')?.value;
      if (metric) out.set(d.field_name, metric.toUpperCase() as MetricType);
    }
    return out;
  }

  async create(schema: CollectionSchema): Promise<void> {
    // The SDK throws the server's status object on a refusal; call() turns it into one line.
    await this.conn.call(
      `create collection "${this.name}"`,
      () =>
        this.conn.client.createCollection({
          ...this.params,
          ...(createRequest(schema) as { fields: never }),
        }),
      { idempotent: false },
    );
    if (!(await this.exists())) {
      throw new MilvusdmError(
        'MDM_TARGET',
        `create collection "${this.name}": the server reported success but the collection does not exist`,
      );
    }
  }

  async drop(): Promise<void> {
    const what = `drop collection "${this.name}"`;
    try {
      await this.conn.sdk('DropCollection', this.params, what);
    } catch (e) {
      // Milvus Lite 3 has been seen refusing a drop over its own files ("[Errno 2] No such file or
      // directory: 'indexes'", in a run of the partition-overwrite kill test): its drop removes the
      // collection's folder while a background task of that collection may still remove files in
      // it. What counts is whether the name is gone, and a drop may be asked again.
      if (!(await this.exists())) return;
      await new Promise((r) => setTimeout(r, 1000));
      if (!(await this.exists())) return;
      await this.conn.sdk('DropCollection', this.params, what).catch(() => {
        throw e;
      });
    }
    // Dropping completes asynchronously on a cluster; wait until the name is free again.
    for (let i = 0; i < 300 && (await this.exists()); i++) await new Promise((r) => setTimeout(r, 200));
    if (await this.exists()) throw new MilvusdmError('MDM_TARGET', `drop collection "${this.name}": still present after 60 s`);
  }

  async partitions(): Promise<string[]> {
    const r = await this.conn.sdk<{ partition_names?: string[] }>('ShowPartitions', this.params, `list partitions of "${this.name}"`);
    return r.partition_names ?? [];
  }

  async hasPartition(partition: string): Promise<boolean> {
    const r = await this.conn.sdk<{ value: boolean }>(
      'HasPartition',
      { ...this.params, partition_name: partition },
      `check partition "${partition}" of "${this.name}"`,
    );
    return r.value === true;
  }

  async createPartition(partition: string): Promise<void> {
    await this.conn.sdk(
      'CreatePartition',
      { ...this.params, partition_name: partition },
      `create partition "${partition}" in "${this.name}"`,
    );
    if (!(await this.hasPartition(partition))) {
      throw new MilvusdmError(
        'MDM_TARGET',
        `create partition "${partition}" in "${this.name}": the server reported success but the partition does not exist`,
      );
    }
  }

  async dropPartition(partition: string): Promise<void> {
    // A loaded partition cannot be dropped; release it first (harmless when not loaded).
    await this.conn
      .sdk('ReleasePartitions', { ...this.params, partition_names: [partition] }, `release partition "${partition}"`)
      .catch(() => undefined);
    await this.conn.sdk('DropPartition', { ...this.params, partition_name: partition }, `drop partition "${partition}" of "${this.name}"`);
    for (let i = 0; i < 300 && (await this.hasPartition(partition)); i++) await new Promise((r) => setTimeout(r, 200));
  }

  async hasIndex(field: string): Promise<boolean> {
    return (await this.indexMetrics()).has(field);
  }

  async createIndex(field: string, indexType: string, metric: MetricType, params: Record<string, unknown> = {}): Promise<void> {
    await this.conn.call(
      `create index on "${this.name}.${field}"`,
      () =>
        this.conn.client.createIndex({
          ...this.params,
          field_name: field,
          index_type: indexType,
          metric_type: metric,
          ...(Object.keys(params).length > 0 ? { params: params as Record<string, string | number> } : {}),
        }),
      { idempotent: false },
    );
    if (!(await this.hasIndex(field))) {
      throw new MilvusdmError('MDM_TARGET', `create index on "${this.name}.${field}": the server reported success but no index exists`);
    }
  }

  async isLoaded(): Promise<boolean> {
    const r = await this.conn.sdk<{ state?: string }>('GetLoadState', this.params, `get load state of "${this.name}"`);
    return r.state === 'LoadStateLoaded';
  }

  /** `timeoutMs`: the call's own deadline (Milvus Lite 3 answers only once every index is built). */
  async load(options: { timeoutMs?: number } = {}): Promise<void> {
    await this.conn.sdk(
      'LoadCollection',
      this.params,
      `load collection "${this.name}"`,
      options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {},
    );
    // Loading is asynchronous on a cluster: wait for it, with a generous bound.
    for (let i = 0; i < 3000; i++) {
      if (await this.isLoaded()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new MilvusdmError('MDM_TARGET', `load collection "${this.name}": not loaded after 10 minutes`);
  }

  async release(): Promise<void> {
    await this.conn.sdk('ReleaseCollection', this.params, `release collection "${this.name}"`);
  }

  /**
   * Flushes the collection and waits until the server has persisted what it sealed: Milvus 2.x
   * counts a segment's rows in its statistics only once the segment is flushed (before that,
   * GetCollectionStatistics lags behind the inserts by seconds).
   */
  async flush(): Promise<void> {
    const r = await this.conn.sdk<{ coll_segIDs?: Record<string, { data?: unknown[] }>; coll_flush_ts?: Record<string, unknown> }>(
      'Flush',
      { ...this.params, collection_names: [this.name] },
      `flush collection "${this.name}"`,
      // Flushing twice persists the same rows twice over nothing: safe to repeat.
      { idempotent: true },
    );
    const segmentIDs = Object.values(r.coll_segIDs ?? {}).flatMap((s) => s.data ?? []);
    const flushTs = r.coll_flush_ts?.[this.name];
    for (let i = 0; i < 6000; i++) {
      const state = await this.conn.sdk<{ flushed?: boolean }>(
        'GetFlushState',
        { ...this.params, segmentIDs, ...(flushTs !== undefined ? { flush_ts: flushTs } : {}) },
        `wait for the flush of "${this.name}"`,
      );
      if (state.flushed === true) return;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new MilvusdmError('MDM_TARGET', `flush collection "${this.name}": not flushed after 10 minutes`);
  }

  /**
   * `row_count` of the collection's (or one partition's) statistics: no load, no query. What it
   * counts differs by server — Milvus Lite 3.2 and 2.5: live rows, as count(*) does; Milvus 2.3:
   * every row inserted into flushed segments, deleted and replaced ones included (call flush()
   * first) — so callers decide when it proves a count (see the writer's row-count.ts).
   */
  async statisticsRows(partition?: string): Promise<number> {
    const r = partition
      ? await this.conn.sdk<{ stats?: { key: string; value: string }[] }>(
          'GetPartitionStatistics',
          { ...this.params, partition_name: partition },
          `get statistics of partition "${partition}" of "${this.name}"`,
        )
      : await this.conn.sdk<{ stats?: { key: string; value: string }[] }>(
          'GetCollectionStatistics',
          this.params,
          `get statistics of "${this.name}"`,
        );
    const value = r.stats?.find((s) => s.key === 'row_count')?.value;
    const rows = value === undefined ? NaN : Number(value);
    if (!Number.isSafeInteger(rows) || rows < 0) {
      throw new MilvusdmError('MDM_TARGET', `statistics of "${this.name}": no row_count in the answer of ${this.conn.display}`);
    }
    return rows;
  }

  /**
   * Live rows (deletes applied), read with strong consistency; the collection must be loaded.
   * Counting one partition needs the primary key (see everyRowExpr).
   */
  async count(partition?: string, key?: FieldSchema): Promise<number> {
    if (!partition) return countRows(this.conn, this.name, '');
    if (!key || (key.type !== 'int64' && key.type !== 'varchar')) {
      throw new MilvusdmError('MDM_TARGET', `count partition "${partition}" of "${this.name}": the primary key must be int64 or varchar`);
    }
    return countRows(this.conn, this.name, everyRowExpr(key.name, key.type), [partition]);
  }
}
