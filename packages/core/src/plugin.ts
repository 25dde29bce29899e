/**
 * The contract between milvusdm and its channel plugins. A reader opens a source and lists its
 * datasets (a collection or one partition of one); each dataset announces its schema, then
 * yields column batches as an async iterable, so memory is bounded by the consumer's pace.
 * A writer takes one dataset at a time and pulls its batches with `for await`.
 */
import type { Column, ColumnBatch } from './batch.js';
import type { RunSettings } from './job/spec.js';
import type { Logger } from './logger.js';
import type { CollectionSchema } from './schema.js';
import type { z } from 'zod';

/** Bumped only when this interface changes incompatibly; plugins declare it in their manifest. */
export const PLUGIN_API_VERSION = 1;

export interface ChannelContext {
  /** Aborted on Ctrl-C or when the run fails elsewhere; long operations should honour it. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** Folder of the job file: relative paths in options resolve from here. */
  readonly baseDir: string;
  /** Registers a value that must never reach a log (a token, a password). */
  readonly redact: (secret: string | undefined) => void;
  /** The job's run settings (validation policies, locking), for plugins that honour them. */
  readonly run?: RunSettings;
}

/** What a writer needs to know about a dataset before any row arrives. */
export interface DatasetInfo {
  /** Stable identity within the source, e.g. `books/_default`; used for checkpoints. */
  readonly key: string;
  /** Collection name at the source (a file name for file sources). */
  readonly collection: string;
  /** Partition at the source; undefined means the default partition. */
  readonly partition?: string;
  readonly schema: CollectionSchema;
  /** Human description for messages, e.g. `file /data/a.h5` or `milvus books/p1`. */
  readonly origin: string;
  /** Rows the dataset holds, when the source knows it cheaply; drives ETA and verification. */
  readonly rows?: number;
}

export interface ReadOptions {
  /** Preferred rows per batch; a reader may yield fewer. */
  readonly batchRows: number;
  /** A cursor taken from a batch this dataset yielded in an earlier run. */
  readonly resumeFrom?: unknown;
  /**
   * Only these fields are needed (the runner's passes over the keys). A reader that can read
   * fewer fields cheaply yields only these; any other reader may yield every field.
   */
  readonly fields?: readonly string[];
}

export interface SourceDataset extends DatasetInfo {
  /** Yields the rows in batches. Breaking out of the loop must release what the reader holds. */
  batches(options: ReadOptions): AsyncIterable<ColumnBatch>;
}

export interface ReaderSource {
  readonly datasets: readonly SourceDataset[];
  /**
   * Optional: a cheap, JSON-serialisable description of the input as it is now (file sizes and
   * modification times, a collection's row count), kept in a run's state file. A resumed run
   * whose source fingerprint differs is refused: its cursors may point at other rows. The core
   * adds each dataset's key, announced rows and schema on its own, so this only needs what those
   * miss. Never include a secret.
   */
  fingerprint?(): Promise<Readonly<Record<string, unknown>>>;
  /** Releases files and connections. Called once, whether the run succeeded or not. */
  close(): Promise<void>;
}

export interface WriteHooks {
  /** Call in order, once each batch is durably stored at the target. */
  committed(batch: ColumnBatch): void;
}

export interface DatasetWriter {
  /** Writes every batch; resolves with the rows written once they are all durable. */
  write(batches: AsyncIterable<ColumnBatch>, hooks: WriteHooks): Promise<{ readonly rows: number }>;
  /** The target's schema where it constrains values (e.g. a varchar max_length); optional. */
  readonly targetSchema?: CollectionSchema;
  /**
   * Optional: true when the target stores NaN and ±Infinity in vectors exactly as they are (a
   * file format such as HDF5 or Parquet). The run then does not look for them in every batch —
   * on a file → file job that scan is most of the checking's cost. Leave it unset for a server
   * that refuses them (Milvus 2.x) or stores them by accident.
   */
  readonly storesNonFinite?: boolean;
  /**
   * Optional: true when nothing of the dataset is visible at the target until `write` has taken
   * every batch (a file written as `.partial` and renamed once whole, a staging collection
   * swapped in by `finish`). Under `duplicates: fail`
   * the run then looks for repeated keys once, after the last batch and before the stream ends
   * (a partition of the keys by hash, each checked in cache), instead of before every batch: a
   * fraction of the cost with keys in no order. A repeat then fails the stream before `write`
   * publishes anything.
   */
  readonly publishesAtEnd?: boolean;
  /**
   * Optional: for each key of a batch about to be sent, 1 when the target already holds it.
   * Offered only when the target held rows before this dataset (an empty one skips the check).
   */
  existingKeys?(keys: Column): Promise<Uint8Array | undefined>;
  /**
   * Optional: what this writer needs to find its work again if the run is interrupted (a file's
   * identity, the target's row count before the first row): JSON, kept in the run's state file
   * and handed back in `BeginOptions.resume.token`. Never include a secret. The state keeps the
   * token the dataset was first begun with through every resume: a resumed writer that starts
   * the dataset over must reuse what it names (a write id), not make a new one.
   */
  readonly resumeToken?: unknown;
}

