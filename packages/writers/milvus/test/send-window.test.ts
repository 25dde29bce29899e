/**
 * The adaptive window of insert requests in flight (`concurrency: auto`): it grows while
 * acknowledgements wait on a link rather than the server, holds while the server is the limit,
 * shrinks when requests only queue, and never has more bytes in flight than its budget.
 */
import { describe, expect, it } from 'vitest';
import type { Column, ColumnBatch } from '@milvusdm/core';
import { AUTO_IN_FLIGHT_BYTES, insertAll } from '../src/insert-stream.js';
import { AUTO_CONCURRENCY_MAX, SendWindow, mostInFlight } from '../src/send-window.js';
import { milvusWriterOptions } from '../src/options.js';

/**
 * Feeds `acks` acknowledgements of one row each to `window`, as a server would send them: with
 * `limit` requests in flight that each take `latency(limit)` ms, one arrives every
 * `latency / limit` ms. Returns the window's limit after each.
 */
function drive(window: SendWindow, acks: number, latency: (limit: number) => number, clock = { now: 0 }): number[] {
  const seen: number[] = [];
  for (let i = 0; i < acks; i++) {
    const ms = latency(window.limit);
    clock.now += ms / window.limit;
    window.acknowledged(1, clock.now);
    seen.push(window.limit);
  }
  return seen;
}

describe('send window', () => {
  it('the option takes 1 to 16 or auto, and says so otherwise', () => {
    const parse = (concurrency: unknown) => milvusWriterOptions.safeParse({ uri: 'http://localhost:19530', concurrency });
    expect(parse('auto').data?.concurrency).toBe('auto');
    expect(parse(5).data?.concurrency).toBe(5);
    expect(milvusWriterOptions.parse({ uri: 'http://localhost:19530' }).concurrency).toBe(2);
    for (const bad of ['AUTO', '3', 2.5])
      expect(parse(bad).error?.issues[0]?.message).toBe('expected a whole number from 1 to 16, or auto');
    expect(parse(0).success).toBe(false);
    expect(parse(17).success).toBe(false);
  });

  it('a fixed concurrency never changes, whatever the acknowledgements', () => {
    const w = new SendWindow(3);
    expect(drive(w, 50, (n) => n * 100)).toEqual(Array(50).fill(3));
    expect(drive(w, 50, () => 1)).toEqual(Array(50).fill(3));
    expect(w.most).toBe(3);
    expect(mostInFlight(5)).toBe(5);
  });

  it('auto starts at two and grows to its bound when acknowledgements do not wait on the server (a slow link)', () => {
    const w = new SendWindow('auto');
    expect(w.limit).toBe(2);
    // A link of 50 ms: every request takes as long, however many are in flight.
    const seen = drive(w, 200, () => 50);
    expect(Math.max(...seen)).toBe(AUTO_CONCURRENCY_MAX);
    expect(seen.at(-1)).toBe(AUTO_CONCURRENCY_MAX);
    expect(mostInFlight('auto')).toBe(AUTO_CONCURRENCY_MAX);
    expect(w.describe()).toBe(`2–${AUTO_CONCURRENCY_MAX} requests in flight (mostly ${AUTO_CONCURRENCY_MAX})`);
    expect(new SendWindow(4).describe()).toBeUndefined();
  });

  it('auto stays low when the server is the limit: each request in flight only adds to the wait', () => {
    const w = new SendWindow('auto');
    // The server works on one request at a time (10 ms each): with n in flight each waits n × 10 ms.
    const seen = drive(w, 2000, (n) => n * 10);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(2);
    // Mostly at two: three only while it is tried again.
    expect(seen.filter((n) => n === 2).length).toBeGreaterThan(seen.length * 0.8);
  });

  it('auto goes back down when the server slows and requests only queue, and up again when it recovers', () => {
    const w = new SendWindow('auto');
    const clock = { now: 0 };
    drive(w, 200, () => 40, clock);
    expect(w.limit).toBe(AUTO_CONCURRENCY_MAX);
    // The server becomes the limit: every request in flight adds 60 ms to each one's wait, so a
    // larger window no longer raises the rate by a tenth.
    const slowed = drive(w, 2000, (n) => 40 + n * 60, clock);
    expect(slowed.at(-1)).toBeLessThanOrEqual(3);
    expect(Math.min(...slowed)).toBeGreaterThanOrEqual(2);
    const recovered = drive(w, 2000, () => 40, clock);
    expect(recovered.at(-1)).toBe(AUTO_CONCURRENCY_MAX);
  });

  it('ignores clock readings that are not numbers', () => {
    const w = new SendWindow('auto');
    for (let i = 0; i < 50; i++) w.acknowledged(1, Number.NaN);
    expect(w.limit).toBe(2);
    expect(w.describe()).toBeUndefined();
  });
});

const DIM = 64;

function batch(start: number, rows: number): ColumnBatch {
  return {
    numRows: rows,
    columns: new Map<string, Column>([
      ['id', { type: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(start + i)) }],
      ['v', { type: 'float_vector', dim: DIM, values: new Float32Array(rows * DIM).fill(start) }],
    ]),
  };
}

async function* batches(count: number, rows: number) {
  for (let i = 0; i < count; i++) yield batch(i * rows, rows);
}

describe('insertAll with concurrency auto', () => {
  it('has more requests in flight over a slow link, commits every row once and in order', async () => {
    let inFlight = 0;
    let most = 0;
    const committed: bigint[] = [];
    const send = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 15));
      inFlight--;
    };
    const rows = await insertAll(
      batches(120, 10),
      send,
      { maxBytes: 1 << 30, maxRows: 10, concurrency: 'auto' },
      { committed: (b) => committed.push((b.columns.get('id')!.values as BigInt64Array)[0]!) },
    );
    expect(rows).toBe(1200);
    expect(committed).toEqual(Array.from({ length: 120 }, (_, i) => BigInt(i * 10)));
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(AUTO_CONCURRENCY_MAX);
  });

  it('never has more than its byte budget in flight, however far the window grows', async () => {
    // Requests of 3/8 of the budget: at most two fit, though the link would take eight.
    const rowBytes = 8 + DIM * 4;
    const rowsEach = Math.floor((AUTO_IN_FLIGHT_BYTES * 3) / 8 / rowBytes);
    let bytes = 0;
    let most = 0;
    const send = async (b: ColumnBatch) => {
      bytes += b.numRows * rowBytes;
      most = Math.max(most, bytes);
      await new Promise((r) => setTimeout(r, 5));
      bytes -= b.numRows * rowBytes;
    };
    const rows = await insertAll(
      batches(12, rowsEach),
      send,
      { maxBytes: rowsEach * rowBytes, maxRows: rowsEach, concurrency: 'auto' },
      { committed: () => {} },
    );
    expect(rows).toBe(12 * rowsEach);
    expect(most).toBeLessThanOrEqual(AUTO_IN_FLIGHT_BYTES);
    expect(most).toBeGreaterThan(AUTO_IN_FLIGHT_BYTES / 2);
  }, 60_000);
});
