/**
 * The Parquet writer: one folder per collection partition, holding part files of bounded size.
 * The folder is written as `<partition>.partial` and renamed once complete, and each part as
 * `part-NNNNN.parquet.partial` renamed once fsynced, so a failed run never leaves a folder or a
 * file that looks whole. Batches are reported committed when the part holding them is renamed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  MilvusdmError,
  OutputLocks,
  asMilvusdmError,
  batchBytes,
  ensureFreeSpace,
  fileWriteFailure,
  estimatedRowBytes as certainRowBytes,
  schemaToJson,
  type BeginOptions,
  type ChannelContext,
  type ColumnBatch,
  type DatasetInfo,
  type DatasetWriter,
  type ResumeInfo,
  type SkippedDataset,
  type WriterSink,
} from '@milvusdm/core';
import type * as arrow from 'apache-arrow';
import { arrowBatch, arrowSchema, emptyColumns, storedFields, scalarColumns } from './arrow-encode.js';
import { META, PART_FILE, datasetFolder, partName } from './layout.js';
import type { ParquetWriterOptions } from './options.js';
import { keepFirstRows, writePart, type PartSettings } from './part-file.js';
import { readPartFooter } from './footer.js';

/** What a resumed run needs to find and trust the `.partial` folder. */
interface ParquetResumeToken {
  readonly path: string;
  /** Also stored in every part file: tells this run's parts from any other at the same path. */
  readonly writeId: string;
}

const MB = 1024 * 1024;

/** Bytes a row takes in memory, roughly: what sizes row groups before the first batch is seen. */
function estimatedRowBytes(dataset: DatasetInfo): number {
  let n = 0;
  for (const f of storedFields(dataset.schema)) {
    if (f.type === 'float_vector') n += (f.dim ?? 1) * 4;
    else if (f.type === 'float16_vector' || f.type === 'bfloat16_vector') n += (f.dim ?? 1) * 2;
    else if (f.type === 'int8_vector') n += f.dim ?? 1;
    else if (f.type === 'binary_vector') n += (f.dim ?? 8) / 8;
    else if (f.type === 'varchar') n += Math.min(f.maxLength ?? 64, 256);
    else if (f.type === 'json' || f.type === 'array' || f.type === 'sparse_float_vector') n += 128;
    else n += 8;
  }
  return Math.max(n, 1);
}

export class ParquetSink implements WriterSink {
  private readonly written: string[] = [];
  /** Another run writing the same output is refused (OutputLocks). */
  private readonly locks: OutputLocks;
  /** The `.partial` folder being written, kept or removed when a run stops. */
  private current: { partial: string; committed: number } | undefined;

  constructor(
    private readonly options: ParquetWriterOptions,
    private readonly context: ChannelContext,
  ) {
    this.locks = new OutputLocks(context);
  }

  async begin(dataset: DatasetInfo, options: BeginOptions = {}): Promise<DatasetWriter | SkippedDataset> {
    const path = datasetFolder(this.options.dir, this.context.baseDir, dataset);
    return this.locks.guard(path, async () => {
      if (options.resume) return this.resumeDataset(dataset, path, options.resume);
      if (existsSync(path)) {
        if (this.options.existing === 'skip') return { skipped: `${path} exists (existing: skip)` };
        if (this.options.existing === 'fail') {
          throw new MilvusdmError('MDM_TARGET', `${path} already exists`, {
            hint: 'Choose another target.dir, or set target.existing to overwrite or skip.',
          });
        }
      }
      return this.create(dataset, path, randomUUID());
    });
  }

  /**
   * Writes the dataset's `.partial` folder from its first row. `writeId` names this job's parts:
   * a new one for a new dataset; on resume, the one the run's state recorded (the state keeps the
   * token a dataset was first begun with, and a later resume must find the parts it names).
   */
  private async create(dataset: DatasetInfo, path: string, writeId: string): Promise<DatasetWriter> {
    const schema = arrowSchema(dataset.schema);
    const partial = `${path}.partial`;
    try {
      // A `.partial` folder here is an abandoned run's (a resumed run takes the branch above).
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
    } catch (e) {
      throw asMilvusdmError(e);
    }
    if (dataset.rows !== undefined) {
      await ensureFreeSpace(partial, dataset.rows * certainRowBytes(dataset.schema), `${dataset.origin} (${dataset.rows} rows)`).catch(
        async (e: unknown) => {
          await rm(partial, { recursive: true, force: true });
          throw e;
        },
      );
    }
    return this.folderWriter(dataset, path, schema, { path, writeId }, 0, 0);
  }

