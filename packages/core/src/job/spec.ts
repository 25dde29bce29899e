/**
 * A job, whatever file format it came from: one source channel, one target channel, and how to
 * run the pipeline between them.
 */

export interface ChannelSpec {
  /** Channel type, e.g. `hdf5`, `milvus`; resolved to an installed plugin at run time. */
  readonly type: string;
  /** Everything else in the block, validated by the plugin's own options schema. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface RunSettings {
  /** Rows per batch the reader is asked for. */
  readonly batchRows: number;
  /** Batches read ahead while the writer works, so reading and writing overlap. */
  readonly prefetch: number;
  /** Folder for daily log files; undefined means the default ($MILVUSDM_PATH/logs or ~/milvusdm/logs). */
  readonly logDir?: string;
  /** Daily log files to keep; 0 keeps all (the seed's LOGS_NUM). */
  readonly logsKept?: number;
  /** A row with a value the target cannot store (NaN, ±Inf, an over-long string): stop, or skip and report it. Default fail. */
  readonly onInvalid?: InvalidPolicy;
  /** A key that occurs twice within one source dataset: stop, keep the first, or keep the last. Default fail. */
  readonly duplicates?: DuplicatePolicy;
  /** Under append into a target that already held rows: a key it already holds stops the run, is skipped, or is replaced. Default fail. */
  readonly existingKeys?: ExistingKeyPolicy;
  /** Refuse a second run of the same job, and a run writing a target another run is writing (locks both runs can see). Default true. */
  readonly lock?: boolean;
  /** A lock whose holder has not renewed it for this many seconds is stale and may be taken over. Default 600. */
  readonly lockStaleSeconds?: number;
  /** Folder for resume state files; undefined means `<log folder>/state`. */
  readonly stateDir?: string;
  /** Rows per second the writer is given at most, averaged from the start of the run; undefined: no cap. */
  readonly maxRowsPerSecond?: number;
}

export const INVALID_POLICIES = ['fail', 'skip'] as const;
export const DUPLICATE_POLICIES = ['fail', 'first', 'last'] as const;
export const EXISTING_KEY_POLICIES = ['fail', 'skip', 'upsert'] as const;
export type InvalidPolicy = (typeof INVALID_POLICIES)[number];
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];
export type ExistingKeyPolicy = (typeof EXISTING_KEY_POLICIES)[number];

export type JobFormat = 'milvusdm' | 'legacy-H2M' | 'legacy-F2M' | 'legacy-M2M' | 'legacy-M2H';

export interface JobSpec {
  readonly source: ChannelSpec;
  readonly target: ChannelSpec;
  readonly run: RunSettings;
  readonly format: JobFormat;
  /** The job file, when the job came from one. */
  readonly file?: string;
  /** Folder relative paths resolve from. */
  readonly baseDir: string;
  /** Things the user should know about how the file was read (ignored keys, defaults taken). */
  readonly notes: readonly string[];
}

export const DEFAULT_RUN: RunSettings = { batchRows: 10_000, prefetch: 2 };
