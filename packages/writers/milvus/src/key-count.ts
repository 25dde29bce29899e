/**
 * Counts the rows of the target that carry the keys of one batch: the exact, cheap proof that
 * an upsert left every key of the batch present exactly once (a missing row counts short, a
 * doubled one counts over). Keys that form one contiguous run of integers are counted with a
 * range (`id >= a && id <= b`); other keys with `in` lists of bounded length.
 */
import { MilvusdmError, type Column } from '@milvusdm/core';
import { countRows, quoteString, rangeExpr, type MilvusConnection } from '@milvusdm/milvus-client';
import { queryLoaded } from './reload.js';

/** Keys per `in` list: keeps each filter expression well under any server's limits. */
const KEYS_PER_QUERY = 4096;
const INT64_MIN = -(2n ** 63n);

export interface KeyCountTarget {
  readonly collection: string;
  readonly partition?: string | undefined;
  readonly keyField: string;
}

export async function countKeys(conn: MilvusConnection, target: KeyCountTarget, keys: Column): Promise<number> {
  const partitions = target.partition ? [target.partition] : undefined;
  const count = (expr: string) => queryLoaded(conn, target.collection, () => countRows(conn, target.collection, expr, partitions));
  const field = target.keyField;
  if (keys.type === 'int64') {
    const run = contiguousRun(keys.values);
    if (run) return count(rangeExpr(field, { lower: { value: run.first, inclusive: true }, upper: { value: run.last, inclusive: true } }));
    let total = 0;
    let chunk: string[] = [];
    for (const k of keys.values) {
      // Milvus 2.3 cannot parse the literal -2^63; a range names it without writing it.
      if (k === INT64_MIN) total += await count(rangeExpr(field, { upper: { value: INT64_MIN + 1n, inclusive: false } }));
      else chunk.push(k.toString());
      if (chunk.length === KEYS_PER_QUERY) {
        total += await count(`${field} in [${chunk.join(',')}]`);
        chunk = [];
      }
    }
    if (chunk.length > 0) total += await count(`${field} in [${chunk.join(',')}]`);
    return total;
  }
  if (keys.type === 'varchar') {
    let total = 0;
    for (let i = 0; i < keys.values.length; i += KEYS_PER_QUERY) {
      const chunk = keys.values.slice(i, i + KEYS_PER_QUERY).map(quoteString);
      total += await count(`${field} in [${chunk.join(',')}]`);
    }
    return total;
  }
  throw new MilvusdmError('MDM_TARGET', `cannot count rows by a ${keys.type} key`);
}

/** The first and last key when the keys are first, first+1, …, first+n-1 (the common case of sequential ids). */
export function contiguousRun(keys: BigInt64Array): { first: bigint; last: bigint } | undefined {
  if (keys.length === 0) return undefined;
  const first = keys[0]!;
  for (let i = 1; i < keys.length; i++) if (keys[i] !== first + BigInt(i)) return undefined;
  return { first, last: keys[keys.length - 1]! };
}
