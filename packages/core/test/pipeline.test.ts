import { describe, expect, it } from 'vitest';
import { prefetch } from '../src/pipeline/prefetch.js';
import { ProgressTracker } from '../src/pipeline/progress.js';
import { splitBatch } from '../src/pipeline/rebatch.js';
import { SecretRedactor } from '../src/logger.js';
import { checkBatch, type ColumnBatch } from '../src/batch.js';

describe('prefetch', () => {
  it('keeps order and reads at most depth + 1 items ahead', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    const aheadAt: number[] = [];
    for await (const v of prefetch(source(), 2)) {
      await new Promise((r) => setTimeout(r, 5));
      aheadAt.push(produced - v);
      seen.push(v);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...aheadAt)).toBeLessThanOrEqual(4);
    expect(Math.max(...aheadAt)).toBeGreaterThanOrEqual(2);
  });

  it('reads fewer items ahead when they are large: the byte budget, never below one, every item in order', async () => {
    // Item i weighs weights[i]: small ones first, then items of 30 against a budget of 32, then small again.
    const weights = [5, 5, 5, 30, 30, 30, 30, 30, 5, 5, 5, 5, 5];
    let produced = 0;
    async function* source() {
      for (let i = 0; i < weights.length; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    const aheadAt: number[] = [];
    for await (const v of prefetch(source(), 2, { maxBytes: 32, weigh: (i) => weights[i]! })) {
      await new Promise((r) => setTimeout(r, 5));
      aheadAt.push(produced - 1 - v);
      seen.push(v);
    }
    expect(seen).toEqual(weights.map((_, i) => i));
    // Small items: depth + 1 = 3 read ahead. Once a large item is consumed, one (the two read
    // before its size was known drain first: 2). Small again: three, down to none at the end.
    expect(aheadAt).toEqual([3, 3, 3, 2, 1, 1, 1, 1, 3, 3, 2, 1, 0]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const v of prefetch(source(), 3)) if (v === 2) break;
    expect(closed).toBe(true);
  });

  it('passes a source error to the consumer in place', async () => {
    async function* source() {
      yield 1;
      throw new Error('boom');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const v of prefetch(source(), 2)) seen.push(v);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
  });
});

describe('ProgressTracker', () => {
  it('derives rate and ETA from the recent window', () => {
    let t = 0;
    const p = new ProgressTracker(1000, 10_000, () => t);
    t = 1000;
    p.add(100);
    t = 2000;
    p.add(100);
    const s = p.snapshot();
    expect(s.rows).toBe(200);
    expect(s.rate).toBeCloseTo(100);
    expect(s.etaSeconds).toBeCloseTo(8);
  });
});

describe('splitBatch', () => {
  const batch = (rows: number): ColumnBatch => ({
    numRows: rows,
    columns: new Map([
      ['id', { type: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) }],
      ['v', { type: 'float_vector', dim: 4, values: new Float32Array(rows * 4) }],
    ]),
    cursor: { row: rows },
  });

  it('splits by bytes, keeps every row once, and keeps the cursor on the last piece only', () => {
    const pieces = [...splitBatch(batch(100), 24 * 30, 1000)];
    expect(pieces.map((p) => p.numRows)).toEqual([30, 30, 30, 10]);
    const ids = pieces.flatMap((p) => Array.from(p.columns.get('id')!.values as BigInt64Array));
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => BigInt(i)));
    expect(pieces.map((p) => p.cursor)).toEqual([undefined, undefined, undefined, { row: 100 }]);
  });

  it('leaves a small batch whole', () => {
    const b = batch(5);
    expect([...splitBatch(b, 1 << 20, 1000)]).toEqual([b]);
  });
});

describe('checkBatch', () => {
  const schema = {
    fields: [
      { name: 'id', type: 'int64' as const, isPrimaryKey: true },
      { name: 'v', type: 'float_vector' as const, dim: 4 },
    ],
  };
  it('refuses misaligned columns and wrong dimensions', () => {
    const ok: ColumnBatch = {
      numRows: 2,
      columns: new Map([
        ['id', { type: 'int64', values: new BigInt64Array(2) }],
        ['v', { type: 'float_vector', dim: 4, values: new Float32Array(8) }],
      ]),
    };
    expect(() => checkBatch(schema, ok, 'x')).not.toThrow();
    const short: ColumnBatch = {
      numRows: 2,
      columns: new Map([
        ['id', { type: 'int64', values: new BigInt64Array(2) }],
        ['v', { type: 'float_vector', dim: 4, values: new Float32Array(4) }],
      ]),
    };
    expect(() => checkBatch(schema, short, 'x')).toThrow(/column "v" has 1 rows, the batch has 2/);
    const wide: ColumnBatch = {
      numRows: 2,
      columns: new Map([
        ['id', { type: 'int64', values: new BigInt64Array(2) }],
        ['v', { type: 'float_vector', dim: 2, values: new Float32Array(4) }],
      ]),
    };
    expect(() => checkBatch(schema, wide, 'x')).toThrow(/dimension 2, the schema says 4/);
    expect(() => checkBatch(schema, { numRows: 0, columns: new Map() }, 'x')).toThrow(/no column for field "id"/);
  });
});

describe('SecretRedactor', () => {
  it('masks registered secrets and passwords in URIs', () => {
    const r = new SecretRedactor();
    r.add('s3cr3t-token');
    expect(r.redact('token s3cr3t-token refused; mysql://root:hunter2@db:3306/x')).toBe('token *** refused; mysql://root:***@db:3306/x');
  });
});
