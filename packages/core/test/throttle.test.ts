import { describe, expect, it } from 'vitest';
import type { ColumnBatch } from '../src/batch.js';
import { RowRateLimiter, throttle } from '../src/pipeline/throttle.js';

function batch(from: number, rows: number, cursor: number): ColumnBatch {
  const ids = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) ids[i] = BigInt(from + i);
  return { numRows: rows, columns: new Map([['id', { type: 'int64', values: ids }]]), cursor } as ColumnBatch;
}

async function* source(batches: ColumnBatch[]): AsyncGenerator<ColumnBatch> {
  for (const b of batches) yield b;
}

describe('throughput cap (run.max_rows_per_second)', () => {
  it('lets rows through no faster than the cap, whole and in order, with each cursor on its batch’s last piece', async () => {
    const input = [batch(0, 300, 1), batch(300, 450, 2), batch(750, 250, 3)];
    // Taken before the limiter starts its clock, so the test's elapsed time is never the shorter.
    const started = performance.now();
    const limiter = new RowRateLimiter(2000);
    const out: ColumnBatch[] = [];
    const seenAt: number[] = [];
    let through = 0;
    for await (const b of throttle(source(input), limiter, new AbortController().signal)) {
      through += b.numRows;
      const elapsed = (performance.now() - started) / 1000;
      // Never ahead of the budget, at any point.
      expect(through).toBeLessThanOrEqual(2000 * elapsed);
      seenAt.push(elapsed);
      out.push(b);
    }
    const elapsed = (performance.now() - started) / 1000;
    expect(elapsed).toBeGreaterThanOrEqual(0.5);
    // Pieces of a tenth of a second: 200 rows.
    expect(out.map((b) => b.numRows)).toEqual([200, 100, 200, 200, 50, 200, 50]);
    expect(out.map((b) => b.cursor)).toEqual([undefined, 1, undefined, undefined, 2, undefined, 3]);
    const ids = out.flatMap((b) => [...(b.columns.get('id')!.values as BigInt64Array)]);
    expect(ids).toEqual(Array.from({ length: 1000 }, (_, i) => BigInt(i)));
  });

  it('stops waiting at once when the run is interrupted', async () => {
    const controller = new AbortController();
    const limiter = new RowRateLimiter(10);
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('interrupted')), 50);
    await expect(
      (async () => {
        for await (const _ of throttle(source([batch(0, 100, 1)]), limiter, controller.signal)) void _;
      })(),
    ).rejects.toThrow('interrupted');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
