/**
 * Sends batches with up to `concurrency` insert requests in flight (a fixed number, or a window
 * that follows the server's acknowledgements: send-window.ts), and reports each batch as
 * committed strictly in order, so a resume position never skips a batch that failed.
 */
import { batchBytes, rebatch, sliceBatch, type ColumnBatch, type WriteHooks } from '@milvusdm/core';
import { SendWindow, type Concurrency } from './send-window.js';

/**
 * Bytes an adaptive window may have in flight (not counting gRPC's framed copy of each): the
 * window grows for a slow link, memory must not grow with it.
 */
export const AUTO_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

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
  options: { maxBytes: number; maxRows: number; concurrency: Concurrency },
  hooks: WriteHooks,
  window = new SendWindow(options.concurrency),
): Promise<number> {
  const inFlight: { batch: ColumnBatch; bytes: number; done: Promise<void> }[] = [];
  const byteBudget = options.concurrency === 'auto' ? Math.max(2 * options.maxBytes, AUTO_IN_FLIGHT_BYTES) : Infinity;
  let bytesInFlight = 0;
  let rows = 0;
  // A request that failed: those after it may have landed, but commits must stay a prefix.
  let broken = false;
  const settleOldest = async () => {
    const oldest = inFlight.shift()!;
    bytesInFlight -= oldest.bytes;
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
      const bytes = byteBudget === Infinity ? 0 : batchBytes(batch);
      while (inFlight.length > 0 && bytesInFlight + bytes > byteBudget) await settleOldest();
      const done = send(batch).then(() => window.acknowledged(batch.numRows));
      // Observed in order below; silence the early warning if a later one fails first.
      done.catch(() => {});
      inFlight.push({ batch, bytes, done });
      bytesInFlight += bytes;
      // The next batch is read and encoded while the others are in flight: the window counts it.
      while (inFlight.length >= window.limit) await settleOldest();
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
