/**
 * The HDF5 writer: one file per collection partition in the MilvusDM layout (`embeddings`,
 * `ids`) extended with a dataset (or a few) per other field and the schema as an attribute
 * (layout.ts), written to `<file>.partial` and renamed only once complete, so a failed run never
 * leaves a file that looks whole.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  MilvusdmError,
  OutputLocks,
  asMilvusdmError,
  ensureFreeSpace,
  fileWriteFailure,
  estimatedRowBytes,
  schemaToJson,
  vectorFields,
  type ChannelContext,
  type BeginOptions,
  type DatasetInfo,
  type DatasetWriter,
  type ResumeInfo,
  type SkippedDataset,
  type WriterSink,
} from '@milvusdm/core';
import { GrowingFile } from './h5-out.js';
import { h2mJobYaml } from './h2m-yaml.js';
import { LAYOUT_ATTR, LAYOUT_VERSION, SCHEMA_ATTR, embeddingsField, fileLayout } from './layout.js';
import type { Hdf5WriterOptions } from './options.js';

const SAFE = /[^A-Za-z0-9_.-]/g;

/** At most this long between two flushes of the file (each is an fsync). */
const FLUSH_INTERVAL_MS = flushInterval(process.env['MILVUSDM_STATE_SAVE_MS']);

/**
 * A sync starts at least every this many bytes appended, so the disk writes back while the run
 * goes on and the last sync, which the run waits for, has little left (one at the end of a
 * 496 MiB file took 0.2–0.3 s of the run's ~1.2 s).
 */
const SYNC_EVERY_BYTES = 64 * 1024 * 1024;

/** 1 s, or $MILVUSDM_STATE_SAVE_MS (10 to 60000), the same pacing as the run's resume state. */
function flushInterval(value: string | undefined): number {
  const n = Number(value);
  return value !== undefined && Number.isInteger(n) && n >= 10 && n <= 60_000 ? n : 1000;
}

/** What a resumed run needs to find and trust the `.partial` file. */
interface Hdf5ResumeToken {
  readonly path: string;
  /** Also stored in the file: tells this run's file from any other at the same path. */
  readonly writeId: string;
}

export class Hdf5Sink implements WriterSink {
  private readonly dir: string;
  private open: { file: GrowingFile; partial: string } | undefined;
  private readonly written: string[] = [];
  /** Another run writing the same output is refused (OutputLocks). */
  private readonly locks: OutputLocks;

  constructor(
    private readonly options: Hdf5WriterOptions,
    private readonly context: ChannelContext,
  ) {
    this.locks = new OutputLocks(context);
    this.dir = resolve(context.baseDir, options.dir);
  }

  async begin(dataset: DatasetInfo, options: BeginOptions = {}): Promise<DatasetWriter | SkippedDataset> {
    const partition = dataset.partition ?? '_default';
    const path = join(this.dir, dataset.collection.replace(SAFE, '_'), `${partition.replace(SAFE, '_')}.h5`);
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
   * Writes the dataset's `.partial` file from its first row. `writeId` names this job's file: a
   * new one for a new dataset; on resume, the one the run's state recorded (the state keeps the
   * token a dataset was first begun with, and a later resume must find the file it names).
   */
  private async create(dataset: DatasetInfo, path: string, writeId: string): Promise<DatasetWriter> {
    const partition = dataset.partition ?? '_default';
    const layouts = fileLayout(dataset.schema, dataset.origin);
    await mkdir(dirname(path), { recursive: true }).catch((e: unknown) => {
      // A file-system refusal names the folder and the reason in words (MDM_IO).
      throw asMilvusdmError(e);
    });
    // Refused before the file exists when even the fixed-width columns cannot fit.
    if (dataset.rows !== undefined) {
      await ensureFreeSpace(dirname(path), dataset.rows * estimatedRowBytes(dataset.schema), `${dataset.origin} (${dataset.rows} rows)`);
    }
    const partial = `${path}.partial`;
    const file = await GrowingFile.create(partial, this.options.compression, this.context.run?.batchRows);
    this.open = { file, partial };
    try {
      file.setWriteId(writeId);
      for (const layout of layouts) file.addField(layout);
      // The seed's readers know one metric: the `embeddings` vectors'.
      const vector = embeddingsField(dataset.schema) ?? vectorFields(dataset.schema)[0];
      if (vector?.metric) file.setAttribute('metric', vector.metric);
      file.setAttribute('collection', dataset.collection);
      file.setAttribute('partition', partition);
      // The whole schema, so a reader restores every field and property, not just ids and vectors.
      file.setAttribute(LAYOUT_ATTR, LAYOUT_VERSION);
      file.setAttribute(SCHEMA_ATTR, schemaToJson(dataset.schema));
      file.flush();
    } catch (e) {
      await this.discard();
      throw e;
    }
    return this.fileWriter(dataset, path, file, { path, writeId }, 0);
  }

