/**
 * The runner with two small in-memory channel plugins (a reader that counts, a writer that keeps
 * what it is given): every row read is written once and counted; both ends are closed exactly
 * once whatever fails (open, begin, a batch, the writer, an abort); a writer or reader that
 * miscounts fails the run; and reading runs ahead of writing by the prefetch depth, no more.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  silentLogger,
  type ChannelContext,
  type Column,
  type ColumnBatch,
  type DatasetWriter,
  type ReaderPlugin,
  type SkippedDataset,
  type WriterPlugin,
} from '@milvusdm/core';
import { runJob, type RunEvent } from '../src/runner.js';

interface DatasetPlan {
  readonly key: string;
  readonly rows: number;
  /** Rows the dataset announces (default: `rows`); undefined announces nothing. */
  readonly announce?: number | null;
  /** Throw while reading, after this many batches. */
  readonly failAfter?: number;
  /** Yield one batch whose vector column is one row short, at this batch index. */
  readonly badBatchAt?: number;
}

interface Probe {
  opened: { reader: number; writer: number };
  closed: { reader: number; writer: number };
  finished: number;
  begun: string[];
  /** Batches each dataset's generator started and whether its `finally` ran. */
  released: string[];
  yielded: number;
  received: number;
  mostAhead: number;
  stored: Map<string, bigint[]>;
}

function probe(): Probe {
  return {
    opened: { reader: 0, writer: 0 },
    closed: { reader: 0, writer: 0 },
    finished: 0,
    begun: [],
    released: [],
    yielded: 0,
    received: 0,
    mostAhead: 0,
    stored: new Map(),
  };
}

const DIM = 2;

/** Ids are `datasetIndex * 1e12 + row`, so a stored row tells where it came from. */
function makeBatch(d: number, start: number, n: number, short = false): ColumnBatch {
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(d) * 1_000_000_000_000n + BigInt(start + i));
  const vec = new Float32Array((short ? n - 1 : n) * DIM).map((_, i) => start * DIM + i);
  return {
    numRows: n,
    columns: new Map<string, Column>([
      ['id', { type: 'int64', values: ids }],
      ['vec', { type: 'float_vector', dim: DIM, values: vec }],
    ]),
    cursor: { row: start + n },
  };
}

function reader(
  p: Probe,
  plans: readonly DatasetPlan[],
  opts: { failOpen?: boolean; fingerprint?: () => Record<string, unknown> } = {},
): ReaderPlugin<Record<string, never>> {
  return {
    kind: 'reader',
    name: 'memory',
    options: z.strictObject({}),
    async open() {
      if (opts.failOpen) throw new Error('reader cannot open');
      p.opened.reader++;
      return {
        datasets: plans.map((plan, d) => ({
          key: plan.key,
          collection: plan.key,
          origin: `memory ${plan.key}`,
          schema: {
            fields: [
              { name: 'id', type: 'int64', isPrimaryKey: true },
              { name: 'vec', type: 'float_vector', dim: DIM },
            ],
          },
          ...(plan.announce === null ? {} : { rows: plan.announce ?? plan.rows }),
          async *batches({ batchRows }) {
            try {
              let index = 0;
              for (let start = 0; start < plan.rows; start += batchRows, index++) {
                if (plan.failAfter === index) throw new Error(`reading ${plan.key} failed at batch ${index}`);
                p.yielded++;
                p.mostAhead = Math.max(p.mostAhead, p.yielded - p.received);
                yield makeBatch(d, start, Math.min(batchRows, plan.rows - start), plan.badBatchAt === index);
              }
            } finally {
              p.released.push(plan.key);
            }
          },
        })),
        ...(opts.fingerprint ? { fingerprint: async () => opts.fingerprint!() } : {}),
        async close() {
          p.closed.reader++;
        },
      };
    },
  };
}

