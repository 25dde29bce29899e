/**
 * `testReader(plugin, options)`: the conformance suite of a reader. It generates rows for every
 * field type the reader declares, has the author write them in the reader's format, runs the
 * reader through the real runner into a recording writer, and checks the contract.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  runJob,
  sliceBatch,
  type ColumnBatch,
  type CollectionSchema,
  type FieldType,
  type ReaderPlugin,
  type SourceDataset,
} from '@milvusdm/core';
import { expectedRows, recordingWriter, type GeneratedDataset } from './channels.js';
import { batchDifferences, concatBatches } from './compare.js';
import { schemaFor } from './generate.js';
import { Workspace, countingCloses, errorProblems, testContext } from './harness.js';

export interface ReaderFixture {
  /** A fresh folder for this case. */
  readonly dir: string;
  /** A name unique to this case (for a file, a collection). */
  readonly name: string;
  readonly schema: CollectionSchema;
  /** The rows to store, generated from the schema. */
  readonly rows: ColumnBatch;
  /** The same rows as a generated dataset: `memoryReader([dataset])` replays them through a writer. */
  readonly dataset: GeneratedDataset;
}

export interface ReaderSuiteOptions {
  /** Field types the reader can carry: the suite generates an `id` key plus one field of each (`f_<type>`). */
  readonly fieldTypes?: readonly FieldType[];
  /** Or the exact schema the reader yields, when its format fixes the field names. */
  readonly schema?: CollectionSchema;
  /** Stores `rows` in the reader's format and returns the reader's options for them, as a job file would give them. */
  write(fixture: ReaderFixture): unknown;
  /** Options that must make `open` fail (a missing file, an unreachable server), for a fresh `dir`. */
  readonly badOptions: (dir: string) => unknown;
  /** False when the format cannot hold an empty dataset. */
  readonly empty?: boolean;
  /** Rows of the main case (default 257: not a multiple of any batch size used). */
  readonly rows?: number;
  /** Per-test timeout in ms (default 60 000). */
  readonly timeout?: number;
}

function schemaOf(o: ReaderSuiteOptions): CollectionSchema {
  if (o.schema) return o.schema;
  if (!o.fieldTypes || o.fieldTypes.length === 0) throw new Error('testReader: give fieldTypes or schema');
  return schemaFor(o.fieldTypes);
}

