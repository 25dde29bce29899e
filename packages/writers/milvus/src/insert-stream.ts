/**
 * Sends batches with up to `concurrency` insert requests in flight, and reports each batch as
 * committed strictly in order, so a resume position never skips a batch that failed.
 */
import { rebatch, sliceBatch, type ColumnBatch, type WriteHooks } from '@milvusdm/core';

/**
 * Passes the stream on without its first `count` rows, reporting them committed in order (they
 * are stored already: a resumed run found them at the target). `skipped.rows` counts them.
 */
export async function* skipRows(
  batches: AsyncIterable<ColumnBatch>,
  count: number,
  hooks: WriteHooks,
  skipped: { rows: number },
): AsyncGenerator<ColumnBatch> {
  let left = count;
  for await (const batch of batches) {
    if (left <= 0) {
      yield batch;
      continue;
    }
    const drop = Math.min(left, batch.numRows);
    left -= drop;
    skipped.rows += drop;
    hooks.committed(drop === batch.numRows ? batch : sliceBatch(batch, 0, drop));
    if (drop < batch.numRows) yield sliceBatch(batch, drop, batch.numRows);
  }
}

export async function insertAll(
  batches: AsyncIterable<ColumnBatch>,
  send: (batch: ColumnBatch) => Promise<void>,
  options: { maxBytes: number; maxRows: number; concurrency: number },
  hooks: WriteHooks,
): Promise<number> {
  const inFlight: { batch: ColumnBatch; done: Promise<void> }[] = [];
  let rows = 0;
  // A request that failed: those after it may have landed, but commits must stay a prefix.
  let broken = false;
  const settleOldest = async () => {
    const oldest = inFlight.shift()!;
    try {
      await oldest.done;
    } catch (e) {
      broken = true;
      throw e;
    }
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
    // On failure, let requests already sent finish before the connection is closed. When the
    // failure came from elsewhere (the source, the screen), those that landed are committed, in
    // order, so the run's state records them and a resumed run does not send them again.
    const settled = await Promise.allSettled(inFlight.map((f) => f.done));
    for (let i = 0; !broken && i < settled.length && settled[i]!.status === 'fulfilled'; i++) {
      rows += inFlight[i]!.batch.numRows;
      hooks.committed(inFlight[i]!.batch);
    }
  }
  return rows;
}
