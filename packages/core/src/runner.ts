/**
 * Runs one job: opens the source and the target, then moves every dataset through a bounded
 * pipeline (read ahead by `prefetch` batches, checked against the announced schema, written,
 * counted as the writer commits it). Both ends are always closed, whatever happens.
 */
import { checkBatch, columnBytes, sliceBatch, type ColumnBatch } from './batch.js';
import { MilvusdmError, errorMessage } from './errors.js';
import type { RunSettings } from './job/spec.js';
import { parseOptions } from './options.js';
import { prefetch } from './pipeline/prefetch.js';
import { RowRateLimiter, throttle } from './pipeline/throttle.js';
import { BatchScreen, checkDatasetSchema, screenOptions } from './pipeline/validate.js';
import { ProgressTracker, type ProgressSnapshot } from './pipeline/progress.js';
import {
  isSkipped,
  type ChannelContext,
  type DatasetInfo,
  type ReaderPlugin,
  type ReaderSource,
  type SourceDataset,
  type WriterPlugin,
  type WriterSink,
} from './plugin.js';
import { describeSchema } from './schema.js';
import { ResumeBook, type ResumeSettings } from './state/resume-book.js';
import { SourceWatch } from './state/source-watch.js';

/**
 * Bytes each read-ahead stage may hold (the screen's and the writer's). Batches of 128 floats a
 * row (5 MiB at 10,000 rows) are read ahead as `prefetch` says; batches of 768 (29 MiB) one at a
 * time per stage, which is enough to keep a server busy and holds about 60 MiB less.
 */
const READ_AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * A batch's size for the read-ahead budget, taken twice per batch: `columnBytes`, but array
 * columns by their element counts (its estimate stringifies every row).
 */
function readAheadWeight(batch: ColumnBatch): number {
  let n = 0;
  for (const column of batch.columns.values()) {
    if (column.type === 'array') for (const row of column.values) n += 8 + row.length * 8;
    else n += columnBytes(column);
  }
  return n;
}

export type RunEvent =
  | { readonly type: 'plan'; readonly datasets: readonly DatasetInfo[]; readonly totalRows: number | undefined }
  | { readonly type: 'dataset-start'; readonly dataset: DatasetInfo; readonly index: number; readonly count: number }
  | { readonly type: 'dataset-skip'; readonly dataset: DatasetInfo; readonly reason: string }
  | { readonly type: 'progress'; readonly dataset: DatasetInfo; readonly overall: ProgressSnapshot }
  | { readonly type: 'dataset-done'; readonly dataset: DatasetInfo; readonly rows: number; readonly seconds: number }
  | { readonly type: 'done'; readonly summary: RunSummary };

export interface DatasetResult {
  readonly key: string;
  readonly origin: string;
  readonly rows: number;
  readonly skipped?: string;
  /** Rows an interrupted earlier run had already written (included in `rows`). */
  readonly resumedRows?: number;
}

export interface RunSummary {
  readonly rows: number;
  readonly seconds: number;
  readonly datasets: readonly DatasetResult[];
}

export interface RunInput {
  readonly reader: ReaderPlugin;
  readonly readerOptions: unknown;
  readonly writer: WriterPlugin;
  readonly writerOptions: unknown;
  readonly run: RunSettings;
  readonly context: ChannelContext;
  readonly file?: string;
  readonly onEvent?: (event: RunEvent) => void;
  /** Keep a resume state (and continue an interrupted run of the same job). Off when undefined. */
  readonly resume?: ResumeSettings;
}

export async function runJob(input: RunInput): Promise<RunSummary> {
  // Plugins see the run settings (validation policies, locking) through their context.
  const context: ChannelContext = { ...input.context, run: input.run };
  input = { ...input, context };
  // Validate both option blocks before opening anything: a typo must not cost a connection.
  const readerOptions = parseOptions(input.reader.options, input.readerOptions, 'source', input.file);
  const writerOptions = parseOptions(input.writer.options, input.writerOptions, 'target', input.file);
  const emit = input.onEvent ?? (() => {});
  const started = performance.now();

  let source: ReaderSource | undefined;
  let sink: WriterSink | undefined;
  try {
    source = await input.reader.open(readerOptions, context);
    // Before the target opens: a refused resume must not cost a connection.
    const book = input.resume ? await ResumeBook.open(input.resume, source) : undefined;
    if (book?.finishedBefore)
      context.logger.info(`the last run of this job wrote everything but was stopped before it ended (${book.stateFile})`);
    else if (book?.resuming) context.logger.info(`resuming the interrupted run recorded in ${book.stateFile}`);
    const watch = await SourceWatch.start(source);
    sink = await input.writer.open(writerOptions, context);
    // One budget for the whole run, however many datasets it moves.
    const limiter = input.run.maxRowsPerSecond ? new RowRateLimiter(input.run.maxRowsPerSecond) : undefined;
    if (limiter) context.logger.info(`throughput capped at ${input.run.maxRowsPerSecond} rows/s (run.max_rows_per_second)`);
    const datasets = source.datasets;
    const known = datasets.every((d) => d.rows !== undefined);
    const totalRows = known ? datasets.reduce((n, d) => n + (d.rows ?? 0), 0) : undefined;
    emit({ type: 'plan', datasets, totalRows });
    const overall = new ProgressTracker(totalRows);
    const results: DatasetResult[] = [];
    for (const [index, dataset] of datasets.entries()) {
      context.signal.throwIfAborted();
      results.push(await moveDataset(dataset, index, datasets.length, sink, input, overall, emit, book, limiter, watch));
    }
    await sink.finish();
    book?.finish();
    const summary: RunSummary = {
      rows: results.reduce((n, r) => n + r.rows, 0),
      seconds: (performance.now() - started) / 1000,
      datasets: results,
    };
    emit({ type: 'done', summary });
    return summary;
  } catch (e) {
    // Whatever a plugin made of the abort on its way out, the run was interrupted.
    if (context.signal.aborted && (e as { code?: string }).code !== 'MDM_ABORTED') {
      throw new MilvusdmError('MDM_ABORTED', 'the run was interrupted before it finished', { cause: e });
    }
    throw e;
  } finally {
    await closeQuietly('target', sink, context);
    await closeQuietly('source', source, context);
  }
}

