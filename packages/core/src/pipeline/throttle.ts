/**
 * A throughput cap for production servers (`run: {max_rows_per_second: N}`): rows reach the
 * writer no faster than N per second, averaged from the start of the run.
 *
 * The budget starts empty and fills at N rows per second; a batch is let through once the
 * budget covers all of it. So after any batch the rows let through never exceed N times the
 * time elapsed, and a run of R rows takes at least R / N seconds — the cap holds for the whole
 * run as well as for any stretch of it that starts at a batch. Batches are cut to about a tenth
 * of a second's worth of rows, so the stream flows evenly instead of in bursts a batch long, and
 * the first rows leave after a tenth of a second rather than after a whole batch's share.
 * One limiter is shared by every dataset of a run.
 */
import { sliceBatch, type ColumnBatch } from '../batch.js';

export class RowRateLimiter {
  private readonly started = performance.now();
  private admitted = 0;

  constructor(readonly rowsPerSecond: number) {}

  /** The largest piece a batch is cut into: a tenth of a second of rows, at least one. */
  get pieceRows(): number {
    return Math.max(1, Math.floor(this.rowsPerSecond / 10));
  }

  /** Resolves once `rows` more rows fit the budget; rejects when the signal aborts. */
  async admit(rows: number, signal: AbortSignal): Promise<void> {
    this.admitted += rows;
    const due = this.started + (this.admitted / this.rowsPerSecond) * 1000;
    // Timers count whole milliseconds and may wake a fraction early: wait again until due.
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) await sleep(Math.ceil(wait), signal);
  }
}

export async function* throttle(
  batches: AsyncIterable<ColumnBatch>,
  limiter: RowRateLimiter,
  signal: AbortSignal,
): AsyncGenerator<ColumnBatch> {
  const piece = limiter.pieceRows;
  for await (const batch of batches) {
    for (let from = 0; from < batch.numRows; from += piece) {
      const to = Math.min(batch.numRows, from + piece);
      await limiter.admit(to - from, signal);
      // A batch's cursor marks the end of the whole batch: only its last piece may carry it.
      yield from === 0 && to === batch.numRows ? batch : sliceBatch(batch, from, to);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