  /**
   * Continues the `.partial` folder an interrupted run left: its complete parts up to the rows
   * the state recorded are kept (the last one cut back if the state ends inside it), anything
   * after them (a part being written, or one completed after the state was last saved) is
   * removed and written again from the source.
   */
  private async resumeDataset(dataset: DatasetInfo, path: string, resume: ResumeInfo): Promise<DatasetWriter | SkippedDataset> {
    const token = resume.token as Partial<ParquetResumeToken> | undefined;
    if (!token || token.path !== path || typeof token.writeId !== 'string') {
      throw new MilvusdmError('MDM_RESUME', `${path}: the resume state does not describe this output folder`, {
        hint: 'Run again with --restart to start over.',
      });
    }
    const partial = `${path}.partial`;
    const schema = arrowSchema(dataset.schema);
    if (resume.complete || (!existsSync(partial) && existsSync(path))) {
      // Renamed only once complete: the finished folder holds every row.
      const rows = (await this.checkParts(path, token.writeId)).reduce((n, p) => n + p.rows, 0);
      this.written.push(path);
      return {
        write: async (batches, hooks) => {
          let drained = 0;
          for await (const batch of batches) {
            drained += batch.numRows;
            if (resume.rows + drained > rows)
              throw new MilvusdmError('MDM_RESUME', `${path} is complete with ${rows} rows but the source has more`);
            hooks.committed(batch);
          }
          if (resume.rows + drained !== rows)
            throw new MilvusdmError('MDM_RESUME', `${path} holds ${rows} rows but the source has ${resume.rows + drained}`);
          return { rows: drained };
        },
      };
    }
    if (resume.rows === 0 && !existsSync(partial)) {
      // Stopped before its first commit: the partial output was discarded then (nothing in it
      // was recorded), so there is nothing to continue — the dataset is written from the start,
      // under the same write id, which the state goes on recording.
      return this.create(dataset, path, token.writeId);
    }
    if (!existsSync(partial)) {
      throw new MilvusdmError('MDM_RESUME', `${partial} is gone: the interrupted run's output cannot be continued`, {
        hint: 'Run again with --restart to start over.',
      });
    }
    const parts = await this.checkParts(partial, token.writeId);
    let kept = 0;
    let rows = 0;
    for (const part of parts) {
      if (part.index !== kept || part.firstRow !== rows || rows >= resume.rows) break;
      if (rows + part.rows > resume.rows) {
        // The state was saved between the commits of this part's batches: keep its first rows only.
        await keepFirstRows(join(partial, partName(part.index)), resume.rows - rows, {
          codec: this.options.compression,
          rowGroupRows: this.rowGroupRows(dataset),
          scalarColumns: scalarColumns(dataset.schema),
        });
        this.context.logger.info(`${partial}: ${partName(part.index)} cut back to the ${resume.rows - rows} rows the state recorded`);
      }
      kept++;
      rows = Math.min(resume.rows, rows + part.rows);
    }
    if (rows !== resume.rows) {
      throw new MilvusdmError(
        'MDM_RESUME',
        `${partial}: its complete parts hold ${rows} rows in a row, the resume state says ${resume.rows} were written`,
        { hint: 'Run again with --restart to start over.' },
      );
    }
    for (const name of await readdir(partial)) {
      const match = PART_FILE.exec(name);
      if (!match || Number(match[1]) >= kept) await rm(join(partial, name), { force: true });
    }
    this.context.logger.info(`${partial}: continuing after row ${rows} (${kept} complete part file(s) kept)`);
    return this.folderWriter(dataset, path, schema, { path, writeId: token.writeId }, kept, rows);
  }

  /** The complete parts of a folder, in order, each checked to be this run's. */
  private async checkParts(folder: string, writeId: string): Promise<{ index: number; firstRow: number; rows: number }[]> {
    const parts = [];
    for (const name of (await readdir(folder)).sort()) {
      const match = PART_FILE.exec(name);
      if (!match) continue;
      const file = join(folder, name);
      const footer = await readPartFooter(file);
      if (footer.metadata.get(META.writeId) !== writeId) {
        throw new MilvusdmError('MDM_RESUME', `${file} was not written by the interrupted run`, {
          hint: 'Run again with --restart to start over.',
        });
      }
      parts.push({ index: Number(match[1]), firstRow: Number(footer.metadata.get(META.firstRow)), rows: footer.rows });
    }
    return parts;
  }