interface WriterBehaviour {
  failOpen?: boolean;
  failBegin?: string;
  skip?: string;
  /** Throw after storing this many batches of a dataset. */
  failAfter?: number;
  /** Report this many rows fewer than stored. */
  underReport?: number;
  /** Do not call `committed` for the last batch. */
  forgetLastCommit?: boolean;
  /** Milliseconds per batch, to let the reader run ahead. */
  delay?: number;
  /** Called after each stored batch (to abort mid-run). */
  afterBatch?: (n: number) => void;
}

function writer(p: Probe, w: WriterBehaviour = {}): WriterPlugin<Record<string, never>> {
  return {
    kind: 'writer',
    name: 'memory',
    options: z.strictObject({}),
    async open() {
      if (w.failOpen) throw new Error('writer cannot open');
      p.opened.writer++;
      return {
        async begin(dataset): Promise<DatasetWriter | SkippedDataset> {
          p.begun.push(dataset.key);
          if (w.failBegin === dataset.key) throw new Error(`cannot prepare ${dataset.key}`);
          if (w.skip === dataset.key) return { skipped: 'exists (skip)' };
          return {
            async write(batches, hooks) {
              const rows: bigint[] = [];
              p.stored.set(dataset.key, rows);
              let n = 0;
              let pending: ColumnBatch | undefined;
              for await (const b of batches) {
                p.received++;
                if (w.delay) await new Promise((r) => setTimeout(r, w.delay));
                rows.push(...(b.columns.get('id')!.values as BigInt64Array));
                if (pending) hooks.committed(pending);
                pending = b;
                n++;
                w.afterBatch?.(n);
                if (w.failAfter === n) throw new Error(`target refused ${dataset.key} after ${n} batches`);
              }
              if (pending && !w.forgetLastCommit) hooks.committed(pending);
              return { rows: rows.length - (w.underReport ?? 0) };
            },
          };
        },
        async finish() {
          p.finished++;
        },
        async close() {
          p.closed.writer++;
        },
      };
    },
  };
}

function context(signal = new AbortController().signal): ChannelContext {
  return { signal, logger: silentLogger, baseDir: '/', redact: () => {} };
}

function run(
  p: Probe,
  plans: readonly DatasetPlan[],
  w: WriterBehaviour = {},
  extra: { batchRows?: number; prefetch?: number; signal?: AbortSignal; failReaderOpen?: boolean; events?: RunEvent[] } = {},
) {
  return runJob({
    reader: reader(p, plans, { failOpen: extra.failReaderOpen === true }) as ReaderPlugin,
    readerOptions: {},
    writer: writer(p, w) as WriterPlugin,
    writerOptions: {},
    run: { batchRows: extra.batchRows ?? 64, prefetch: extra.prefetch ?? 2 },
    context: context(extra.signal),
    onEvent: (e) => extra.events?.push(e),
  });
}

const expectedIds = (d: number, rows: number) => Array.from({ length: rows }, (_, i) => BigInt(d) * 1_000_000_000_000n + BigInt(i));

