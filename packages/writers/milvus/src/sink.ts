/**
 * The Milvus writer: per dataset, applies the mode (skip / append / overwrite / upsert) to the
 * target collection or partition, checks the schema fits, inserts in byte-bounded batches and
 * verifies the row count Milvus reports afterwards.
 */
import {
  MilvusdmError,
  batchBytes,
  isBinaryMetric,
  primaryField,
  vectorFields,
  type ChannelContext,
  type BeginOptions,
  type Column,
  type CollectionSchema,
  type ColumnBatch,
  type DatasetInfo,
  type DatasetWriter,
  type FieldSchema,
  type IndexSchema,
  type MetricType,
  type ResumeInfo,
  type SkippedDataset,
  type WriterSink,
} from '@milvusdm/core';
import { MilvusCollection, sendBatch, serverInfo, type MilvusConnection } from '@milvusdm/milvus-client';
import { recreateAliases } from './aliases.js';
import { createCollection, setupOf, type CollectionSetup } from './collection-setup.js';
import { existingKeys } from './existing-keys.js';
import { insertAll, skipRows } from './insert-stream.js';
import { SendWindow, mostInFlight, type Concurrency } from './send-window.js';
import { acknowledgementsProveCount } from './count-proof.js';
import { buildIndexes, planIndexes } from './indexes.js';
import { countKeys } from './key-count.js';
import { TargetLock } from './lock.js';
import { fillName, helperRunId, stagingName } from './names.js';
import { keptForResume, replacePartitions } from './partition-swap.js';
import { autoIdResumePlan, keyedResumePlan, tokenFrom, type MilvusResumeToken, type ResumePlan } from './resume-plan.js';
import type { MilvusWriterOptions } from './options.js';
import { schemaProblems } from './schema-fit.js';
import { aliasTarget, swapIn, type SwapPlan } from './staging.js';
import { BulkImport } from './import/bulk-import.js';

/** How long Milvus Lite 3 may take to build a staging collection's indexes as it loads it. */
const LITE_INDEX_BUILD_MS = 2 * 60 * 60 * 1000;

interface CollectionState {
  /** Where rows go: the collection itself, or its staging collection under overwrite. */
  target: MilvusCollection;
  /** Created (or recreated) by this run. */
  readonly createdNow: boolean;
  /** Existed before this run and was kept: mode skip leaves its default partition alone. */
  readonly existedBefore: boolean;
  /** A dataset was written into it; untouched collections are left as they are at the end. */
  written: boolean;
  /** Partitions this run created or cleared; later datasets append to them. */
  readonly partitionsReady: Set<string>;
  /** We loaded it to query it; released again at the end unless the job asks to load. */
  loadedByUs: boolean;
  /** Loaded, so it can be queried (count(*), key checks); only on a collection with an index. */
  countable: boolean;
  /** This run sent upserts into it: on Milvus 2.x its statistics then count replaced rows twice. */
  upserted: boolean;
  /**
   * Every vector field has its index (this run built them): finish() need not ask again. Asking
   * is not free: Milvus Lite 3.2 answers DescribeIndex on 50k unflushed rows in about 1 s of its CPU.
   */
  indexed: boolean;
  schema: CollectionSchema;
  /** Index metric per vector field: the job's, else the source's. */
  readonly metrics: ReadonlyMap<string, MetricType>;
  /** Indexes, load state and aliases as the source had them (collection-setup.ts). */
  setup?: CollectionSetup;
  /** Set when `target` is a staging collection, swapped in by finish(). */
  swap?: SwapPlan | undefined;
  /** Rows committed into `target` by this run (checked again before a swap). */
  committedRows: number;
  /**
   * Every dataset written into `target` had its row count proven by the server's
   * acknowledgements (count-proof.ts): `committedRows` is then what it holds, and a swap need
   * not count it again — which on Milvus Lite 3 reads every row and starts the HNSW builds its
   * next rename waits for (a minute at 200k × 128).
   */
  countsAcknowledged: boolean;
  /**
   * Prepared afresh on resume: the interrupted run stopped before its first commit and removed
   * what it had created. Its datasets are then written as new ones (partitions created, no rows
   * to skip), under the names the run's state recorded.
   */
  readonly restarted?: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Rows per insert request at most (bytes bound it too); also bounds what a crash leaves unacknowledged. */
const MAX_ROWS = 50_000;
const DEFAULT_PARTITION = '_default';

function defaultMetric(field: FieldSchema): MetricType {
  if (field.type === 'binary_vector') return 'HAMMING';
  if (field.type === 'sparse_float_vector') return 'IP';
  return 'L2';
}

export class MilvusSink implements WriterSink {
  private readonly collections = new Map<string, CollectionState>();
  private readonly locks: TargetLock[] = [];
  /** Names this run's staging and set-aside collections. */
  private readonly runId = helperRunId();
  private finished = false;
  /** The bulk-import path (method import | auto): import/bulk-import.ts. */
  private bulk: BulkImport | undefined;

