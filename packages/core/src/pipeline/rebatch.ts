/**
 * Splits batches so none exceeds a byte budget or a row count: writers use it to stay under a
 * server's message limit whatever batch size the reader chose. Small batches pass unchanged.
 */
import { batchBytes, sliceBatch, type ColumnBatch } from '../batch.js';

export function* splitBatch(batch: ColumnBatch, maxBytes: number, maxRows: number): Generator<ColumnBatch> {
  const bytes = batchBytes(batch);
  if (batch.numRows <= maxRows && bytes <= maxBytes) {
    yield batch;
    return;
  }
  const perRow = Math.max(1, bytes / Math.max(1, batch.numRows));
  const rows = Math.max(1, Math.min(maxRows, Math.floor(maxBytes / perRow)));
  for (let start = 0; start < batch.numRows; start += rows) {
    yield sliceBatch(batch, start, Math.min(batch.numRows, start + rows));
  }
}

export async function* rebatch(batches: AsyncIterable<ColumnBatch>, maxBytes: number, maxRows: number): AsyncGenerator<ColumnBatch> {
  for await (const batch of batches) yield* splitBatch(batch, maxBytes, maxRows);
}
