/**
 * `testWriter(plugin, options)`: the conformance suite of a writer. Generated rows of every
 * field type the writer declares go through the real runner into a fresh target; the suite
 * checks counts, commits, `close`, interruptions and errors, and (given `readBack`) compares
 * what the target holds with what was generated, bit for bit.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  runJob,
  type ChannelContext,
  type ColumnBatch,
  type CollectionSchema,
  type DatasetWriter,
  type FieldType,
  type WriterPlugin,
  type WriterSink,
} from '@milvusdm/core';
import { expectedRows, memoryReader, type GeneratedDataset, type MemoryReaderOptions } from './channels.js';
import { batchDifferences } from './compare.js';
import { schemaFor } from './generate.js';
import { Workspace, countingCloses, errorProblems, testContext } from './harness.js';

export interface WriterTarget {
  /** A fresh folder for this case. */
  readonly dir: string;
  /** A name unique to this case (a collection, a file). */
  readonly name: string;
}

export interface WriterSuiteOptions<O> {
  /** Field types the writer can store: the suite generates an `id` key plus one field of each (`f_<type>`). */
  readonly fieldTypes?: readonly FieldType[];
  /** Or the exact schema to write, when the writer's format fixes the field names. */
  readonly schema?: CollectionSchema;
  /** The writer's options for a fresh target, as a job file would give them. */
  options(target: WriterTarget): unknown;
  /**
   * What the target holds for dataset `key` after the run, as one batch (any batch order is
   * fine: rows are compared by position after sorting both by the primary key). Optional, but
   * without it the suite cannot see the data itself. `options` are the parsed ones (defaults applied).
   */
  readBack?(input: WriterTarget & { readonly options: O; readonly key: string; readonly schema: CollectionSchema }): Promise<ColumnBatch>;
  /** Options that must make `open` (or the first dataset) fail: an unwritable path, an unreachable server. */
  readonly badOptions: (target: WriterTarget) => unknown;
  /** False when the format cannot hold an empty dataset. */
  readonly empty?: boolean;
  readonly rows?: number;
  readonly timeout?: number;
}

/** Rows sorted by the int64 primary key, so a writer may store them in any order. */
function sortedByKey(batch: ColumnBatch, schema: CollectionSchema): ColumnBatch {
  const key = schema.fields.find((f) => f.isPrimaryKey)?.name;
  const ids = key ? batch.columns.get(key) : undefined;
  if (!ids || ids.type !== 'int64') return batch;
  const order = [...ids.values.keys()].sort((a, b) => (ids.values[a]! < ids.values[b]! ? -1 : ids.values[a]! > ids.values[b]! ? 1 : 0));
  const columns = new Map<string, ColumnBatch['columns'] extends ReadonlyMap<string, infer C> ? C : never>();
  for (const [name, column] of batch.columns) {
    const per = 'dim' in column ? (column.type === 'binary_vector' ? column.dim / 8 : column.dim) : 1;
    if (Array.isArray(column.values)) columns.set(name, { ...column, values: order.map((i) => (column.values as unknown[])[i]) } as never);
    else {
      const src = column.values as unknown as {
        constructor: new (n: number) => { set(a: ArrayLike<unknown>, o: number): void };
        subarray(s: number, e: number): ArrayLike<unknown>;
        length: number;
      };
      const out = new src.constructor(src.length);
      order.forEach((row, i) => out.set(src.subarray(row * per, row * per + per), i * per));
      columns.set(name, { ...column, values: out } as never);
    }
  }
  return { numRows: batch.numRows, columns };
}

/** The plugin, and whether any dataset writer it began said it publishes only at its end. */
function recordingPublishes<O>(plugin: WriterPlugin<O>): { plugin: WriterPlugin<O>; publishesAtEnd: () => boolean } {
  let publishesAtEnd = false;
  const wrapped: WriterPlugin<O> = {
    ...plugin,
    async open(options: O, context: ChannelContext) {
      const sink: WriterSink = await plugin.open(options, context);
      const begin = sink.begin.bind(sink);
      // The sink may be a class instance: replace `begin` on it rather than copying it.
      Object.defineProperty(sink, 'begin', {
        configurable: true,
        value: async (...a: Parameters<WriterSink['begin']>) => {
          const w = await begin(...a);
          if ((w as DatasetWriter).publishesAtEnd) publishesAtEnd = true;
          return w;
        },
      });
      return sink;
    },
  };
  return { plugin: wrapped, publishesAtEnd: () => publishesAtEnd };
}