  constructor(
    private readonly conn: MilvusConnection,
    private readonly options: MilvusWriterOptions,
    private readonly context: ChannelContext,
  ) {}

  async begin(dataset: DatasetInfo, options: BeginOptions = {}): Promise<DatasetWriter | SkippedDataset> {
    let { resume } = options;
    const name = this.options.collection ?? this.options.rename?.collections?.[dataset.collection] ?? dataset.collection;
    if (!NAME.test(name)) {
      const where = this.options.collection ? 'target.collection' : `the source name of ${dataset.origin}`;
      throw new MilvusdmError('MDM_CONFIG', `"${name}" (${where}) is not a valid Milvus collection name: use letters, digits and _`, {
        exitCode: 2,
        hint: 'Set target.collection to the collection to write into.',
      });
    }
    const sourcePartition = dataset.partition === DEFAULT_PARTITION ? undefined : dataset.partition;
    const partition = this.options.partition ?? sourcePartition;
    const metric = this.checkVectors(dataset);
    // mode skip keeps a collection that exists before the run: decided before anything else is
    // asked of it (no lock, no description: describing a collection's index on Milvus Lite 3
    // reads every row, about 3.5 s at 200k). A collection this run made is in `collections`.
    if (this.options.mode === 'skip' && !partition && !resume && !this.collections.has(name)) {
      if (await new MilvusCollection(this.conn, name).exists()) return { skipped: `collection "${name}" exists (mode skip)` };
    }
    // Decided (and an impossible import refused) before the target is created or changed.
    this.bulk ??= new BulkImport(this.conn, this.options, this.context);
    const method = await this.bulk.method(dataset, resume);
    // A resumed dataset's target was prepared by the interrupted run: the mode is not applied again.
    const state =
      this.collections.get(name) ??
      (resume
        ? await this.resumeCollection(name, dataset, metric, partition, resume)
        : await this.prepareCollection(name, dataset, metric, partition));
    // A collection started over on resume takes its datasets as new ones (see `restarted`).
    if (state.restarted) resume = undefined;
    // Rows earlier runs committed count towards what a staging collection must hold at the swap.
    if (resume) state.committedRows += resume.rows;
    // Decided per dataset, not by which dataset came first: skip keeps an existing collection.
    if (this.options.mode === 'skip' && !partition && state.existedBefore) {
      return { skipped: `collection "${name}" exists (mode skip)` };
    }
    const problems = schemaProblems(dataset.schema, state.schema);
    if (problems.length > 0) {
      throw new MilvusdmError('MDM_SCHEMA_MISMATCH', `${dataset.origin} does not fit collection "${name}": ${problems.join('; ')}`, {
        hint: 'Write into a new collection (target.collection) or use mode: overwrite to recreate it.',
      });
    }
    if (state.swap?.partitions && !partition) {
      throw new MilvusdmError(
        'MDM_CONFIG',
        `${dataset.origin} has no partition, but this run overwrites partitions of "${name}" (mode overwrite): the collection was not changed`,
        { hint: 'Set target.partition, or overwrite the whole collection by writing it without partitions.' },
      );
    }
    if (partition) {
      const skipped = resume ? await this.resumePartition(state, partition) : await this.preparePartition(state, partition);
      if (skipped) return { skipped };
    }
    state.written = true;
    if (resume?.complete) return { write: async () => Promise.reject(new Error(`${dataset.origin} was completely written already`)) };
    const before = resume ? (tokenFrom(resume.token, `"${name}"`).before ?? undefined) : await this.rowsBefore(state, partition);
    const existing = await this.existingKeyPolicy(state, partition, before, resume !== undefined);
    if (method === 'import') {
      // An import job's row report is not an insert's acknowledgement: the server counts before a swap.
      state.countsAcknowledged = false;
      const insertLike = this.datasetWriter(state, state.target.name, partition, before, resume, existing);
      const importer = await this.bulk.writer({
        collection: state.target.name,
        partition,
        existing,
        schema: dataset.schema,
        targetSchema: state.schema,
        ...(insertLike.existingKeys ? { existingKeys: insertLike.existingKeys } : {}),
        token: insertLike.resumeToken as MilvusResumeToken,
        folder: `milvusdm-import/${name}_${this.runId}/${partition ?? DEFAULT_PARTITION}`,
        before,
        resume,
        sourceFiles: this.options.import_source_files
          ? (dataset as { parquetFiles?: { path: string; rows: number }[] }).parquetFiles
          : undefined,
        count: () => this.countRows(state, partition),
        queryable: async () => ((await state.target.isLoaded()) ? state.target.count(partition, primaryField(state.schema)) : undefined),
        committedRows: (rows) => void (state.committedRows += rows),
      });
      if (importer) return importer;
    }
    return this.datasetWriter(state, state.target.name, partition, before, resume, existing);
  }