  /**
   * Continues the `.partial` file an interrupted run left, cut back to the rows it recorded as
   * committed. If that run got as far as renaming it, the finished file is taken as it is.
   */
  private async resumeDataset(dataset: DatasetInfo, path: string, resume: ResumeInfo): Promise<DatasetWriter | SkippedDataset> {
    const token = resume.token as Partial<Hdf5ResumeToken> | undefined;
    if (!token || token.path !== path || typeof token.writeId !== 'string') {
      throw new MilvusdmError('MDM_RESUME', `${path}: the resume state does not describe this output file`, {
        hint: 'Run again with --restart to start over.',
      });
    }
    const partial = `${path}.partial`;
    const layouts = fileLayout(dataset.schema, dataset.origin);
    if (resume.complete || (!existsSync(partial) && existsSync(path))) {
      // Renamed only once complete: a finished file of this run holds every row, including any
      // the state had not caught up with when the run stopped; those are read but not written.
      const done = await GrowingFile.reopen(path, this.options.compression, layouts, token.writeId, resume.rows, false);
      const rows = done.rowCount;
      done.close();
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
          await this.writeH2mJob(dataset, path);
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
    const file = await GrowingFile.reopen(partial, this.options.compression, layouts, token.writeId, resume.rows);
    this.open = { file, partial };
    this.context.logger.info(`${partial}: continuing after row ${resume.rows}`);
    return this.fileWriter(dataset, path, file, { path, writeId: token.writeId }, resume.rows);
  }

  private fileWriter(dataset: DatasetInfo, path: string, file: GrowingFile, resumeToken: Hdf5ResumeToken, base: number): DatasetWriter {
    const partial = `${path}.partial`;
    return {
      resumeToken,
      // A file keeps NaN and ±Inf bit for bit: the run need not look for them.
      storesNonFinite: true,
      // Renamed from .partial only after the last batch: repeated keys may be looked for then.
      publishesAtEnd: true,
      write: async (batches, hooks) => {
        let committed = base;
        // Batches appended since the last sync began, reported committed (each, in order) once
        // a sync that began after them has ended. Only sizes and cursors are kept: the rows
        // themselves are in the file already.
        let pending: { numRows: number; cursor?: unknown }[] = [];
        let lastSync = performance.now();
        let bytesAtSync = file.bytesAppended;
        // One sync at a time runs on libuv's threads while batches go on being appended.
        let syncing: Promise<void> | undefined;
        let syncFailure: { error: unknown } | undefined;
        const report = (done: readonly { numRows: number; cursor?: unknown }[]) => {
          for (const b of done)
            hooks.committed({ numRows: b.numRows, columns: new Map(), ...(b.cursor !== undefined ? { cursor: b.cursor } : {}) });
          committed += done.reduce((n, b) => n + b.numRows, 0);
        };
        const startSync = () => {
          if (pending.length === 0 || syncing) return;
          file.writeMetadata();
          const covered = pending;
          pending = [];
          lastSync = performance.now();
          bytesAtSync = file.bytesAppended;
          syncing = file.syncToDisk().then(
            () => report(covered),
            (e: unknown) => {
              syncFailure = { error: e };
            },
          );
          void syncing.finally(() => {
            syncing = undefined;
          });
        };
        /** Waits for the sync in flight; throws what it failed with. */
        const settle = async () => {
          while (syncing) await syncing;
          if (syncFailure) throw syncFailure.error;
        };
        try {
          for await (const batch of batches) {
            if (syncFailure) throw syncFailure.error;
            file.append(batch.numRows, batch.columns);
            pending.push(batch.cursor !== undefined ? { numRows: batch.numRows, cursor: batch.cursor } : { numRows: batch.numRows });
            if (performance.now() - lastSync >= FLUSH_INTERVAL_MS || file.bytesAppended - bytesAtSync >= SYNC_EVERY_BYTES) startSync();
          }
          await settle();
          startSync();
          await settle();
          file.close();
          this.open = undefined;
          await rename(partial, path);
        } catch (e) {
          // Rows appended before the failure are whole: make them durable for a resumed run.
          try {
            await settle();
          } catch {
            // Reported below; the batches that sync covered are written again by a resumed run.
          }
          try {
            if (!syncFailure && pending.length > 0) {
              file.flush();
              report(pending);
              pending = [];
            }
          } catch {
            // The failure itself is reported below; the state keeps what was committed before.
          }
          // Kept once a row is committed: it is what a resumed run continues. Before that, nothing to keep.
          if (committed > 0) this.release();
          else await this.discard();
          throw fileWriteFailure(path, e);
        }
        this.written.push(path);
        this.context.logger.info(`wrote ${file.rowCount} rows to ${path}`);
        await this.writeH2mJob(dataset, path);
        return { rows: file.rowCount - base };
      },
    };
  }

  private async writeH2mJob(dataset: DatasetInfo, h5Path: string): Promise<void> {
    if (!this.options.h2m_yaml) return;
    const partition = dataset.partition && dataset.partition !== '_default' ? dataset.partition : undefined;
    const text = h2mJobYaml({
      h5Path,
      collection: dataset.collection,
      partition,
      schema: dataset.schema,
      host: this.options.yaml_host,
      port: this.options.yaml_port,
    });
    if (!text) {
      this.context.logger.info(`no H2M job for ${h5Path}: its fields do not fit the MilvusDM H2M format (one int64 id, one vector)`);
      return;
    }
    const yamlPath = join(
      this.dir,
      'yamls',
      dataset.collection.replace(SAFE, '_'),
      `${(dataset.partition ?? '_default').replace(SAFE, '_')}.yaml`,
    );
    await mkdir(dirname(yamlPath), { recursive: true });
    await writeFile(yamlPath, text);
  }

  /** Closes the partial file and keeps it, for a resumed run. */
  private release(): void {
    if (!this.open) return;
    const { file } = this.open;
    this.open = undefined;
    try {
      file.close();
    } catch {
      // What was flushed is on disk; a failed close loses nothing committed.
    }
  }

  private async discard(): Promise<void> {
    if (!this.open) return;
    const { file, partial } = this.open;
    this.open = undefined;
    try {
      file.close();
    } catch {
      // The file is removed next; a failed close changes nothing.
    }
    await rm(partial, { force: true });
  }

  async finish(): Promise<void> {
    this.context.logger.info(`${this.written.length} HDF5 file(s) in ${this.dir}`);
  }

  async close(): Promise<void> {
    // An open file here means the run stopped mid-dataset: keep it for a resumed run.
    this.release();
    this.locks.releaseAll();
  }
}