export function testWriter<O>(writer: WriterPlugin<O>, suite: WriterSuiteOptions<O>): void {
  const schema = suite.schema ?? schemaFor(suite.fieldTypes ?? ['float_vector']);
  const rows = suite.rows ?? 257;
  const timeout = suite.timeout ?? 120_000;
  const workspace = new Workspace();
  afterAll(() => workspace.cleanup());

  async function run(
    datasets: readonly GeneratedDataset[],
    batchRows: number,
    behaviour: MemoryReaderOptions = {},
    signal?: AbortSignal,
    optionsOverride?: unknown,
    /** The same target and resume state across runs: an interrupted job run again. */
    again?: { readonly target: WriterTarget; readonly options: unknown; readonly stateFile: string },
  ) {
    const target: WriterTarget = again?.target ?? { dir: workspace.dir(), name: workspace.name('mdm') };
    const options: unknown = again?.options ?? optionsOverride ?? (await suite.options(target));
    const recorded = recordingPublishes(writer);
    const spied = countingCloses(recorded.plugin);
    const reader = memoryReader(datasets, behaviour);
    const committed: number[] = [];
    const context = testContext(target.dir, signal);
    const outcome = await runJob({
      reader,
      readerOptions: {},
      writer: spied.plugin,
      writerOptions: options,
      run: { batchRows, prefetch: 2 },
      ...(again ? { resume: { stateFile: again.stateFile, jobHash: 'plugin-kit conformance', restart: false } } : {}),
      context,
      onEvent: (e) => {
        if (e.type === 'progress') committed.push(e.overall.rows);
      },
    }).then(
      (summary) => ({ summary, error: undefined }),
      (error: unknown) => ({ summary: undefined, error }),
    );
    const parsed = writer.options.safeParse(options);
    return {
      ...outcome,
      target,
      options: (parsed.success ? parsed.data : undefined) as O,
      committed,
      closes: spied.closed(),
      opens: spied.opened(),
      readerClosed: reader.closed,
      publishesAtEnd: recorded.publishesAtEnd(),
    };
  }

  async function expectStored(r: Awaited<ReturnType<typeof run>>, dataset: GeneratedDataset) {
    if (!suite.readBack) return;
    const stored = await suite.readBack({ ...r.target, options: r.options, key: dataset.key, schema: dataset.schema });
    expect(batchDifferences(sortedByKey(stored, dataset.schema), sortedByKey(expectedRows(dataset), dataset.schema))).toEqual([]);
  }

  describe(`writer "${writer.name}" conformance`, () => {
    it('writes every generated row exactly, commits them in order, and closes once', { timeout }, async () => {
      const dataset: GeneratedDataset = { key: 'data', schema, rows, seed: 11 };
      const r = await run([dataset], 100);
      expect(r.error).toBeUndefined();
      expect(r.summary?.rows).toBe(rows);
      // Commits arrive in order and add up to every row: progress only grows, and ends at the total.
      expect(r.committed.at(-1)).toBe(rows);
      expect([...r.committed].sort((a, b) => a - b)).toEqual(r.committed);
      expect(r.closes).toBe(1);
      await expectStored(r, dataset);
    });

    it('writes batches of one row', { timeout }, async () => {
      const dataset: GeneratedDataset = { key: 'data', schema, rows: 5, seed: 12 };
      const r = await run([dataset], 1);
      expect(r.error).toBeUndefined();
      expect(r.committed).toEqual([1, 2, 3, 4, 5]);
      await expectStored(r, dataset);
    });

    if (suite.empty !== false) {
      it('writes an empty dataset as zero rows, without failing', { timeout }, async () => {
        const r = await run([{ key: 'data', schema, rows: 0, seed: 13 }], 100);
        expect(r.error).toBeUndefined();
        expect(r.summary?.rows).toBe(0);
        expect(r.closes).toBe(1);
      });
    }

    it('stops on Ctrl-C (an aborted signal) with MDM_ABORTED, and still closes', { timeout }, async () => {
      const controller = new AbortController();
      const dataset: GeneratedDataset = { key: 'data', schema, rows, seed: 14 };
      // Ctrl-C arrives while the third batch is read: the writer has rows in flight.
      const r = await run(
        [dataset],
        10,
        { onYield: (n) => n === 3 && controller.abort(new Error('interrupted by SIGINT')) },
        controller.signal,
      );
      expect((r.error as { code?: string } | undefined)?.code).toBe('MDM_ABORTED');
      expect(r.closes).toBe(r.opens);
      expect(r.readerClosed).toBe(1);
    });

    it(
      'resumes an interrupted job: stopped before its first commit, again part way, then to the end, every row once',
      { timeout },
      async () => {
        const dataset: GeneratedDataset = { key: 'data', schema, rows, seed: 18 };
        const target: WriterTarget = { dir: workspace.dir(), name: workspace.name('mdm') };
        const again = { target, options: await suite.options(target), stateFile: join(workspace.dir(), 'job.state.json') };
        // The source fails before its first batch: the dataset is begun, nothing is committed.
        const first = await run([dataset], 10, { failAfterBatches: 0 }, undefined, undefined, again);
        expect((first.error as Error | undefined)?.message).toMatch(/failing on purpose after 0 batches/);
        // Resumed: the writer starts the dataset over (under what its first token named) and is
        // stopped again after three batches; the state keeps the token the dataset was begun with.
        const second = await run([dataset], 10, { failAfterBatches: 3 }, undefined, undefined, again);
        expect((second.error as Error | undefined)?.message).toMatch(/failing on purpose after 3 batches/);
        const third = await run([dataset], 10, {}, undefined, undefined, again);
        expect(third.error).toBeUndefined();
        expect(third.closes).toBe(1);
        expect(third.committed.at(-1)).toBe(rows);
        await expectStored(third, dataset);
      },
    );

    it("closes when the reader fails mid-way, and the error is the reader's", { timeout }, async () => {
      const r = await run([{ key: 'data', schema, rows, seed: 15 }], 10, { failAfterBatches: 3 });
      expect((r.error as { code?: string; message?: string } | undefined)?.message).toMatch(/failing on purpose after 3 batches/);
      expect(r.closes).toBe(1);
    });

    if (schema.fields.some((f) => f.isPrimaryKey && f.type === 'int64' && !f.autoId)) {
      it(
        'a key repeated in the source fails the run naming its row; a writer that publishes at its end publishes nothing',
        { timeout },
        async () => {
          const dataset: GeneratedDataset = { key: 'data', schema, rows, seed: 17 };
          const r = await run([dataset], 50, { repeatFirstKeyLast: true });
          expect((r.error as { code?: string } | undefined)?.code).toBe('MDM_INVALID_DATA');
          expect((r.error as Error).message).toMatch(new RegExp(`row ${rows - 1} .*occurs more than once`));
          expect(r.closes).toBe(r.opens);
          if (r.publishesAtEnd && suite.readBack) {
            // publishesAtEnd: the run looked for the repeat after the last batch; nothing may be visible.
            const stored = await suite.readBack({ ...r.target, options: r.options, key: dataset.key, schema }).then(
              (b) => b.numRows,
              () => 0,
            );
            expect(stored).toBe(0);
          }
        },
      );
    }

    it('fails on bad options with a one-line milvusdm error, and closes what it opened', { timeout }, async () => {
      const target: WriterTarget = { dir: workspace.dir(), name: workspace.name('mdm') };
      const r = await run([{ key: 'data', schema, rows: 3, seed: 16 }], 10, {}, undefined, suite.badOptions(target));
      expect(r.error).toBeDefined();
      expect(errorProblems(r.error)).toEqual([]);
      expect(r.closes).toBe(r.opens);
    });
  });
}
