/**
 * Joining batches into one and comparing columns bit for bit: typed arrays by their bytes (so
 * -0, NaN payloads and float16 bit patterns count), text and JSON by value, sparse rows by
 * their indices and values.
 */
import { elementsPerRow, type Column, type ColumnBatch } from '@milvusdm/core';

function concatTyped<T extends ArrayLike<unknown> & { byteLength: number; buffer: ArrayBufferLike; byteOffset: number }>(
  parts: readonly T[],
  make: (n: number) => T & { set(a: T, offset: number): void },
): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** One column made of the same column of every batch, in order. */
export function concatColumn(parts: readonly Column[]): Column | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const values = parts.map((p) => p.values);
  const valid = first.valid
    ? { valid: Uint8Array.from(parts.flatMap((p) => [...(p.valid ?? new Uint8Array(p.values.length / elementsPerRow(p)).fill(1))])) }
    : {};
  if (Array.isArray(first.values)) return { ...first, ...valid, values: values.flatMap((v) => v as unknown[]) } as Column;
  const Ctor = (first.values as unknown as { constructor: new (n: number) => never }).constructor;
  return { ...first, ...valid, values: concatTyped(values as never[], (n) => new Ctor(n)) } as Column;
}

/** Every batch's rows as one batch (cursor dropped). */
export function concatBatches(batches: readonly ColumnBatch[]): ColumnBatch {
  const names = batches[0] ? [...batches[0].columns.keys()] : [];
  const columns = new Map<string, Column>();
  for (const name of names) {
    const column = concatColumn(batches.map((b) => b.columns.get(name)).filter((c): c is Column => c !== undefined));
    if (column) columns.set(name, column);
  }
  return { numRows: batches.reduce((n, b) => n + b.numRows, 0), columns };
}

function bytes(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The first difference between two columns, as text; undefined when they are equal bit for bit. */
export function columnDifference(name: string, actual: Column | undefined, expected: Column): string | undefined {
  if (!actual) return `column "${name}" is missing`;
  if (actual.type !== expected.type) return `column "${name}" is ${actual.type}, expected ${expected.type}`;
  if ('dim' in expected && 'dim' in actual && actual.dim !== expected.dim)
    return `column "${name}" has dimension ${actual.dim}, expected ${expected.dim}`;
  if (actual.values.length !== expected.values.length)
    return `column "${name}" has ${actual.values.length} values, expected ${expected.values.length}`;
  const per = elementsPerRow(expected);
  if (Array.isArray(expected.values)) {
    for (let i = 0; i < expected.values.length; i++) {
      const a = JSON.stringify((actual.values as unknown[])[i], (_k, v: unknown) =>
        ArrayBuffer.isView(v) ? [...(v as Uint8Array)] : typeof v === 'bigint' ? `${v}n` : v,
      );
      const e = JSON.stringify(expected.values[i], (_k, v: unknown) =>
        ArrayBuffer.isView(v) ? [...(v as Uint8Array)] : typeof v === 'bigint' ? `${v}n` : v,
      );
      // JSON documents compare as documents: key order and spacing are the writer's choice.
      const same =
        expected.type === 'json'
          ? JSON.stringify(JSON.parse(String((actual.values as unknown[])[i]))) === JSON.stringify(JSON.parse(String(expected.values[i])))
          : a === e;
      if (!same) return `column "${name}" row ${i}: ${a}, expected ${e}`;
    }
  } else {
    const a = bytes(actual.values as ArrayBufferView);
    const e = bytes(expected.values as ArrayBufferView);
    const width = e.length / expected.values.length;
    for (let i = 0; i < e.length; i++) {
      if (a[i] !== e[i]) {
        const row = Math.floor(i / width / per);
        return `column "${name}" row ${row} differs: ${String(actual.values[Math.floor(i / width)])}, expected ${String(expected.values[Math.floor(i / width)])}`;
      }
    }
  }
  if (expected.valid || actual.valid) {
    const rows = expected.values.length / per;
    for (let i = 0; i < rows; i++) {
      if ((actual.valid?.[i] ?? 1) !== (expected.valid?.[i] ?? 1)) return `column "${name}" row ${i}: null flag differs`;
    }
  }
  return undefined;
}

/** Differences between two batches over the expected batch's columns; empty when equal. */
export function batchDifferences(actual: ColumnBatch, expected: ColumnBatch): string[] {
  const out: string[] = [];
  if (actual.numRows !== expected.numRows) out.push(`${actual.numRows} rows, expected ${expected.numRows}`);
  for (const [name, column] of expected.columns) {
    const d = columnDifference(name, actual.columns.get(name), column);
    if (d) out.push(d);
  }
  return out;
}
