/**
 * The other end of a conformance run: an in-memory reader of generated data (to drive a writer
 * under test) and a recording writer (to drive a reader under test). Both check the contract
 * from their side and remember every call, in order.
 */
import {
  MilvusdmError,
  checkBatch,
  sliceBatch,
  z,
  type ColumnBatch,
  type CollectionSchema,
  type DatasetInfo,
  type ReaderPlugin,
  type WriterPlugin,
} from '@milvusdm/core';
import { generateBatch } from './generate.js';

export interface GeneratedDataset {
  readonly key: string;
  readonly schema: CollectionSchema;
  readonly rows: number;
  readonly seed: number;
}

export interface MemoryReaderOptions {
  /** Throw this error after yielding this many batches (a reader failing mid-way). */
  readonly failAfterBatches?: number;
  /** Called after each batch is yielded, with the number of batches so far (to abort a run). */
  readonly onYield?: (count: number) => void;
  /** The last row carries the first row's int64 primary key: a key repeated in the source. */
  readonly repeatFirstKeyLast?: boolean;
}

/** `batch` (rows up to the dataset's last) with its last key replaced by the dataset's first. */
function withFirstKeyLast(batch: ColumnBatch, all: ColumnBatch, schema: CollectionSchema): ColumnBatch {
  const key = schema.fields.find((f) => f.isPrimaryKey && f.type === 'int64')?.name;
  const column = key ? batch.columns.get(key) : undefined;
  const first = key ? all.columns.get(key) : undefined;
  if (!key || column?.type !== 'int64' || first?.type !== 'int64' || batch.numRows === 0) return batch;
  const values = column.values.slice();
  values[values.length - 1] = first.values[0]!;
  return { ...batch, columns: new Map(batch.columns).set(key, { ...column, values }) };
}

/** The generated rows of a dataset, as one batch. */
export function expectedRows(d: GeneratedDataset): ColumnBatch {
  return generateBatch(d.schema, d.rows, { seed: d.seed });
}

/** A reader plugin over generated datasets; its cursor is the next row to read. */
export function memoryReader(
  datasets: readonly GeneratedDataset[],
  behaviour: MemoryReaderOptions = {},
): ReaderPlugin<Record<string, unknown>> & { closed: number } {
  const plugin = {
    kind: 'reader' as const,
    name: 'plugin-kit-generated',
    options: z.looseObject({}),
    closed: 0,
    async open() {
      return {
        datasets: datasets.map((d) => ({
          key: d.key,
          collection: d.key,
          schema: d.schema,
          origin: `generated ${d.key}`,
          rows: d.rows,
          async *batches({ batchRows, resumeFrom }: { batchRows: number; resumeFrom?: unknown }) {
            const all = expectedRows(d);
            let yielded = 0;
            for (let start = typeof resumeFrom === 'number' ? resumeFrom : 0; start < d.rows; start += batchRows) {
              if (behaviour.failAfterBatches !== undefined && yielded === behaviour.failAfterBatches) {
                throw new MilvusdmError('MDM_SOURCE', `generated ${d.key}: failing on purpose after ${yielded} batches`);
              }
              const end = Math.min(d.rows, start + batchRows);
              const batch = sliceBatch(all, start, end);
              yield { ...(behaviour.repeatFirstKeyLast && end === d.rows ? withFirstKeyLast(batch, all, d.schema) : batch), cursor: end };
              yielded += 1;
              behaviour.onYield?.(yielded);
            }
          },
        })),
        close: async () => {
          plugin.closed += 1;
        },
      };
    },
  };
  return plugin;
}

export interface RecordedDataset {
  readonly info: DatasetInfo;
  readonly batches: ColumnBatch[];
}

export interface Recording {
  readonly datasets: RecordedDataset[];
  /** Contract breaches seen by the writer, in order (empty when the reader behaved). */
  readonly problems: string[];
  finished: number;
  closed: number;
}

export interface RecordingWriterOptions {
  /** Called after each batch is stored, with the number of batches so far (to abort a run). */
  readonly onBatch?: (count: number) => void;
  /** Throw after storing this many batches (a writer failing mid-way). */
  readonly failAfterBatches?: number;
}

/** A writer plugin that keeps every batch in memory and notes any breach of the reader's contract. */
export function recordingWriter(behaviour: RecordingWriterOptions = {}): {
  plugin: WriterPlugin<Record<string, unknown>>;
  recording: Recording;
} {
  const recording: Recording = { datasets: [], problems: [], finished: 0, closed: 0 };
  let stored = 0;
  const plugin: WriterPlugin<Record<string, unknown>> = {
    kind: 'writer',
    name: 'plugin-kit-recorder',
    options: z.looseObject({}),
    async open() {
      return {
        async begin(info) {
          const dataset: RecordedDataset = { info, batches: [] };
          recording.datasets.push(dataset);
          if (!info.schema || !Array.isArray(info.schema.fields) || info.schema.fields.length === 0)
            recording.problems.push(`${info.key}: no schema announced before rows`);
          if (typeof info.origin !== 'string' || info.origin === '') recording.problems.push(`${info.key}: no origin`);
          return {
            async write(batches, hooks) {
              let rows = 0;
              for await (const batch of batches) {
                try {
                  checkBatch(info.schema, batch, info.origin);
                } catch (e) {
                  recording.problems.push((e as Error).message);
                }
                if (
                  batch.cursor !== undefined &&
                  JSON.stringify(JSON.parse(JSON.stringify(batch.cursor))) !== JSON.stringify(batch.cursor)
                ) {
                  recording.problems.push(`${info.origin}: cursor ${String(batch.cursor)} is not JSON-serialisable`);
                }
                dataset.batches.push(batch);
                rows += batch.numRows;
                stored += 1;
                hooks.committed(batch);
                behaviour.onBatch?.(stored);
                if (behaviour.failAfterBatches !== undefined && stored >= behaviour.failAfterBatches) {
                  throw new MilvusdmError('MDM_TARGET', `recorder: failing on purpose after ${stored} batches`);
                }
              }
              return { rows };
            },
          };
        },
        async finish() {
          recording.finished += 1;
        },
        async close() {
          recording.closed += 1;
        },
      };
    },
  };
  return { plugin, recording };
}