/** How an interrupted run of the same job left a dataset; see `BeginOptions`. */
export interface ResumeInfo {
  /** Rows of this dataset durably written by earlier runs (the batches before the read resumes). */
  readonly rows: number;
  /**
   * Rows after `rows` that an earlier run may have committed without recording them (the state
   * is saved in intervals); with what the writer itself had unacknowledged in flight, this bounds
   * the overlap it must make idempotent.
   */
  readonly unrecordedRows: number;
  /** The `resumeToken` the writer returned when the dataset was first begun. */
  readonly token: unknown;
  /**
   * The whole dataset was written: the writer only re-establishes what later datasets rely on
   * (a collection it prepared); its `write` is not called.
   */
  readonly complete: boolean;
}

export interface BeginOptions {
  /**
   * Set when an earlier run of the same job already began this dataset: the mode was applied
   * then and must not be applied again (overwrite must not drop what that run wrote, skip must
   * not skip it). The rows that follow are the source's rows after `rows`; the writer must make
   * sure the rows that run may have sent without acknowledgement end up stored exactly once.
   */
  readonly resume?: ResumeInfo;
}

/** Returned by `begin` when the mode says to leave an existing target alone. */
export interface SkippedDataset {
  readonly skipped: string;
}

export interface WriterSink {
  /**
   * Prepares the target for one dataset: creates, checks or clears it as the mode says.
   * Called for every dataset, in order, before that dataset's rows are read.
   */
  begin(dataset: DatasetInfo, options?: BeginOptions): Promise<DatasetWriter | SkippedDataset>;
  /** After every dataset was written: build indexes, load, write side files. */
  finish(): Promise<void>;
  /** Releases connections and files. Called once, whether the run succeeded or not. */
  close(): Promise<void>;
}

interface PluginBase<O> {
  readonly name: string;
  readonly description?: string;
  /** The options block of the job file (everything but `type`), validated by the core. */
  readonly options: z.ZodType<O>;
}

/** What `milvusdm inspect` prints about an input a reader recognises. */
export interface InspectReport {
  /** Short format name, e.g. `faiss`, `milvus1x`. */
  readonly format: string;
  /** Human-readable lines. */
  readonly lines: readonly string[];
  /** The same facts as data, for `--json`. */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ReaderPlugin<O = unknown> extends PluginBase<O> {
  readonly kind: 'reader';
  open(options: O, context: ChannelContext): Promise<ReaderSource>;
  /**
   * Describes `target` (a file or folder) without migrating it, or returns undefined when the
   * target is not this reader's format. Optional.
   */
  inspect?(target: string, context: ChannelContext): Promise<InspectReport | undefined>;
}

/**
 * Where a writer put one dataset, said as a reader channel and the options that read it back:
 * `milvusdm verify` and `run --verify` compare the source with what this reader yields.
 */
export interface ReadBackSpec {
  /** Reader channel type, e.g. `milvus`, `hdf5`. */
  readonly reader: string;
  /** That reader's options block (as under `source:` in a job file), paths absolute. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The target for people, without secrets, e.g. `milvus collection "books" partition "p1"`. */
  readonly describe: string;
}

/** Something a run left behind at a target (a staging collection, a stale lock…). */
export interface LeftoverItem {
  readonly name: string;
  /** e.g. `staging`, `set-aside`, `lock`. */
  readonly kind: string;
  /** What cleaning up does (or why the item is kept), in words. */
  readonly action: string;
  /** Whether cleaning up would change it; false for items in use. */
  readonly removable: boolean;
  /** Set once the action was carried out. */
  readonly done?: boolean;
}

export interface WriterPlugin<O = unknown> extends PluginBase<O> {
  readonly kind: 'writer';
  open(options: O, context: ChannelContext): Promise<WriterSink>;
  /**
   * How to read back what this writer writes for `dataset` with these options. Optional (added
   * in API version 1 without breaking it): a writer without it cannot be verified. Datasets
   * whose read-backs are equal are verified together, as one target.
   */
  readBack?(options: O, dataset: DatasetInfo, context: ChannelContext): ReadBackSpec;
  /**
   * Optional: lists what interrupted runs left at the target's server (`milvusdm cleanup`);
   * with `apply`, removes or restores each removable item.
   */
  leftovers?(options: O, context: ChannelContext, apply: boolean): Promise<readonly LeftoverItem[]>;
}

// `any` here lets a plugin with a specific option type stand where any plugin is expected.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ChannelPlugin = ReaderPlugin<any> | WriterPlugin<any>;
export type ChannelKind = ChannelPlugin['kind'];

/**
 * Identity helper for type inference: `export default definePlugin({ ... })`. The options type
 * comes from the zod schema, so `open(options)` is typed without writing the type twice.
 */
export function definePlugin<S extends z.ZodType>(
  plugin: ReaderPlugin<z.output<S>> & { readonly kind: 'reader'; readonly options: S },
): ReaderPlugin<z.output<S>>;
export function definePlugin<S extends z.ZodType>(
  plugin: WriterPlugin<z.output<S>> & { readonly kind: 'writer'; readonly options: S },
): WriterPlugin<z.output<S>>;
export function definePlugin(plugin: ChannelPlugin): ChannelPlugin {
  return plugin;
}

export function isSkipped(result: DatasetWriter | SkippedDataset): result is SkippedDataset {
  return typeof (result as SkippedDataset).skipped === 'string';
}

/** The `milvusdm` field of a plugin package's package.json. */
export interface PluginManifest {
  readonly apiVersion: number;
  readonly channels: readonly { readonly kind: ChannelKind; readonly name: string; readonly description?: string }[];
}
