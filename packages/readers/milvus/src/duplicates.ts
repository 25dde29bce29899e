/**
 * Rows that share a primary key in a live collection. Milvus does not enforce unique keys on
 * insert (an `append` re-run makes copies too): the server counts every copy but its queries
 * return one row per key. The job decides (`run.duplicates`): stop, or keep the row the server
 * returns for each key and say how many copies were left behind.
 */
import { MilvusdmError, type DuplicatePolicy } from '@milvusdm/core';

export type DuplicatesPolicy = DuplicatePolicy;

export class DuplicateKeys {
  /** Rows beyond the first of their key: what collapsing leaves out. */
  copies = 0;
  /** Key ranges in which copies were found. */
  ranges = 0;

  add(copies: number): void {
    if (copies <= 0) return;
    this.copies += copies;
    this.ranges++;
  }

  error(origin: string, where: string): MilvusdmError {
    return new MilvusdmError(
      'MDM_SOURCE',
      `${where}: at least ${this.copies} row(s) share a primary key with another row (the server counts every copy and returns one row per key) — the source holds duplicated keys; the run stopped at the first range holding them`,
      {
        hint: `Set run.duplicates: first (or last) to copy one row per key of ${origin} — the row the server returns — and report the copies left out.`,
      },
    );
  }

  summary(origin: string): string {
    return `${origin}: ${this.copies} row(s) were copies of keys already read (duplicated primary keys, in ${this.ranges} key range(s)); one row per key was copied, the one the server returns`;
  }
}