describe('runner: every row once, counted', () => {
  it('moves every dataset whole and in order, and counts each', async () => {
    const p = probe();
    const events: RunEvent[] = [];
    const plans = [
      { key: 'a', rows: 1000 },
      { key: 'empty', rows: 0 },
      { key: 'b', rows: 65 },
      { key: 'c', rows: 64 },
    ];
    const summary = await run(p, plans, {}, { events });
    expect(summary.rows).toBe(1129);
    expect(summary.datasets.map((d) => [d.key, d.rows])).toEqual([
      ['a', 1000],
      ['empty', 0],
      ['b', 65],
      ['c', 64],
    ]);
    plans.forEach((plan, d) => expect(p.stored.get(plan.key), plan.key).toEqual(expectedIds(d, plan.rows)));
    expect(p.finished).toBe(1);
    expect(events[0]).toMatchObject({ type: 'plan', totalRows: 1129 });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress).toHaveLength(16 + 2 + 1);
    expect(events.filter((e) => e.type === 'dataset-done').map((e) => (e as { rows: number }).rows)).toEqual([1000, 0, 65, 64]);
    expect(events.at(-1)).toMatchObject({ type: 'done', summary: { rows: 1129 } });
  });

  it('a dataset the writer skips is not read, and counts no rows', async () => {
    const p = probe();
    const summary = await run(
      p,
      [
        { key: 'a', rows: 10 },
        { key: 'b', rows: 10 },
      ],
      { skip: 'a' },
    );
    expect(summary.datasets).toMatchObject([
      { key: 'a', rows: 0, skipped: 'exists (skip)' },
      { key: 'b', rows: 10 },
    ]);
    expect(p.stored.has('a')).toBe(false);
    expect(p.released).toEqual(['b']);
    expect(summary.rows).toBe(10);
  });

  it('unknown sizes are fine: no total, rows still counted', async () => {
    const p = probe();
    const events: RunEvent[] = [];
    const summary = await run(p, [{ key: 'a', rows: 130, announce: null }], {}, { events });
    expect(summary.rows).toBe(130);
    expect(events[0]).toMatchObject({ type: 'plan', totalRows: undefined });
  });
});

describe('runner: a source file rewritten while it is read', () => {
  const runWith = (p: Probe, fingerprint: () => Record<string, unknown>) =>
    runJob({
      reader: reader(p, [{ key: 'a', rows: 300 }], { fingerprint }) as ReaderPlugin,
      readerOptions: {},
      writer: writer(p) as WriterPlugin,
      writerOptions: {},
      run: { batchRows: 64, prefetch: 2 },
      context: context(),
    });

  it('stops the run before the dataset’s stream ends, naming the file and when it changed', async () => {
    const p = probe();
    // The file's stamp changes once the reader has yielded its second batch.
    const stamp = () => ({ files: { '/data/a.h5': { size: 4096, mtime: p.yielded >= 2 ? Date.UTC(2026, 11, 1, 20, 0, 1) : 1 } } });
    await expect(runWith(p, stamp)).rejects.toMatchObject({
      code: 'MDM_SOURCE',
      message: 'memory a: the source changed while this run read it (/data/a.h5 was modified at 2026-12-01T20:00:01.000Z)',
    });
    // The writer saw its stream fail, not end: a target that publishes at its end publishes nothing.
    expect(p.finished).toBe(0);
    expect(p.closed).toEqual({ reader: 1, writer: 1 });
  });

  it('an unchanged source passes', async () => {
    const p = probe();
    const summary = await runWith(p, () => ({ files: { '/data/a.h5': { size: 4096, mtime: 1 } } }));
    expect(summary.rows).toBe(300);
  });
});

describe('runner: miscounts fail the run', () => {
  it('a writer that reports fewer rows than it was given', async () => {
    const p = probe();
    await expect(run(p, [{ key: 'a', rows: 100 }], { underReport: 1 })).rejects.toMatchObject({ code: 'MDM_VERIFY' });
    expect(p.finished).toBe(0);
  });

  it('a writer that does not commit every batch', async () => {
    await expect(run(probe(), [{ key: 'a', rows: 100 }], { forgetLastCommit: true })).rejects.toMatchObject({ code: 'MDM_VERIFY' });
  });

  it('a reader that yields fewer rows than it announced', async () => {
    await expect(run(probe(), [{ key: 'a', rows: 99, announce: 100 }])).rejects.toMatchObject({
      code: 'MDM_VERIFY',
      message: expect.stringMatching(/announced 100 rows but yielded 99/),
    });
  });

  it('a batch that does not match the schema is stopped before the writer sees it', async () => {
    const p = probe();
    await expect(run(p, [{ key: 'a', rows: 300, badBatchAt: 2 }], {}, { prefetch: 0 })).rejects.toMatchObject({
      code: 'MDM_BATCH_INVALID',
    });
    expect(p.stored.get('a')).toEqual(expectedIds(0, 128));
  });
});