async function moveDataset(
  dataset: SourceDataset,
  index: number,
  count: number,
  sink: WriterSink,
  input: RunInput,
  overall: ProgressTracker,
  emit: (event: RunEvent) => void,
  book: ResumeBook | undefined,
  limiter: RowRateLimiter | undefined,
  watch: SourceWatch | undefined,
): Promise<DatasetResult> {
  const { logger } = input.context;
  logger.info(`dataset ${index + 1}/${count}: ${dataset.origin} (${describeSchema(dataset.schema)})`);
  checkDatasetSchema(dataset);
  const prior = book?.dataset(dataset.key);
  if (prior?.status === 'skipped') {
    const reason = prior.skipped ?? 'skipped by the interrupted run';
    emit({ type: 'dataset-skip', dataset, reason });
    return { key: dataset.key, origin: dataset.origin, rows: 0, skipped: reason };
  }
  if (prior?.status === 'done') {
    // Still begun, so the writer knows the target it prepared then (a later dataset of the same
    // collection must not see it as someone else's); nothing is read or written.
    await sink.begin(dataset, { resume: { rows: prior.rows, token: prior.token, complete: true, unrecordedRows: 0 } });
    logger.info(`${dataset.origin}: all ${prior.rows} rows were written by the interrupted run`);
    overall.add(prior.rows);
    emit({ type: 'dataset-done', dataset, rows: prior.rows, seconds: 0 });
    return { key: dataset.key, origin: dataset.origin, rows: prior.rows, resumedRows: prior.rows };
  }
  const resume = prior ? { rows: prior.rows, token: prior.token, complete: false, unrecordedRows: book!.unrecordedRows } : undefined;
  const writer = await sink.begin(dataset, resume ? { resume } : undefined);
  if (isSkipped(writer)) {
    logger.info(`skipped ${dataset.origin}: ${writer.skipped}`);
    book?.skipped(dataset.key, writer.skipped);
    emit({ type: 'dataset-skip', dataset, reason: writer.skipped });
    return { key: dataset.key, origin: dataset.origin, rows: 0, skipped: writer.skipped };
  }
  book?.begun(dataset.key, writer.resumeToken);
  const base = prior?.rows ?? 0;
  // Source rows the interrupted run handled up to its cursor, written or skipped by the screen
  // (states written before this was recorded had no skipped rows to count).
  const priorSourceRows = prior ? (prior.sourceRowsAtCursor ?? prior.rowsAtCursor) : 0;
  const priorSkipped = prior ? priorSourceRows - prior.rowsAtCursor : 0;
  // Source rows read up to each cursor, so a commit records how far into the source it reaches.
  const sourceRowsAt = new Map<string, number>();
  if (prior) {
    logger.info(`${dataset.origin}: resuming after ${base} rows written by the interrupted run`);
    overall.add(base);
  }
  emit({ type: 'dataset-start', dataset, index, count });
  const started = performance.now();
  let rowsRead = 0;
  const screen = new BatchScreen(dataset, screenOptions(input.run), writer, logger);
  /**
   * The source's batches, each handed on with its screening under way (the repeated-key check
   * runs in a worker thread): the next batch is read while the worker checks this one.
   */
  async function* screening(): AsyncGenerator<{ readonly screened: Promise<ColumnBatch>; readonly bytes: number }> {
    // The screen's temporary key files go when the stream ends, however it ends.
    try {
      await screen.prepare(input.run.batchRows, input.context.signal, priorSourceRows);
      let sourceRows = priorSourceRows;
      // Rows of the batch after the cursor that were committed already: read again, not written again.
      let alreadyWritten = prior ? prior.rows - prior.rowsAtCursor : 0;
      const read = { batchRows: input.run.batchRows, ...(prior?.cursor !== undefined ? { resumeFrom: prior.cursor } : {}) };
      for await (let raw of dataset.batches(read)) {
        // When both ends are synchronous underneath (h5wasm reads and writes), every await here
        // resolves as a microtask and the event loop never turns: Ctrl-C, timers and the target
        // lock's heartbeat would wait for the end of the run. One turn per batch lets them in.
        await new Promise<void>((resolve) => setImmediate(resolve));
        input.context.signal.throwIfAborted();
        checkBatch(dataset.schema, raw, dataset.origin);
        sourceRows += raw.numRows;
        if (raw.cursor !== undefined) sourceRowsAt.set(JSON.stringify(raw.cursor), sourceRows);
        if (alreadyWritten > 0) {
          const drop = Math.min(alreadyWritten, raw.numRows);
          alreadyWritten -= drop;
          await screen.passOver(drop === raw.numRows ? raw : sliceBatch(raw, 0, drop));
          if (drop === raw.numRows) continue;
          raw = sliceBatch(raw, drop, raw.numRows);
        }
        const screened = screen.screen(raw);
        // Observed in order by `checked`; a batch after a failed one may fail unobserved.
        screened.catch(() => {});
        // Wrapped: an async generator would await a promise it yields, and wait for the check.
        yield { screened, bytes: readAheadWeight(raw) };
      }
      // Before the stream ends, so a target that publishes at its end publishes nothing of a
      // source rewritten meanwhile, nor of one with a repeated key.
      await watch?.check(dataset.origin);
      await screen.finish(input.run.batchRows, input.context.signal);
    } finally {
      await screen.close();
    }
  }
  // One of the batches read ahead is the one being screened (none when the job asks for none).
  const screenAhead = Math.min(1, input.run.prefetch);
  /** The screened batches, in source order: a batch whose screening failed stops the run there. */
  async function* checked(): AsyncGenerator<ColumnBatch> {
    for await (const { screened } of prefetch(screening(), screenAhead, { maxBytes: READ_AHEAD_BYTES, weigh: (b) => b.bytes })) {
      const batch = await screened;
      rowsRead += batch.numRows;
      yield batch;
    }
  }
  let committed = 0;
  let rows: number;
  let failed = true;
  try {
    const ahead = prefetch(checked(), input.run.prefetch - screenAhead, { maxBytes: READ_AHEAD_BYTES, weigh: readAheadWeight });
    ({ rows } = await writer.write(limiter ? throttle(ahead, limiter, input.context.signal) : ahead, {
      committed(batch) {
        committed += batch.numRows;
        let reach: number | undefined;
        if (batch.cursor !== undefined) {
          const cursorKey = JSON.stringify(batch.cursor);
          reach = sourceRowsAt.get(cursorKey);
          sourceRowsAt.delete(cursorKey);
        }
        book?.committed(dataset.key, batch, reach);
        overall.add(batch.numRows);
        emit({ type: 'progress', dataset, overall: overall.snapshot() });
      },
    }));
    failed = false;
  } finally {
    // Interrupted or failed: record every commit the writer reported, so the next run redoes none.
    // A state that cannot be saved now must not hide why the run stopped.
    if (failed) {
      try {
        book?.flush();
      } catch (e) {
        logger.warn(`the resume state could not be saved on the way out: ${errorMessage(e)}`);
      }
    }
  }
  // Every row read must be accounted for by the writer: a mismatch is a plugin bug, not a detail.
  if (rows !== rowsRead || committed !== rowsRead) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `${dataset.origin}: read ${rowsRead} rows but the target reported ${rows} written (${committed} committed)`,
    );
  }
  const skippedNote = screen.summary();
  if (skippedNote) logger.warn(skippedNote);
  const total = base + rowsRead;
  if (dataset.rows !== undefined && total + priorSkipped + screen.skippedRows !== dataset.rows) {
    const resumed = base > 0 ? ` (${base} of them by the interrupted run)` : '';
    throw new MilvusdmError('MDM_VERIFY', `${dataset.origin}: announced ${dataset.rows} rows but yielded ${total}${resumed}`);
  }
  book?.done(dataset.key);
  const seconds = (performance.now() - started) / 1000;
  emit({ type: 'dataset-done', dataset, rows: total, seconds });
  logger.info(
    `wrote ${rows} rows from ${dataset.origin} in ${seconds.toFixed(1)} s${base > 0 ? ` (${total} with the ${base} of the interrupted run)` : ''}`,
  );
  return { key: dataset.key, origin: dataset.origin, rows: total, ...(base > 0 ? { resumedRows: base } : {}) };
}

async function closeQuietly(what: string, end: { close(): Promise<void> } | undefined, context: ChannelContext) {
  if (!end) return;
  try {
    await end.close();
  } catch (e) {
    context.logger.warn(`closing the ${what} failed: ${errorMessage(e)}`);
  }
}
