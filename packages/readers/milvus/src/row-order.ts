/** Reordering the rows of a batch, to hand them out in primary-key order. */
import { compareKeys, type KeyValue } from '@milvusdm/milvus-client';
import { elementsPerRow, type Column } from '@milvusdm/core';

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

export function permute(column: Column, order: Uint32Array): Column {
  const valid = column.valid ? Uint8Array.from(order, (i) => column.valid![i]!) : undefined;
  const extra = valid ? { valid } : {};
  switch (column.type) {
    case 'varchar':
    case 'json':
    case 'array':
    case 'sparse_float_vector':
      return { ...column, ...extra, values: Array.from(order, (i) => column.values[i]!) } as Column;
    default: {
      const per = elementsPerRow(column);
      const src = column.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown>; length: number; constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void } };
      // Sized by the order, which may repeat rows (count_duplicates).
      const out = new src.constructor(order.length * per);
      for (let r = 0; r < order.length; r++) out.set(src.subarray(order[r]! * per, order[r]! * per + per), r * per);
      return { ...column, ...extra, values: out } as unknown as Column;
    }
  }
}
