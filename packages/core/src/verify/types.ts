/** What a verification is asked to do and what it reports. */
import type { SourceDataset } from '../plugin.js';

export type VerifyMode = 'full' | 'sample';

export interface VerifyOptions {
  /** full: every row (the default); sample: `sample` keys drawn with `seed`. */
  readonly mode?: VerifyMode;
  readonly sample?: number;
  readonly seed?: number;
  /** Rows per batch asked of both readers. */
  readonly batchRows?: number;
  /** Differences named in the report at most. */
  readonly maxDifferences?: number;
  readonly signal?: AbortSignal;
  /** Called as rows are hashed, with the rows done on each side so far. */
  readonly onProgress?: (progress: { readonly sourceRows: number; readonly targetRows: number }) => void;
}

/** One side of a comparison: the datasets whose rows together make it, and a name for messages. */
export interface VerifySide {
  readonly datasets: readonly SourceDataset[];
  readonly label?: string;
}

export type DifferenceKind =
  /** A source key the target lacks. */
  | 'missing'
  /** A target key the source lacks. */
  | 'extra'
  /** A key the target holds more often than the source. */
  | 'duplicated'
  /** A key the source itself holds more than once. */
  | 'duplicated-in-source'
  /** A key held once on both sides with different values. */
  | 'different';

export interface Difference {
  readonly kind: DifferenceKind;
  /** The key; for targets with server-assigned ids, `source row #N` or the target's id. */
  readonly key: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  /** For `different`: the fields whose values differ. */
  readonly fields?: readonly string[];
}

export interface DatasetVerdict {
  readonly source: string;
  readonly target: string;
  readonly mode: VerifyMode;
  readonly equal: boolean;
  /** Compared by key, or (server-assigned ids) as a multiset of rows without the key. */
  readonly byKey: boolean;
  readonly keyField?: string;
  /** Rows the readers announced before reading, when they knew. */
  readonly announced: { readonly source?: number; readonly target?: number };
  /** Rows actually read. */
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly compared: readonly string[];
  readonly notCompared: readonly string[];
  readonly buckets?: number;
  readonly differingBuckets?: number;
  readonly sample?: { readonly requested: number; readonly keys: number; readonly seed: number };
  /** The first differences found, in key order. */
  readonly differences: readonly Difference[];
  /** Differences exist beyond those listed. */
  readonly moreDifferences: boolean;
  readonly notes: readonly string[];
}