describe('runner: both ends closed exactly once, whatever fails', () => {
  const cases: [string, DatasetPlan[], WriterBehaviour, { failReaderOpen?: boolean }, RegExp, { reader: number; writer: number }][] = [
    ['success', [{ key: 'a', rows: 100 }], {}, {}, /^$/, { reader: 1, writer: 1 }],
    ['the reader cannot open', [{ key: 'a', rows: 100 }], {}, { failReaderOpen: true }, /reader cannot open/, { reader: 0, writer: 0 }],
    ['the writer cannot open', [{ key: 'a', rows: 100 }], { failOpen: true }, {}, /writer cannot open/, { reader: 1, writer: 0 }],
    [
      'begin fails on the second dataset',
      [
        { key: 'a', rows: 10 },
        { key: 'b', rows: 10 },
      ],
      { failBegin: 'b' },
      {},
      /cannot prepare b/,
      { reader: 1, writer: 1 },
    ],
    [
      'the reader fails mid-dataset',
      [{ key: 'a', rows: 1000, failAfter: 3 }],
      {},
      {},
      /reading a failed at batch 3/,
      { reader: 1, writer: 1 },
    ],
    [
      'the writer fails mid-dataset',
      [{ key: 'a', rows: 1000 }],
      { failAfter: 2 },
      {},
      /target refused a after 2 batches/,
      { reader: 1, writer: 1 },
    ],
  ];
  for (const [name, plans, w, extra, error, opened] of cases) {
    it(name, async () => {
      const p = probe();
      const result = run(p, plans, w, extra);
      if (name === 'success') await expect(result).resolves.toBeDefined();
      else await expect(result).rejects.toThrow(error);
      expect(p.opened).toEqual(opened);
      // Whatever was opened is closed, once.
      expect(p.closed).toEqual(opened);
      // A dataset generator that was started is always released.
      expect(new Set(p.released)).toEqual(new Set(p.stored.keys()));
    });
  }
});

describe('runner: abort', () => {
  it('an abort mid-dataset stops reading, fails with MDM_ABORTED, and closes both ends', async () => {
    const p = probe();
    const controller = new AbortController();
    const result = run(
      p,
      [
        { key: 'a', rows: 10_000 },
        { key: 'b', rows: 100 },
      ],
      { afterBatch: (n) => n === 3 && controller.abort() },
      { signal: controller.signal, batchRows: 100 },
    );
    await expect(result).rejects.toMatchObject({ code: 'MDM_ABORTED' });
    expect(p.closed).toEqual({ reader: 1, writer: 1 });
    expect(p.released).toEqual(['a']);
    expect(p.begun).toEqual(['a']);
    expect(p.yielded).toBeLessThan(10);
    expect(p.finished).toBe(0);
  });

  it('an abort before the run starts opens nothing more than it closes', async () => {
    const p = probe();
    const controller = new AbortController();
    controller.abort();
    await expect(run(p, [{ key: 'a', rows: 10 }], {}, { signal: controller.signal })).rejects.toMatchObject({ code: 'MDM_ABORTED' });
    expect(p.closed).toEqual(p.opened);
    expect(p.stored.size).toBe(0);
  });
});

describe('runner: prefetch', () => {
  for (const depth of [0, 1, 3]) {
    it(`reads ahead of a slow writer by the prefetch depth (${depth}), no more`, async () => {
      const p = probe();
      await run(p, [{ key: 'a', rows: 40 }], { delay: 3 }, { batchRows: 2, prefetch: depth });
      expect(p.stored.get('a')).toEqual(expectedIds(0, 40));
      // The batch being written, plus `depth` read ahead, plus the one the pipeline holds.
      expect(p.mostAhead).toBeLessThanOrEqual(depth + 2);
      // And it does read ahead when asked: without prefetch, one batch at a time.
      if (depth > 0) expect(p.mostAhead).toBeGreaterThanOrEqual(depth + 1);
      else expect(p.mostAhead).toBe(1);
    });
  }
});
