/**
 * One Parquet part file, streamed: Arrow record batches go through parquet-wasm's streaming
 * writer (which closes a row group whenever it reaches the configured size) and its output
 * goes to disk as it is produced, so memory holds about one row group whatever the file's size.
 */
import { openAsBlob } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import { writeFully } from '@milvusdm/core';

export type Codec = 'none' | 'snappy' | 'zstd' | 'gzip' | 'lz4';

const CODECS: Record<Codec, pw.Compression> = {
  none: pw.Compression.UNCOMPRESSED,
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  gzip: pw.Compression.GZIP,
  lz4: pw.Compression.LZ4_RAW,
};

export interface PartSettings {
  readonly schema: arrow.Schema;
  readonly codec: Codec;
  readonly rowGroupRows: number;
  /** Top-level scalar columns, which keep a dictionary and statistics (arrow-encode's scalarColumns); the rest are written plain. */
  readonly scalarColumns: readonly string[];
  /** A batch of no rows: a part that receives none still records the schema. */
  readonly empty: () => arrow.RecordBatch;
  /** Stored in the file's key-value metadata. */
  readonly metadata: ReadonlyMap<string, string>;
}

/**
 * The writer's properties. Vector elements (and list columns generally) are written without a
 * dictionary and without min/max statistics: a dictionary of float vector elements never pays
 * (they hardly repeat, so the writer builds one, finds it too large and falls back, page after
 * page) and nothing reads their statistics; together they were about 40 % of the encoding CPU of
 * a 200k × 128 float file (bench/README.md). Top-level scalar columns keep both: a dictionary
 * shrinks repeated strings, and readers prune row groups with statistics. (Settings can only be
 * given per top-level column: parquet-wasm takes a column path as one name, so a nested leaf
 * such as `v.list.element` cannot be named; hence everything off, then scalars back on.)
 */
function writerProperties(
  settings: Pick<PartSettings, 'codec' | 'rowGroupRows' | 'scalarColumns'>,
  metadata: ReadonlyMap<string, string>,
): pw.WriterProperties {
  let builder = new pw.WriterPropertiesBuilder()
    .setCompression(CODECS[settings.codec])
    .setMaxRowGroupSize(settings.rowGroupRows)
    .setCreatedBy('milvusdm (parquet-wasm)')
    .setKeyValueMetadata(new Map(metadata))
    .setDictionaryEnabled(false)
    .setStatisticsEnabled(pw.EnabledStatistics.None);
  for (const column of settings.scalarColumns) {
    builder = builder.setColumnDictionaryEnabled(column, true).setColumnStatisticsEnabled(column, pw.EnabledStatistics.Page);
  }
  return builder.build();
}

/** The record batch as parquet-wasm's own (in WebAssembly memory), through Arrow IPC. */
function toWasm(batch: arrow.RecordBatch): pw.RecordBatch[] {
  return pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([batch]), 'stream')).recordBatches();
}

/**
 * Writes `path` from the batches `next` returns until it returns undefined; the file is
 * fsynced before this resolves. A file that receives no batch still holds the schema (0 rows).
 */
export async function writePart(path: string, settings: PartSettings, next: () => Promise<arrow.RecordBatch | undefined>): Promise<void> {
  const props = writerProperties(settings, settings.metadata);
  // The source's own error, kept: the stream machinery would otherwise report a wrapped one.
  let failure: unknown;
  let first = true;
  const batches = new ReadableStream<pw.RecordBatch>({
    async pull(controller) {
      let batch: arrow.RecordBatch | undefined;
      try {
        batch = await next();
      } catch (e) {
        failure = e;
        controller.error(e);
        return;
      }
      if (!batch && first) batch = settings.empty();
      first = false;
      if (!batch) {
        controller.close();
        return;
      }
      for (const b of toWasm(batch)) controller.enqueue(b);
    },
  });
  const handle = await open(path, 'w');
  try {
    const bytes = (await pw.transformParquetStream(batches, props)) as ReadableStream<Uint8Array>;
    for await (const chunk of Readable.fromWeb(bytes as import('node:stream/web').ReadableStream<Uint8Array>)) {
      await writeFully(handle, chunk as Uint8Array);
    }
    // The stream machinery may end the output cleanly even though its input failed.
    if (failure !== undefined) throw failure;
    await handle.sync();
  } catch (e) {
    throw failure ?? e;
  } finally {
    await handle.close();
  }
}

/**
 * Cuts a complete part file back to its first `keep` rows (rewritten next to it, fsynced, then
 * renamed over it), row group by row group. A resumed run needs this when the state was saved
 * between the commits of one part's batches: the rows after `keep` come again from the source.
 */
export async function keepFirstRows(
  path: string,
  keep: number,
  settings: Omit<PartSettings, 'schema' | 'empty' | 'metadata'>,
): Promise<void> {
  const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  try {
    // The Arrow schema is stored again by the writer; the rest (milvusdm's keys) is copied.
    const metadata = new Map(
      [...(file.metadata().fileMetadata().keyValueMetadata() as Map<string, string>)].filter(([k]) => !k.startsWith('ARROW:')),
    );
    const props = writerProperties(settings, metadata);
    const rows = (await file.stream({ limit: keep, batchSize: Math.min(keep, settings.rowGroupRows) })) as ReadableStream<pw.RecordBatch>;
    const bytes = (await pw.transformParquetStream(rows, props)) as ReadableStream<Uint8Array>;
    const handle = await open(`${path}.partial`, 'w');
    try {
      for await (const chunk of Readable.fromWeb(bytes as import('node:stream/web').ReadableStream<Uint8Array>))
        await writeFully(handle, chunk as Uint8Array);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } finally {
    file.free();
  }
  await rename(`${path}.partial`, path);
}