  /**
   * Under append into a collection that already holds rows (an existing one, or one an earlier
   * dataset of this run filled), keys it holds must not be silently replaced or doubled:
   * 'check' asks per batch (the core applies existing_keys fail|skip), 'upsert' replaces them.
   * A collection this run created and has not written yet is empty: no check, no cost. Other
   * modes say what they do with existing rows themselves.
   */
  private async existingKeyPolicy(
    state: CollectionState,
    partition: string | undefined,
    before: number | undefined,
    resumed: boolean,
  ): Promise<'check' | 'upsert' | undefined> {
    if (this.options.mode !== 'append' || (state.createdNow && state.committedRows === 0)) return undefined;
    const key = primaryField(state.schema);
    if (!key || key.autoId) return undefined;
    // Keys are unique across the whole collection, so it is the collection that must be empty.
    // A resumed run asks what the collection held before the interrupted run's first row.
    const held =
      resumed && before !== undefined && !partition
        ? before
        : partition || before === undefined
          ? await this.countRows(state, undefined)
          : before;
    if (held === 0) return undefined;
    // The check queries the batch's keys: that needs the collection loaded.
    if (held === undefined || !(await this.makeCountable(state))) {
      this.context.logger.warn(`"${state.target.name}" cannot be queried (no index, not loaded): keys already present cannot be checked`);
      return undefined;
    }
    const policy = this.context.run?.existingKeys ?? 'fail';
    this.context.logger.info(
      `"${state.target.name}" already holds ${held} rows: ${policy === 'upsert' ? 'rows whose key it holds replace them (existing_keys: upsert)' : `every batch's keys are checked before it is sent (existing_keys: ${policy})`}`,
    );
    return policy === 'upsert' ? 'upsert' : 'check';
  }

  /** The collection an interrupted run of this job prepared: it must still be there, and is written as it is. */
  /**
   * The collection an interrupted run of this job prepared: it must still be there, and is
   * written as it is. Under overwrite that is its staging collection, swapped in at the end as
   * the interrupted run would have; the lock is taken again on the name users read.
   */
  private async resumeCollection(
    name: string,
    dataset: DatasetInfo,
    metric: MetricType | undefined,
    partition: string | undefined,
    resume: ResumeInfo,
  ): Promise<CollectionState> {
    const token = tokenFrom(resume.token, `"${name}"`);
    const swap = token.swap ?? undefined;
    const written = swap ? token.collection : name;
    if (resume.rows === 0 && !swap?.partitions && !(await new MilvusCollection(this.conn, written).exists())) {
      // Stopped before its first commit: the interrupted run dropped the empty collection (or
      // staging collection) it had created, and recorded no row. Start over, as the mode says,
      // under the staging name the state recorded, so a later resume finds it — unless the
      // collection a staging one was to replace is gone too: then nothing is claimed (below).
      if (!swap || (await new MilvusCollection(this.conn, name).exists())) {
        this.context.logger.info(
          `"${written}" was removed when the interrupted run stopped before its first commit: written from the start`,
        );
        return this.prepareCollection(name, dataset, metric, partition, { runId: swap?.runId });
      }
    }
    if (this.context.run?.lock !== false) {
      const lock = new TargetLock(this.conn, name, this.runId, this.context.run?.lockStaleSeconds ?? 600, this.context.logger);
      await lock.acquire();
      this.locks.push(lock);
    }
    let target = new MilvusCollection(this.conn, written);
    // A partition overwrite stopped after its staging collection was renamed for the replace.
    if (swap?.partitions && !(await target.exists())) target = new MilvusCollection(this.conn, fillName(name, swap.runId));
    if (!(await target.exists()) && swap?.partitions) {
      // Gone after the replace completed (the run stopped before it removed its state), or
      // removed by hand: the two cannot be told apart, so nothing is claimed.
      throw new MilvusdmError(
        'MDM_RESUME',
        `the staging collection of the interrupted partition overwrite of "${name}" no longer exists: either that run completed the replace (the partition holds its new rows) or the collection was removed`,
        { hint: 'Run again with --restart to write the partition again.' },
      );
    }
    if (!(await target.exists())) {
      throw new MilvusdmError('MDM_RESUME', `collection "${target.name}", written by the interrupted run, no longer exists`, {
        hint: 'Run again with --restart to start over.',
      });
    }
    if (swap)
      this.context.logger.info(
        `resuming into staging collection "${written}"; "${name}" is replaced only when it is complete (mode overwrite)`,
      );
    const metrics = new Map<string, MetricType>();
    for (const f of vectorFields(dataset.schema)) metrics.set(f.name, metric ?? f.metric ?? defaultMetric(f));
    const schema = await target.describe();
    const state: CollectionState = {
      target,
      partitionsReady: new Set<string>(),
      loadedByUs: false,
      countable: false,
      upserted: false,
      indexed: false,
      written: false,
      metrics,
      createdNow: false,
      // Ours since the interrupted run: mode skip must not skip the rest of it.
      existedBefore: false,
      schema,
      committedRows: 0,
      // A resumed collection's earlier rows were not acknowledged to this run.
      countsAcknowledged: false,
      setup: setupOf(dataset.schema, this.options),
      ...(swap ? { swap } : {}),
    };
    this.collections.set(name, state);
    return state;
  }

