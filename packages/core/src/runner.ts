/**
 * Runs one job: opens the source and the target, then moves every dataset through a bounded
 * pipeline (read ahead by `prefetch` batches, checked against the announced schema, written,
 * counted as the writer commits it). Both ends are always closed, whatever happens.
 */
import { checkBatch, type ColumnBatch } from './batch.js';
import { MilvusdmError, errorMessage } from './errors.js';
import type { RunSettings } from './job/spec.js';
import { parseOptions } from './options.js';
import { prefetch } from './pipeline/prefetch.js';
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
    sink = await input.writer.open(writerOptions, context);
    const datasets = source.datasets;
    const known = datasets.every((d) => d.rows !== undefined);
    const totalRows = known ? datasets.reduce((n, d) => n + (d.rows ?? 0), 0) : undefined;
    emit({ type: 'plan', datasets, totalRows });
    const overall = new ProgressTracker(totalRows);
    const results: DatasetResult[] = [];
    for (const [index, dataset] of datasets.entries()) {
      context.signal.throwIfAborted();
      results.push(await moveDataset(dataset, index, datasets.length, sink, input, overall, emit));
    }
    await sink.finish();
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
): Promise<DatasetResult> {
  const { logger } = input.context;
  logger.info(`dataset ${index + 1}/${count}: ${dataset.origin} (${describeSchema(dataset.schema)})`);
  checkDatasetSchema(dataset);
  const writer = await sink.begin(dataset);
  if (isSkipped(writer)) {
    logger.info(`skipped ${dataset.origin}: ${writer.skipped}`);
    emit({ type: 'dataset-skip', dataset, reason: writer.skipped });
    return { key: dataset.key, origin: dataset.origin, rows: 0, skipped: writer.skipped };
  }
  emit({ type: 'dataset-start', dataset, index, count });
  const started = performance.now();
  let rowsRead = 0;
  const screen = new BatchScreen(dataset, screenOptions(input.run), writer, logger);
  async function* checked(): AsyncGenerator<ColumnBatch> {
    // The screen's temporary key files go when the stream ends, however it ends.
    try {
      await screen.prepare(input.run.batchRows, input.context.signal);
      for await (const raw of dataset.batches({ batchRows: input.run.batchRows })) {
        input.context.signal.throwIfAborted();
        checkBatch(dataset.schema, raw, dataset.origin);
        const batch = await screen.screen(raw);
        rowsRead += batch.numRows;
        yield batch;
      }
    } finally {
      screen.close();
    }
  }
  let committed = 0;
  const { rows } = await writer.write(prefetch(checked(), input.run.prefetch), {
    committed(batch) {
      committed += batch.numRows;
      overall.add(batch.numRows);
      emit({ type: 'progress', dataset, overall: overall.snapshot() });
    },
  });
  // Every row read must be accounted for by the writer: a mismatch is a plugin bug, not a detail.
  if (rows !== rowsRead || committed !== rowsRead) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `${dataset.origin}: read ${rowsRead} rows but the target reported ${rows} written (${committed} committed)`,
    );
  }
  const skippedNote = screen.summary();
  if (skippedNote) logger.warn(skippedNote);
  if (dataset.rows !== undefined && rowsRead + screen.skippedRows !== dataset.rows) {
    throw new MilvusdmError('MDM_VERIFY', `${dataset.origin}: announced ${dataset.rows} rows but yielded ${rowsRead}`);
  }
  const seconds = (performance.now() - started) / 1000;
  emit({ type: 'dataset-done', dataset, rows, seconds });
  logger.info(`wrote ${rows} rows from ${dataset.origin} in ${seconds.toFixed(1)} s`);
  return { key: dataset.key, origin: dataset.origin, rows };
}

async function closeQuietly(what: string, end: { close(): Promise<void> } | undefined, context: ChannelContext) {
  if (!end) return;
  try {
    await end.close();
  } catch (e) {
    context.logger.warn(`closing the ${what} failed: ${errorMessage(e)}`);
  }
}