export function testReader<O>(reader: ReaderPlugin<O>, suite: ReaderSuiteOptions): void {
  const schema = schemaOf(suite);
  const rows = suite.rows ?? 257;
  const timeout = suite.timeout ?? 60_000;
  const workspace = new Workspace();
  afterAll(() => workspace.cleanup());

  async function prepare(count: number, seed = 1): Promise<{ dir: string; options: unknown; expected: ColumnBatch }> {
    const dir = workspace.dir();
    const data: GeneratedDataset = { key: 'data', schema, rows: count, seed };
    const expected = expectedRows(data);
    const options: unknown = await suite.write({ dir, name: workspace.name('mdm'), schema, rows: expected, dataset: data });
    return { dir, options, expected };
  }

  async function run(
    options: unknown,
    dir: string,
    batchRows: number,
    behaviour: Parameters<typeof recordingWriter>[0] = {},
    signal?: AbortSignal,
  ) {
    const spied = countingCloses(reader);
    const { plugin: writer, recording } = recordingWriter(behaviour);
    const context = testContext(dir, signal);
    const outcome = await runJob({
      reader: spied.plugin,
      readerOptions: options,
      writer,
      writerOptions: {},
      run: { batchRows, prefetch: 2 },
      context,
    }).then(
      (summary) => ({ summary, error: undefined }),
      (error: unknown) => ({ summary: undefined, error }),
    );
    return { ...outcome, recording, closes: spied.closed(), opens: spied.opened() };
  }

  /** Every field the suite generated, announced with the same type and dimension. */
  function expectSchema(announced: CollectionSchema) {
    for (const field of schema.fields) {
      const got = announced.fields.find((f) => f.name === field.name);
      expect(got, `field "${field.name}" announced`).toBeDefined();
      expect({ type: got?.type, dim: got?.dim }, `field "${field.name}"`).toEqual({ type: field.type, dim: field.dim });
    }
  }

  describe(`reader "${reader.name}" conformance`, () => {
    it('announces the schema before any row, yields batches that match it, and every generated row exactly', { timeout }, async () => {
      const { dir, options, expected } = await prepare(rows);
      const r = await run(options, dir, 100);
      expect(r.error).toBeUndefined();
      expect(r.recording.problems).toEqual([]);
      expect(r.recording.datasets).toHaveLength(1);
      const [dataset] = r.recording.datasets;
      expectSchema(dataset!.info.schema);
      if (dataset!.info.rows !== undefined) expect(dataset!.info.rows, 'rows announced').toBe(rows);
      for (const batch of dataset!.batches) expect(batch.numRows).toBeLessThanOrEqual(100);
      expect(batchDifferences(concatBatches(dataset!.batches), expected)).toEqual([]);
      expect(r.summary?.rows).toBe(rows);
      expect(r.closes, 'close called once').toBe(1);
    });

    it('yields batches of one row when asked for one', { timeout }, async () => {
      const { dir, options, expected } = await prepare(5, 2);
      const r = await run(options, dir, 1);
      expect(r.error).toBeUndefined();
      const batches = r.recording.datasets[0]!.batches;
      expect(batches.map((b) => b.numRows)).toEqual([1, 1, 1, 1, 1]);
      expect(batchDifferences(concatBatches(batches), expected)).toEqual([]);
      expect(r.closes).toBe(1);
    });

    if (suite.empty !== false) {
      it('reads an empty dataset as zero rows, without failing', { timeout }, async () => {
        const { dir, options } = await prepare(0, 3);
        const r = await run(options, dir, 100);
        expect(r.error).toBeUndefined();
        expect(r.summary?.rows).toBe(0);
        expect(r.recording.datasets.flatMap((d) => d.batches).reduce((n, b) => n + b.numRows, 0)).toBe(0);
        expect(r.closes).toBe(1);
      });
    }

    it('resumes from the cursor of any batch with exactly the rows after it', { timeout }, async () => {
      const { dir, options, expected } = await prepare(rows, 4);
      const context = testContext(dir);
      const source = await reader.open(reader.options.parse(options), context);
      try {
        const dataset = source.datasets[0] as SourceDataset;
        const batches: ColumnBatch[] = [];
        for await (const b of dataset.batches({ batchRows: 64 })) batches.push(b);
        expect(batches.length).toBeGreaterThan(2);
        for (const [i, b] of batches.entries()) expect(b.cursor, `batch ${i} has a cursor`).toBeDefined();
        for (const k of [0, Math.floor(batches.length / 2), batches.length - 1]) {
          // Cursors are stored as JSON between runs: resume from the round-tripped value.
          const cursor: unknown = JSON.parse(JSON.stringify(batches[k]!.cursor));
          const rest: ColumnBatch[] = [];
          for await (const b of dataset.batches({ batchRows: 64, resumeFrom: cursor })) rest.push(b);
          const done = batches.slice(0, k + 1).reduce((n, b) => n + b.numRows, 0);
          expect(
            rest.reduce((n, b) => n + b.numRows, 0),
            `rows after batch ${k}`,
          ).toBe(rows - done);
          if (rest.length > 0) {
            expect(batchDifferences(concatBatches(rest), sliceBatch(expected, done, rows))).toEqual([]);
          }
        }
      } finally {
        await source.close();
      }
    });

    it('stops on Ctrl-C (an aborted signal) with MDM_ABORTED, and still closes', { timeout }, async () => {
      const { dir, options } = await prepare(rows, 5);
      const controller = new AbortController();
      const r = await run(
        options,
        dir,
        10,
        { onBatch: (n) => n === 2 && controller.abort(new Error('interrupted by SIGINT')) },
        controller.signal,
      );
      expect((r.error as { code?: string } | undefined)?.code).toBe('MDM_ABORTED');
      expect(r.recording.datasets[0]!.batches.length).toBeLessThan(Math.ceil(rows / 10));
      expect(r.closes).toBe(1);
    });

    it("closes when the writer fails mid-way, and the error is the writer's", { timeout }, async () => {
      const { dir, options } = await prepare(rows, 6);
      const r = await run(options, dir, 10, { failAfterBatches: 3 });
      expect((r.error as { code?: string } | undefined)?.code).toBe('MDM_TARGET');
      expect(r.closes).toBe(1);
    });

    it('fails to open bad options with a one-line milvusdm error', { timeout }, async () => {
      const dir = workspace.dir();
      const r = await run(suite.badOptions(dir), dir, 100);
      expect(r.error).toBeDefined();
      expect(errorProblems(r.error)).toEqual([]);
      expect(r.closes).toBe(r.opens);
    });
  });
}