  private async resumePartition(state: CollectionState, partition: string): Promise<undefined> {
    if (state.partitionsReady.has(partition)) return undefined;
    if (!(await state.target.hasPartition(partition))) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `partition "${partition}" of "${state.target.name}", written by the interrupted run, no longer exists`,
        {
          hint: 'Run again with --restart to start over.',
        },
      );
    }
    state.partitionsReady.add(partition);
    return undefined;
  }

  /** Checks the expected dimension and the metric against the source's vectors; returns the metric to use. */
  private checkVectors(dataset: DatasetInfo): MetricType | undefined {
    const vectors = vectorFields(dataset.schema);
    const { dim, metric } = this.options;
    if (dim !== undefined) {
      if (vectors.length !== 1) {
        throw new MilvusdmError('MDM_SCHEMA_MISMATCH', `target.dim applies to one vector field; ${dataset.origin} has ${vectors.length}`);
      }
      const v = vectors[0]!;
      if (v.dim !== dim) {
        throw new MilvusdmError(
          'MDM_SCHEMA_MISMATCH',
          `target.dim is ${dim} but ${dataset.origin} holds ${v.type} "${v.name}" of dimension ${v.dim}`,
          {
            hint: v.type === 'binary_vector' ? 'Binary dimensions count bits: 64 bytes per vector is dimension 512.' : undefined,
          },
        );
      }
    }
    if (metric) {
      for (const v of vectors) {
        const binary = v.type === 'binary_vector';
        if (binary !== isBinaryMetric(metric)) {
          throw new MilvusdmError(
            'MDM_SCHEMA_MISMATCH',
            `target.metric ${metric} does not apply to ${v.type} "${v.name}" of ${dataset.origin}`,
          );
        }
      }
    }
    return metric;
  }

  /**
   * `restart`: an interrupted run's collection started over (`restarted`); its staging collection
   * keeps the name that run gave it (`runId`), which the run's state recorded.
   */
  private async prepareCollection(
    name: string,
    dataset: DatasetInfo,
    metric: MetricType | undefined,
    partition: string | undefined,
    restart?: { readonly runId: string | undefined },
  ): Promise<CollectionState> {
    const runId = restart?.runId ?? this.runId;
    const restarted = restart ? { restarted: true } : {};
    let target = new MilvusCollection(this.conn, name);
    const { mode } = this.options;
    if (this.context.run?.lock !== false) {
      const lock = new TargetLock(this.conn, name, this.runId, this.context.run?.lockStaleSeconds ?? 600, this.context.logger);
      await lock.acquire();
      this.locks.push(lock);
    }
    let exists = await target.exists();
    const metrics = new Map<string, MetricType>();
    for (const f of vectorFields(dataset.schema)) metrics.set(f.name, metric ?? f.metric ?? defaultMetric(f));
    const base = {
      partitionsReady: new Set<string>(),
      loadedByUs: false,
      countable: false,
      upserted: false,
      indexed: false,
      written: false,
      metrics,
      committedRows: 0,
      countsAcknowledged: true,
    };
    let swap: SwapPlan | undefined;
    if (exists && mode === 'overwrite' && !partition) {
      // The old collection stays as it is until the new one is complete (staging.ts).
      const aliasOf = await aliasTarget(this.conn, name);
      swap = { target: name, ...(aliasOf ? { aliasOf } : {}), oldLoaded: await target.isLoaded(), runId };
      target = new MilvusCollection(this.conn, stagingName(name, runId));
      this.context.logger.info(
        `writing into staging collection "${target.name}"; "${name}" is replaced only when it is complete (mode overwrite)`,
      );
      exists = false;
    } else if (exists && mode === 'overwrite' && partition) {
      // The old partition keeps its rows until the new ones are complete (partition-swap.ts):
      // they are staged in a collection made with the target's own schema, which they must fit.
      swap = { target: name, oldLoaded: false, runId, partitions: true };
      const own = await target.describe();
      target = new MilvusCollection(this.conn, stagingName(name, runId));
      this.context.logger.info(
        `writing into staging collection "${target.name}"; partition "${partition}" of "${name}" keeps its rows until they are complete (mode overwrite)`,
      );
      await target.create(own);
      const schema = await target.describe();
      await this.createIndexes(target, schema, metrics);
      const state: CollectionState = { ...base, ...restarted, target, createdNow: true, existedBefore: false, indexed: true, schema, swap };
      this.collections.set(name, state);
      return state;
    }
    let schema: CollectionSchema;
    let setup: CollectionSetup;
    if (!exists) {
      // Schema, properties and indexes as the source had them; refused before creating anything if the server lacks some.
      setup = await createCollection(this.conn, target, name, dataset.schema, metric, this.options, this.context.logger);
      schema = await target.describe();
      await this.createIndexes(target, schema, metrics, setup.indexes);
    } else {
      setup = setupOf(dataset.schema, this.options);
      schema = await target.describe();
    }
    const state: CollectionState = {
      ...base,
      ...restarted,
      target,
      createdNow: !exists,
      existedBefore: exists,
      // Built just above, on the collection this run created (none asked for under index: false).
      indexed: !exists,
      schema,
      setup,
      ...(swap ? { swap } : {}),
    };
    this.collections.set(name, state);
    return state;
  }

  private async createIndexes(
    target: MilvusCollection,
    schema: CollectionSchema,
    metrics: ReadonlyMap<string, MetricType>,
    sourceIndexes?: readonly IndexSchema[],
  ): Promise<void> {
    const plan = await planIndexes(this.conn, schema, metrics, this.options.index, sourceIndexes);
    await buildIndexes(this.conn, target, plan, this.context.logger);
  }

  /** Returns a reason to skip the dataset, or undefined when the partition is ready. */
  private async preparePartition(state: CollectionState, partition: string): Promise<string | undefined> {
    if (state.partitionsReady.has(partition)) return undefined;
    const { target } = state;
    const has = state.createdNow ? false : await target.hasPartition(partition);
    if (has && this.options.mode === 'skip') return `partition "${partition}" of "${target.name}" exists (mode skip)`;
    if (has && this.options.mode === 'overwrite') {
      this.context.logger.info(`dropping partition "${partition}" of "${target.name}" (mode overwrite)`);
      await target.dropPartition(partition);
      await target.createPartition(partition);
    } else if (!has) {
      await target.createPartition(partition);
    }
    state.partitionsReady.add(partition);
    return undefined;
  }

  /**
   * Queries (count(*), key checks, upsert proofs) need a loaded collection, and loading needs an
   * index on every vector field. Loading costs the server real work (on Milvus 2.3 every insert
   * into a loaded collection costs it about a third more CPU, and the load itself minutes on
   * millions of rows), so it is done only when a query is needed. Returns whether it can be queried.
   */
  private async makeCountable(state: CollectionState): Promise<boolean> {
    if (state.countable) return true;
    if (await state.target.isLoaded()) {
      state.countable = true;
      return true;
    }
    const indexed = await state.target.indexMetrics();
    if (vectorFields(state.schema).some((f) => !indexed.has(f.name))) {
      if (this.options.index === false) {
        this.context.logger.warn(`"${state.target.name}" has no vector index (index: false), so it cannot be queried`);
        return false;
      }
      await this.createIndexes(state.target, state.schema, state.metrics, state.setup?.indexes);
      state.indexed = true;
    }
    this.context.logger.info(`loading "${state.target.name}" to verify what is written`);
    await state.target.load();
    state.loadedByUs = true;
    state.countable = true;
    return true;
  }

  /**
   * Whether the server's statistics count live rows exactly as count(*) does: Milvus Lite 3.2
   * (version `milvus_lite-3.2.2`) and Milvus Lite 2.5's engine (no GetVersion) compute `row_count`
   * with deletes and replaced keys applied. Not any version with "lite" in it: the PyPI `milvus`
   * 2.3.5 standalone server calls itself `v2.3.5-lite` and counts as Milvus 2.x does. Milvus 2.x counts every row inserted into flushed
   * segments instead (measured on 2.3.5: a repeated key counts twice, as count(*) does, but a
   * deleted or upserted row stays counted, and compaction later drops them).
   */
  private liveStatistics(): Promise<boolean> {
    this.statisticsLive ??= serverInfo(this.conn).then((i) => i.localLiteEngine || /^milvus_lite-/i.test(i.version ?? ''));
    return this.statisticsLive;
  }
  private statisticsLive: Promise<boolean> | undefined;

  /** Milvus Lite 3.x (a Python server): its every count reads each row and its vectors (count-proof.ts). */
  private countReadsEveryRow(): Promise<boolean> {
    this.everyRowCounts ??= serverInfo(this.conn).then((i) => /^milvus_lite-/i.test(i.version ?? ''));
    return this.everyRowCounts;
  }
  private everyRowCounts: Promise<boolean> | undefined;

  /**
   * Whether the statistics prove this collection's count exactly. Where they count live rows,
   * always. On Milvus 2.x only in a collection this run created and never upserted into:
   * nobody else writes it (the lock), nothing was deleted or replaced, so rows inserted are the
   * rows it holds, and compaction has nothing to drop. Elsewhere count(*) (a load) is needed.
   */
  private async byStatistics(state: CollectionState): Promise<boolean> {
    return (await this.liveStatistics()) || (state.createdNow && !state.upserted);
  }

  /**
   * The rows the collection (or partition) holds, counted the cheapest exact way; undefined
   * when it cannot be counted (no index to load it by, and statistics would not be exact).
   */
  private async countRows(state: CollectionState, partition: string | undefined): Promise<number | undefined> {
    if (await this.byStatistics(state)) {
      // Milvus 2.x counts a segment's rows once it is flushed; the Lite servers count at once.
      if (!(await this.liveStatistics())) await state.target.flush();
      return state.target.statisticsRows(partition);
    }
    if (!(await this.makeCountable(state))) return undefined;
    return state.target.count(partition, primaryField(state.schema));
  }

  /** What the target held before a dataset: nothing, without asking, in a collection this run just created and holds the lock on. */
  private async rowsBefore(state: CollectionState, partition: string | undefined): Promise<number | undefined> {
    if (state.createdNow && state.committedRows === 0 && !state.upserted && this.context.run?.lock !== false) return 0;
    return this.countRows(state, partition);
  }

  private datasetWriter(
    state: CollectionState,
    name: string,
    partition: string | undefined,
    before: number | undefined,
    resume: ResumeInfo | undefined,
    existing: 'check' | 'upsert' | undefined,
  ): DatasetWriter {
    const upsert = this.options.mode === 'upsert' || existing === 'upsert';
    const key = primaryField(state.schema);
    const autoId = key?.autoId === true;
    // Server-assigned keys cannot be matched after a crash: one request at a time keeps what
    // landed a prefix of what was sent (see resume-plan.ts).
    const concurrency = autoId ? 1 : this.options.concurrency;
    const where = `"${name}"${partition ? ` partition "${partition}"` : ''}`;
    // A resumed run upserts the rows the interrupted one may have sent unrecorded; those were
    // checked for existing keys before it sent them, and may now be found as its own.
    let uncheckedRows = resume && !autoId ? keyedResumePlan(mostInFlight(concurrency), MAX_ROWS, resume.unrecordedRows).upsertRows : 0;
    const screening = {
      targetSchema: state.schema,
      ...(existing === 'check' && key
        ? {
            existingKeys: async (keys: Column) => {
              const rows = keys.values.length;
              if (uncheckedRows >= rows) {
                uncheckedRows -= rows;
                return undefined;
              }
              uncheckedRows = 0;
              return existingKeys(this.conn, name, key.name, keys);
            },
          }
        : {}),
    };
    const elementTypes = new Map(
      state.schema.fields.filter((f) => f.type === 'array' && f.elementType).map((f) => [f.name, f.elementType!]),
    );
    const insertTarget = {
      collection: name,
      ...(partition ? { partition } : {}),
      elementTypes,
      ...(state.schema.enableDynamicField ? { dynamicColumn: '$meta' } : {}),
    };
    const resumeToken: MilvusResumeToken = {
      collection: name,
      partition: partition ?? null,
      before: before ?? null,
      swap: state.swap ?? null,
    };
    const countTarget = key ? { collection: name, partition, keyField: key.name } : undefined;
    const proofFacts = {
      option: this.options.count,
      createdNow: state.createdNow,
      locked: this.context.run?.lock !== false,
      upserts: upsert,
      resumed: resume !== undefined,
      firstWrite: state.committedRows === 0,
      keysChecked: existing === 'check',
    };
    return {
      ...screening,
      resumeToken,
      // A staging collection is swapped in by finish(), after every dataset: nothing of it is
      // visible before, so repeated keys may be looked for once at the end of the stream.
      ...(state.swap ? { publishesAtEnd: true } : {}),
      write: async (batches, outer) => {
        const hooks = { committed: (b: ColumnBatch) => ((state.committedRows += b.numRows), outer.committed(b)) };
        const base = resume?.rows ?? 0;
        const plan = resume
          ? await this.resumePlan(state, partition, autoId, concurrency, resume, before, where)
          : { skipRows: 0, upsertRows: 0 };
        if (plan.skipRows > 0)
          this.context.logger.info(`${where}: ${plan.skipRows} rows of the interrupted run's last request landed; not sent again`);
        if (plan.upsertRows > 0)
          this.context.logger.info(
            `${where}: the next ${plan.upsertRows} rows go as upserts (the interrupted run may have sent some of them)`,
          );
        // Proving upserted keys queries them: load only when this dataset upserts.
        const provable = upsert && countTarget !== undefined && (await this.makeCountable(state));
        let sent = 0;
        const sendOne = async (batch: ColumnBatch) => {
          const asUpsert = upsert || sent < plan.upsertRows;
          sent += batch.numRows;
          if (asUpsert) state.upserted = true;
          // Retries, backoff and too-large splitting: milvus-client's send policy.
          await sendBatch(this.conn, insertTarget, batch, { upsert: asUpsert });
          this.context.logger.debug(
            `${asUpsert ? 'upserted' : 'inserted'} ${batch.numRows} rows (${batchBytes(batch)} bytes) into "${name}"`,
          );
          // An upsert replaces by key, so the collection's count cannot prove it: count the batch's keys.
          if (provable) await this.proveKeys(countTarget, batch, where);
        };
        const skipped = { rows: 0 };
        const window = new SendWindow(concurrency);
        const rows = await insertAll(
          skipRows(batches, plan.skipRows, hooks, skipped),
          sendOne,
          { maxBytes: this.options.batch_bytes, maxRows: MAX_ROWS, concurrency },
          hooks,
          window,
        );
        const windowUsed = window.describe();
        if (windowUsed) this.context.logger.info(`${where}: concurrency auto: ${windowUsed}`);
        const written = rows + skipped.rows;
        const acknowledged = acknowledgementsProveCount({ ...proofFacts, countReadsEveryRow: await this.countReadsEveryRow() });
        if (!acknowledged || state.upserted) state.countsAcknowledged = false;
        if (acknowledged && !state.upserted) {
          this.context.logger.info(
            `${where}: ${written} rows, each batch acknowledged in full by the server, into a collection this run created with unique keys (count: ${this.options.count}; count: server counts them on the server as well)`,
          );
        } else if (before !== undefined && !upsert) {
          // Counted the same way as `before` was (see byStatistics: nothing upserted in between).
          const after = await this.countRows(state, partition);
          if (after === undefined) throw new MilvusdmError('MDM_VERIFY', `${where} cannot be counted back after writing`);
          const expected = before + base + written;
          if (after !== expected) {
            const ours = base > 0 ? `${base + written} (${base} of them by the interrupted run)` : `${written}`;
            throw new MilvusdmError('MDM_VERIFY', `${where} holds ${after} rows after writing ${ours} to ${before}: expected ${expected}`, {
              hint:
                after < expected
                  ? 'Some keys were already present and the server kept one row per key; use mode upsert to replace rows on purpose.'
                  : undefined,
            });
          }
        }
        return { rows: written };
      },
    };
  }

  private async resumePlan(
    state: CollectionState,
    partition: string | undefined,
    autoId: boolean,
    concurrency: Concurrency,
    resume: ResumeInfo,
    before: number | undefined,
    where: string,
  ): Promise<ResumePlan> {
    if (!autoId) return keyedResumePlan(mostInFlight(concurrency), MAX_ROWS, resume.unrecordedRows);
    const now = before === undefined ? undefined : await this.countRows(state, partition);
    if (before === undefined || now === undefined) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `${where} assigns its own keys and cannot be counted (no vector index), so the rows of the interrupted run's last request cannot be told apart`,
        {
          hint: 'Run again with --restart and mode: overwrite, or let the target build its index (index: auto).',
        },
      );
    }
    const present = now - before;
    return autoIdResumePlan(present, resume.rows, resume.unrecordedRows + MAX_ROWS, where);
  }

  private async proveKeys(
    target: { collection: string; partition: string | undefined; keyField: string },
    batch: ColumnBatch,
    where: string,
  ): Promise<void> {
    const keys = batch.columns.get(target.keyField);
    if (!keys) return;
    const found = await countKeys(this.conn, target, keys);
    if (found !== batch.numRows) {
      throw new MilvusdmError(
        'MDM_VERIFY',
        `${where}: after upserting ${batch.numRows} rows, ${found} rows carry their keys: expected exactly ${batch.numRows}`,
        {
          hint:
            found > batch.numRows
              ? 'The target holds duplicate keys (rows inserted twice before this run).'
              : 'The server acknowledged rows it did not store.',
        },
      );
    }
  }

  /**
   * The rows a staging collection holds before its swap: the acknowledged count where every
   * dataset's count was proven that way, else counted by the server.
   */
  private async swapCount(state: CollectionState): Promise<number | undefined> {
    if (state.countsAcknowledged && state.createdNow) {
      this.context.logger.info(
        `"${state.target.name}": ${state.committedRows} rows, every batch acknowledged in full (not counted again before the swap)`,
      );
      return state.committedRows;
    }
    return this.countRows(state, undefined);
  }

  /**
   * Milvus Lite 3 builds the indexes of a loaded collection's segments in the background, and
   * RenameCollection waits for those builds and for a flush (measured: about a minute at
   * 200k × 128). In a swap that wait would fall between the two renames, with no collection
   * under the target's name. So the staging collection is flushed and released (which stops the
   * background builds), then loaded again — its indexes built, while the old collection still
   * serves — when readers need it loaded; its rename is then a matter of milliseconds.
   */
  private async readyForRename(staging: MilvusCollection, loadAfter: boolean): Promise<void> {
    this.context.logger.info(
      `preparing "${staging.name}" for the swap (flush${loadAfter ? ', index build and load' : ''}); the old collection serves meanwhile`,
    );
    await staging.flush();
    await staging.release();
    // Lite answers the load once every index is built (minutes for millions of rows): not the
    // call deadline meant for a request, but a bound all the same. Ctrl-C still stops it.
    if (loadAfter) await staging.load({ timeoutMs: LITE_INDEX_BUILD_MS });
  }

  async finish(): Promise<void> {
    for (const state of this.collections.values()) {
      if (!state.written) continue;
      if (!state.indexed) await this.createIndexes(state.target, state.schema, state.metrics, state.setup?.indexes);
      const keptLoaded = state.swap?.oldLoaded === true;
      if (state.swap?.partitions) {
        const counted = await this.swapCount(state);
        state.target = await replacePartitions({
          conn: this.conn,
          context: this.context,
          staging: state.target,
          partitions: [...state.partitionsReady],
          rows: state.committedRows,
          counted,
          plan: state.swap,
          liveStatistics: await this.liveStatistics(),
        });
        state.loadedByUs = false;
        state.swap = undefined;
      } else if (state.swap) {
        const oldLoaded = state.swap.oldLoaded;
        if (!state.swap.aliasOf && (await this.countReadsEveryRow())) await this.readyForRename(state.target, oldLoaded);
        // Readers searched the old collection: the new one is loaded before it takes its place, and stays so.
        if (oldLoaded) {
          if (!(await state.target.isLoaded())) await state.target.load();
          state.loadedByUs = false;
        }
        const counted = await this.swapCount(state);
        state.target = await swapIn(this.conn, state.target, counted, state.committedRows, state.swap, this.context.logger);
        state.swap = undefined;
        // Milvus Lite 3 releases a collection it renames; its indexes are built, so this is quick.
        if (oldLoaded && !(await state.target.isLoaded())) await state.target.load();
      }
      // The job's `load`, else as the source was (collection-setup.ts).
      if (state.setup?.load ?? this.options.load) {
        if (!(await state.target.isLoaded())) await state.target.load();
        this.context.logger.info(`collection "${state.target.name}" is loaded`);
      } else if (
        state.loadedByUs ||
        ((state.setup?.unloaded ?? this.options.load === false) && state.createdNow && !keptLoaded && (await state.target.isLoaded()))
      ) {
        // `load: false`, or a source that was not loaded, leaves a collection this run created
        // unloaded (Milvus Lite 3 loads on create).
        await state.target.release();
      }
      if (state.setup && state.setup.aliases.length > 0) {
        await recreateAliases(this.conn, state.target.name, state.setup.aliases, this.options.mode === 'overwrite', this.context.logger);
      }
    }
    this.finished = true;
    await this.releaseLocks();
  }

  /**
   * After a failure: a staging collection goes (the target was never touched), and so does a
   * collection this run created but wrote nothing into, so a run refused before its first row
   * leaves nothing behind. Locks are released.
   */
  async close(): Promise<void> {
    // After Ctrl-C the connection refuses calls; undoing what the run left (removeUnfinished) and
    // releasing its locks still needs a few, bounded in time.
    if (this.context.signal.aborted) this.conn.allowCleanupCalls();
    try {
      if (!this.finished) await this.removeUnfinished();
      await this.releaseLocks();
      await this.bulk?.close();
    } finally {
      await this.conn.close();
    }
  }

  private async removeUnfinished(): Promise<void> {
    for (const state of this.collections.values()) {
      if (!state.createdNow) continue;
      const name = state.target.name;
      try {
        const kept = state.swap?.partitions ? await keptForResume(this.conn, state.swap) : undefined;
        if (kept) this.context.logger.warn(kept);
        else if (state.swap && state.committedRows > 0 && this.context.signal.aborted) {
          // Interrupted (Ctrl-C), its rows recorded in the run's state: running the same job again
          // continues it. A run that failed on its input would fail again: its staging goes.
          this.context.logger.warn(
            `the run did not finish: "${state.swap.target}" was not changed; staging collection "${name}" is kept, so running the same job again continues it (--restart starts over; \`milvusdm cleanup\` removes it)`,
          );
        } else if (state.swap) {
          await state.target.drop();
          this.context.logger.warn(
            `the run did not finish: staging collection "${name}" was dropped; "${state.swap.target}" was not changed`,
          );
        } else if (
          state.committedRows === 0 &&
          (state.countable || (await this.byStatistics(state)) ? await this.countRows(state, undefined) : 0) === 0
        ) {
          await state.target.drop();
          this.context.logger.info(`the run wrote no row: dropped collection "${name}", which it had created`);
        } else if (state.committedRows > 0 && !state.swap) {
          // Said plainly, so nobody takes the collection for a whole copy.
          this.context.logger.warn(
            `the run did not finish: collection "${name}", which it created, holds the ${state.committedRows} rows committed before it stopped; running the same job again continues after them (--restart starts over)`,
          );
        }
      } catch (e) {
        this.context.logger.warn(
          `could not remove "${name}" after the failed run (${String(e)}): \`milvusdm cleanup\` lists and removes what runs leave behind`,
        );
      }
    }
  }

  private async releaseLocks(): Promise<void> {
    for (const lock of this.locks.splice(0)) {
      await lock.release().catch((e: unknown) => this.context.logger.warn(`could not release the lock on "${lock.target}": ${String(e)}`));
    }
  }
}
