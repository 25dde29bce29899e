/** Reordering the rows of a batch, to hand them out in primary-key order. */
import { compareKeys, type KeyValue } from '@milvusdm/milvus-client';
import { selectColumn, type Column } from '@milvusdm/core';

export function keysOf(column: Column): KeyValue[] {
  if (column.type === 'int64') return Array.from(column.values);
  if (column.type === 'varchar') return [...column.values];
  throw new Error(`primary keys of type ${column.type} are not supported`);
}

/** Row indexes that sort `keys` ascending (byte order for strings, as Milvus compares them). */
export function sortOrder(keys: readonly KeyValue[]): Uint32Array {
  const order = Uint32Array.from(keys.keys());
  order.sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  return order;
}

/** The rows of `column` in `order`, which may repeat rows (count_duplicates): core's row picker. */
export function permute(column: Column, order: Uint32Array): Column {
  return selectColumn(column, order);
}

/**
 * Cuts the rows of one page (in key order) into batches of about `batchRows`, never between
 * rows that share a key: a batch's cursor is its last key, and a resume starts after it.
 */
export function* batchBounds(order: Uint32Array, keys: readonly KeyValue[], batchRows: number): Generator<[number, number]> {
  let start = 0;
  while (start < order.length) {
    let end = Math.min(order.length, start + Math.max(1, batchRows));
    while (end < order.length && compareKeys(keys[order[end]!]!, keys[order[end - 1]!]!) === 0) end++;
    yield [start, end];
    start = end;
  }
}
