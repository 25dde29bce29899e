/**
 * When the server's acknowledgements alone prove how many rows a dataset left in its target.
 *
 * Every insert is acknowledged with the number of rows the server accepted, and a batch the
 * server acknowledges short fails the run (data-path.ts). Those acknowledgements add up to the
 * rows the target holds exactly when no row can have replaced or doubled another and nobody
 * else wrote: a collection this run created, under its lock; keys unique across what this run
 * sent (the screen refuses keys repeated within the dataset, and a later dataset into the same
 * collection has its keys checked against it per batch, or gets none from the server); nothing
 * upserted; no interrupted run whose last request is in doubt.
 *
 * Elsewhere the server counts. Where counting is cheap (Milvus 2.x after a flush reads segment
 * statistics) it is always done; on Milvus Lite 3.x every count (statistics and count(*) alike)
 * reads every row of the collection together with its vectors — measured at about 1.7 s of the
 * server's single core per 100,000 rows of 128 floats, half as much again as inserting them —
 * so `count: auto` relies on the acknowledgements there.
 */
import type { COUNT_PROOFS } from './options.js';

export type CountProof = (typeof COUNT_PROOFS)[number];

export interface CountProofFacts {
  /** The job's `count` option. */
  readonly option: CountProof;
  /** The target is a Milvus Lite 3.x server, whose counts read every row. */
  readonly countReadsEveryRow: boolean;
  /** The collection (or its staging collection) was created by this run. */
  readonly createdNow: boolean;
  /** This run holds the target's lock, so no other milvusdm run writes it. */
  readonly locked: boolean;
  /** Rows of this dataset go as upserts (they replace by key, so they cannot be added up). */
  readonly upserts: boolean;
  /** The dataset resumes an interrupted run, whose last request may or may not have landed. */
  readonly resumed: boolean;
  /** Nothing was written into the collection before this dataset, by this run or any other. */
  readonly firstWrite: boolean;
  /** Each batch's keys are checked against the collection before it is sent. */
  readonly keysChecked: boolean;
}

export function acknowledgementsProveCount(f: CountProofFacts): boolean {
  if (f.option === 'server') return false;
  if (f.option === 'auto' && !f.countReadsEveryRow) return false;
  return f.createdNow && f.locked && !f.upserts && !f.resumed && (f.firstWrite || f.keysChecked);
}
