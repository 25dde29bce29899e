/**
 * Sends batches with up to `concurrency` insert requests in flight, and reports each batch as
 * committed strictly in order, so a resume position never skips a batch that failed.
 */
import { rebatch, type ColumnBatch, type WriteHooks } from '@milvusdm/core';

export async function insertAll(
  batches: AsyncIterable<ColumnBatch>,
  send: (batch: ColumnBatch) => Promise<void>,
  options: { maxBytes: number; maxRows: number; concurrency: number },
  hooks: WriteHooks,
): Promise<number> {
  const inFlight: { batch: ColumnBatch; done: Promise<void> }[] = [];
  let rows = 0;
  const settleOldest = async () => {
    const oldest = inFlight.shift()!;
    await oldest.done;
    rows += oldest.batch.numRows;
    hooks.committed(oldest.batch);
  };
  try {
    for await (const batch of rebatch(batches, options.maxBytes, options.maxRows)) {
      if (batch.numRows === 0) continue;
      const done = send(batch);
      // Observed in order below; silence the early warning if a later one fails first.
      done.catch(() => {});
      inFlight.push({ batch, done });
      if (inFlight.length >= options.concurrency) await settleOldest();
    }
    while (inFlight.length > 0) await settleOldest();
  } finally {
    // On failure, let requests already sent finish before the connection is closed.
    await Promise.allSettled(inFlight.map((f) => f.done));
  }
  return rows;
}
