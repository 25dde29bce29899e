/**
 * Driving reader and writer plugins directly in unit tests, with no CLI and no server: a
 * context, draining a dataset's batches, and the bytes of a column across batches.
 */
import { silentLogger, type ChannelContext, type Column, type ColumnBatch } from '@milvusdm/core';

export function testContext(baseDir: string, signal: AbortSignal = new AbortController().signal): ChannelContext {
  return { signal, logger: silentLogger, baseDir, redact: () => {} };
}

export async function drain(batches: AsyncIterable<ColumnBatch>): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** The bytes of one fixed-width column over all batches, in order. */
export function columnBytes(batches: readonly ColumnBatch[], field: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const b of batches) {
    const c: Column | undefined = b.columns.get(field);
    if (!c) throw new Error(`batch has no column "${field}"`);
    if (Array.isArray(c.values)) throw new Error(`column "${field}" is not fixed-width`);
    const v = c.values as ArrayBufferView;
    parts.push(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }
  return Buffer.concat(parts);
}

/** The given batches as an async iterable, as a writer receives them from the runner. */
export function batchesOf(batches: readonly ColumnBatch[]): AsyncIterable<ColumnBatch> {
  return {
    async *[Symbol.asyncIterator]() {
      for (const b of batches) yield b;
    },
  };
}