  private folderWriter(
    dataset: DatasetInfo,
    path: string,
    schema: arrow.Schema,
    resumeToken: ParquetResumeToken,
    firstPart: number,
    base: number,
  ): DatasetWriter {
    const partial = `${path}.partial`;
    const rowGroupRows = this.rowGroupRows(dataset);
    const fileBytes = this.options.file_mb * MB;
    const fileRows = this.options.file_rows ?? Number.POSITIVE_INFINITY;
    const schemaJson = schemaToJson(dataset.schema);
    this.current = { partial, committed: base };
    return {
      resumeToken,
      // A file keeps NaN and ±Inf bit for bit: the run need not look for them.
      storesNonFinite: true,
      // Renamed from .partial only after the last batch: repeated keys may be looked for then.
      publishesAtEnd: true,
      write: async (batches, hooks) => {
        const source = batches[Symbol.asyncIterator]();
        let rows = base;
        let index = firstPart;
        let exhausted = false;
        // A batch read while a part was full: it opens the next part.
        let carried: ColumnBatch | undefined;
        const pull = async (): Promise<ColumnBatch | undefined> => {
          if (carried) {
            const b = carried;
            carried = undefined;
            return b;
          }
          const next = await source.next();
          if (next.done) {
            exhausted = true;
            return undefined;
          }
          return next.value;
        };
        let writing: string | undefined;
        try {
          do {
            const name = partName(index);
            const settings: PartSettings = {
              schema,
              codec: this.options.compression,
              rowGroupRows,
              scalarColumns: scalarColumns(dataset.schema),
              empty: () => arrowBatch(dataset.schema, schema, emptyColumns(dataset.schema), 0),
              metadata: new Map([
                [META.schema, schemaJson],
                [META.collection, dataset.collection],
                [META.partition, dataset.partition ?? '_default'],
                [META.writeId, resumeToken.writeId],
                [META.firstRow, String(rows)],
              ]),
            };
            // Batches in this part: sizes and cursors only, reported committed once it is renamed.
            const inPart: { numRows: number; cursor?: unknown }[] = [];
            let partRows = 0;
            let partBytes = 0;
            writing = join(partial, `${name}.partial`);
            await writePart(writing, settings, async () => {
              if (partRows >= fileRows || partBytes >= fileBytes) return undefined;
              const batch = await pull();
              if (!batch) return undefined;
              inPart.push(batch.cursor !== undefined ? { numRows: batch.numRows, cursor: batch.cursor } : { numRows: batch.numRows });
              partRows += batch.numRows;
              partBytes += batchBytes(batch);
              return arrowBatch(dataset.schema, schema, batch.columns, batch.numRows);
            });
            if (partRows === 0 && index > 0) {
              // The source ended exactly at a part boundary: no empty trailing part.
              await rm(writing, { force: true });
              break;
            }
            await rename(writing, join(partial, name));
            writing = undefined;
            rows += partRows;
            this.current = { partial, committed: rows };
            for (const b of inPart)
              hooks.committed({ numRows: b.numRows, columns: new Map(), ...(b.cursor !== undefined ? { cursor: b.cursor } : {}) });
            index++;
            if (!exhausted) {
              carried = await pull();
              if (!carried) break;
            }
          } while (!exhausted);
          await this.publish(partial, path);
          this.current = undefined;
        } catch (e) {
          if (writing) await rm(writing, { force: true }).catch(() => {});
          // Kept once a part is complete: it is what a resumed run continues. Before that, nothing to keep.
          await this.releaseOrDiscard();
          throw fileWriteFailure(path, e);
        }
        this.written.push(path);
        this.context.logger.info(`wrote ${rows - base} rows to ${path} (${index} part file(s))`);
        return { rows: rows - base };
      },
    };
  }

  /** Rows per row group: `row_group_mb` of the dataset's estimated row size. */
  private rowGroupRows(dataset: DatasetInfo): number {
    return Math.max(1, Math.min(1_000_000, Math.floor((this.options.row_group_mb * MB) / estimatedRowBytes(dataset))));
  }

  /** Renames the complete `.partial` folder into place, setting an existing one aside until then (existing: overwrite). */
  private async publish(partial: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    if (!existsSync(path)) {
      await rename(partial, path);
      return;
    }
    const old = `${path}.old-${randomUUID().slice(0, 8)}`;
    await rename(path, old);
    await rename(partial, path);
    await rm(old, { recursive: true, force: true });
  }

  private async releaseOrDiscard(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (current && current.committed === 0) await rm(current.partial, { recursive: true, force: true }).catch(() => {});
  }

  async finish(): Promise<void> {
    this.context.logger.info(`${this.written.length} Parquet folder(s) written`);
  }

  async close(): Promise<void> {
    // A folder still open here means the run stopped mid-dataset: kept if it holds committed parts.
    try {
      await this.releaseOrDiscard();
    } finally {
      this.locks.releaseAll();
    }
  }
}
