/**
 * The dataset writer of the bulk-import path. The rows are cut into files of `import_file_rows`
 * rows; each file is written as Parquet in the layout bulk import reads (the Parquet writer's
 * own encoding), put where the server reads it, imported as one job, and only when the server
 * says that job completed with exactly the file's rows are its batches reported committed. So
 * the run's state never counts a row the server has not imported.
 *
 * Resume (kill -9 anywhere): the state records the files imported (the token's `files`, saved
 * with the rows they committed). A job started just before the kill is found again on the
 * server by its file name (the folder carries this run's id); the resumed run waits for it to
 * end, and if it completed, the rows it imported are passed over, not imported again.
 */
import {
  MilvusdmError,
  estimatedRowBytes,
  sliceBatch,
  type ColumnBatch,
  type CollectionSchema,
  type DatasetWriter,
  type Logger,
  type ResumeInfo,
  type WriteHooks,
} from '@milvusdm/core';
import { arrowBatch, arrowSchema, emptyColumns, scalarColumns, writePart } from '@milvusdm/writer-parquet';
import { copyFile } from 'node:fs/promises';
import { skipRows } from '../insert-stream.js';
import type { MilvusResumeToken } from '../resume-plan.js';
import type { ImportApi, ImportTarget, JobState, KnownJob } from './jobs.js';
import type { ImportStorage } from './storage.js';
import { importTokenOf, type ImportToken } from './import-token.js';

export { importTokenOf, type ImportToken, type ImportedFile } from './import-token.js';

export type ImportResumeToken = MilvusResumeToken & { import: ImportToken };

export interface ImportWriterArgs {
  readonly api: ImportApi;
  readonly storage: ImportStorage;
  readonly target: ImportTarget;
  /** The schema of the batches (the dataset's). */
  readonly schema: CollectionSchema;
  readonly targetSchema: CollectionSchema;
  readonly existingKeys?: DatasetWriter['existingKeys'];
  /** The insert path's token fields; `import` is added. */
  readonly token: MilvusResumeToken;
  readonly folder: string;
  readonly before: number | undefined;
  readonly resume: ResumeInfo | undefined;
  readonly fileRows: number;
  readonly pollMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Counts the target (collection or partition) the exact way the insert path does. */
  readonly count: () => Promise<number | undefined>;
  /**
   * The rows a query sees (count(*), strong consistency) when the target is loaded, else
   * undefined. On Milvus 2.3 a loaded collection shows imported rows only once the query nodes
   * have loaded the new segments, seconds after the job completed.
   */
  readonly queryable?: () => Promise<number | undefined>;
  /** The source's own Parquet files (milvusdm's layout), imported as they are instead of re-encoded. */
  readonly sourceFiles?: readonly { readonly path: string; readonly rows: number }[] | undefined;
  /** Told of each committed batch's rows (the sink's tally for an overwrite swap). */
  readonly committedRows: (rows: number) => void;
}

const PART = /part-(\d{12})\.parquet$/;
const MB = 1024 * 1024;

export function importFileName(folder: string, first: number): string {
  return `${folder}/part-${String(first).padStart(12, '0')}.parquet`;
}

/**
 * How far from `from` the rows are already imported: the files the state recorded, and jobs
 * the server completed on this run's files (the one in flight at a kill).
 */
export function importedThrough(from: number, ranges: readonly { first: number; rows: number }[]): number {
  let pos = from;
  for (let moved = true; moved;) {
    moved = false;
    for (const r of ranges) {
      if (r.rows > 0 && r.first <= pos && pos < r.first + r.rows) {
        pos = r.first + r.rows;
        moved = true;
      }
    }
  }
  return pos;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new MilvusdmError('MDM_ABORTED', 'the run was interrupted'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new MilvusdmError('MDM_ABORTED', 'the run was interrupted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function importWriter(args: ImportWriterArgs): DatasetWriter {
  const { api, storage, target, logger } = args;
  const where = `"${target.collection}"${target.partition ? ` partition "${target.partition}"` : ''}`;
  // On resume, the state's own token object: what is added to it is saved with the next commit.
  const resumed = args.resume ? importTokenOf(args.resume.token) : undefined;
  const token: ImportResumeToken = resumed
    ? (args.resume!.token as ImportResumeToken)
    : { ...args.token, import: { folder: args.folder, files: [] } };
  const folder = token.import.folder;

  /** Waits for a job to end, saying how it goes about every 5 s; resolves with its last state. */
  const follow = async (job: string, file: string, rows: number | undefined): Promise<JobState> => {
    let said = performance.now();
    let lastPhase = '';
    try {
      for (;;) {
        const state = await api.state(job);
        if (state.phase === 'completed' || state.phase === 'failed') return state;
        const now = performance.now();
        if (state.phase !== lastPhase || now - said >= 5000) {
          logger.info(
            `${where}: import of ${file}${rows !== undefined ? ` (${rows} rows)` : ''}: ${state.phase}${state.progress !== undefined ? ` ${state.progress}%` : ''}`,
          );
          said = now;
          lastPhase = state.phase;
        }
        await sleep(args.pollMs, args.signal);
      }
    } catch (e) {
      // Interrupted (or the server stopped answering) while the job runs: it is the server's now.
      logger.warn(
        `${where}: import job ${job} of ${file} goes on at the server; running the same job again waits for it and does not import its rows twice`,
      );
      throw e;
    }
  };

  const failure = (file: string, job: string, state: JobState, imported: number) =>
    new MilvusdmError(
      'MDM_TARGET',
      `${api.name} of ${file} into ${where} failed (job ${job}): ${state.reason ?? 'the server gave no reason'}; the target holds the ${imported} rows of the files imported before it and none of this file's`,
      {
        hint: 'Nothing of the failed file was imported. Fix the cause and run the same job again to continue after the rows already imported.',
      },
    );

  /** On resume: rows after `from` that are imported already (waiting for a job still running at the server). */
  const alreadyImported = async (from: number): Promise<number> => {
    const ranges: { first: number; rows: number }[] = token.import.files.map((f) => ({ first: f.first, rows: f.rows }));
    const jobs: readonly KnownJob[] = await api.list(target);
    for (const job of jobs) {
      const file = job.files.find((f) => f.includes(`${folder}/part-`));
      const m = file ? PART.exec(file) : null;
      if (!file || !m) continue;
      const first = Number(m[1]);
      // Recorded already (its rows are in `ranges`).
      if (token.import.files.some((f) => f.first === first)) continue;
      let state = job.state;
      if (state.phase === 'pending' || state.phase === 'running') {
        logger.info(`${where}: import job ${job.id} of ${file}, started by the interrupted run, is still running: waiting for it`);
        state = await follow(job.id, file, undefined);
      }
      // The interrupted run could not remove its file once the job ended.
      await storage.remove(importFileName(folder, first)).catch(() => {});
      if (state.phase === 'completed' && state.rows !== undefined) {
        ranges.push({ first, rows: state.rows });
        token.import.files.push({ name: file, first, rows: state.rows, job: job.id });
      }
    }
    return importedThrough(from, ranges) - from;
  };

  return {
    targetSchema: args.targetSchema,
    ...(args.existingKeys ? { existingKeys: args.existingKeys } : {}),
    resumeToken: token,
    write: async (batches, outer) => {
      const hooks: WriteHooks = {
        committed: (b: ColumnBatch) => {
          args.committedRows(b.numRows);
          outer.committed(b);
        },
      };
      const base = args.resume?.rows ?? 0;
      const skip = args.resume ? await alreadyImported(base) : 0;
      if (skip > 0) logger.info(`${where}: ${skip} rows were imported by the interrupted run; not imported again`);
      const skipped = { rows: 0 };
      const source = skipRows(batches, skip, hooks, skipped)[Symbol.asyncIterator]();
      let carried: ColumnBatch | undefined;
      const pull = async (): Promise<ColumnBatch | undefined> => {
        if (carried) {
          const b = carried;
          carried = undefined;
          return b;
        }
        for (;;) {
          const next = await source.next();
          if (next.done) return undefined;
          if (next.value.numRows > 0) return next.value;
        }
      };
      /** The next batch, cut so that at most `room` rows come (the rest is carried to the next file). */
      const pullUpTo = async (room: number): Promise<ColumnBatch | undefined> => {
        if (room <= 0) return undefined;
        const b = await pull();
        if (!b || b.numRows <= room) return b;
        carried = sliceBatch(b, room, b.numRows);
        return sliceBatch(b, 0, room);
      };
      let imported = 0;
      // The dataset's row index of the next file's first row: after the rows recorded and those passed over.
      const first = base + skip;
      /** First row of the next file to write. */
      let next = first;

      /** Imports one file that is in place, and commits its batches once the server has every row. */
      const importOne = async (
        fileFirst: number,
        rows: number,
        inFile: readonly { numRows: number; cursor?: unknown }[],
        serverName: string,
        name: string,
      ) => {
        const job = await api.start(target, [serverName]);
        logger.info(`${where}: importing ${serverName} (${rows} rows) by ${api.name}, job ${job}`);
        const state = await follow(job, serverName, rows);
        if (state.phase === 'failed') {
          await storage.remove(name).catch(() => {});
          throw failure(serverName, job, state, fileFirst);
        }
        if (state.rows !== undefined && state.rows !== rows) {
          throw new MilvusdmError(
            'MDM_VERIFY',
            `${where}: import job ${job} of ${serverName} reports ${state.rows} rows imported; the file holds ${rows}`,
          );
        }
        token.import.files.push({ name: serverName, first: fileFirst, rows, job });
        imported += rows;
        await storage.remove(name).catch((e: unknown) => logger.warn(`could not remove ${name} from ${storage.describe}: ${String(e)}`));
        for (const b of inFile)
          hooks.committed({ numRows: b.numRows, columns: new Map(), ...(b.cursor !== undefined ? { cursor: b.cursor } : {}) });
      };
      // One import job at a time, in row order; the next file is written while the server imports this one.
      let inFlight: Promise<void> | undefined;
      const enqueue = async (rows: number, inFile: readonly { numRows: number; cursor?: unknown }[], serverName: string, name: string) => {
        const fileFirst = next;
        next += rows;
        try {
          if (inFlight) await inFlight;
        } catch (e) {
          // The previous file failed: this one is not imported.
          await storage.remove(name).catch(() => {});
          throw e;
        }
        inFlight = importOne(fileFirst, rows, inFile, serverName, name);
        inFlight.catch(() => {});
      };
      const note = (b: ColumnBatch, inFile: { numRows: number; cursor?: unknown }[]) =>
        inFile.push(b.cursor !== undefined ? { numRows: b.numRows, cursor: b.cursor } : { numRows: b.numRows });

      try {
        if (args.sourceFiles) {
          // The source's own Parquet files, already in the layout import reads: copied as they are.
          let offset = 0;
          let index = 0;
          while (index < args.sourceFiles.length && offset < first) offset += args.sourceFiles[index++]!.rows;
          if (offset !== first) {
            throw new MilvusdmError(
              'MDM_RESUME',
              `${where}: row ${first}, where the import goes on, is not at the start of a source file`,
              {
                hint: 'Run again with --restart to start over.',
              },
            );
          }
          for (const file of args.sourceFiles.slice(index)) {
            const inFile: { numRows: number; cursor?: unknown }[] = [];
            let rows = 0;
            // The rows are still read: the runner checks and counts them, and the state follows them.
            for (let b = await pullUpTo(file.rows); b; b = await pullUpTo(file.rows - rows)) {
              note(b, inFile);
              rows += b.numRows;
            }
            if (rows !== file.rows) {
              throw new MilvusdmError('MDM_SOURCE', `${file.path}: ${rows} rows came from it, its footer says ${file.rows}`);
            }
            if (rows === 0) continue;
            const name = importFileName(folder, next);
            const serverName = await storage.put(name, (path) => copyFile(file.path, path));
            await enqueue(rows, inFile, serverName, name);
          }
          if (await pull()) throw new MilvusdmError('MDM_SOURCE', `${where}: the source holds more rows than its files' footers say`);
        } else {
          const schema = arrowSchema(args.schema);
          const rowGroupRows = Math.max(1, Math.min(1_000_000, Math.floor((64 * MB) / Math.max(1, estimatedRowBytes(args.schema)))));
          for (let batch = await pull(); batch; batch = await pull()) {
            carried = batch;
            const name = importFileName(folder, next);
            const inFile: { numRows: number; cursor?: unknown }[] = [];
            let rows = 0;
            const serverName = await storage.put(name, (path) =>
              writePart(
                path,
                {
                  schema,
                  codec: 'snappy',
                  rowGroupRows,
                  scalarColumns: scalarColumns(args.schema),
                  empty: () => arrowBatch(args.schema, schema, emptyColumns(args.schema), 0),
                  metadata: new Map([['milvusdm.first_row', String(next)]]),
                },
                async () => {
                  // Files end exactly at import_file_rows: the rest of a batch opens the next file.
                  const b = await pullUpTo(args.fileRows - rows);
                  if (!b) return undefined;
                  note(b, inFile);
                  rows += b.numRows;
                  return arrowBatch(args.schema, schema, b.columns, b.numRows);
                },
              ),
            );
            await enqueue(rows, inFile, serverName, name);
          }
        }
        if (inFlight) await inFlight;
      } finally {
        // A failure while the next file was written: the job in flight is still seen through (and committed).
        if (inFlight) await inFlight.catch(() => {});
      }
      const written = imported + skipped.rows;
      if (args.before !== undefined) {
        const after = await args.count();
        if (after === undefined) throw new MilvusdmError('MDM_VERIFY', `${where} cannot be counted back after importing`);
        const expected = args.before + base + written;
        if (after !== expected) {
          throw new MilvusdmError(
            'MDM_VERIFY',
            `${where} holds ${after} rows after importing ${base + written}${base > 0 ? ` (${base} of them by the interrupted run)` : ''} to ${args.before}: expected ${expected}`,
          );
        }
      }
      if (args.before !== undefined && args.queryable) {
        await untilQueryable(args.queryable, args.before + base + written, where, logger, args.signal);
      }
      // Verified only when the target could be counted before the import (an existing collection
      // without an index cannot be counted on Milvus 2.3 until it is indexed and loaded).
      const proof = args.before !== undefined ? 'row count verified' : 'row count not verified (the target could not be counted before)';
      logger.info(`${where}: ${written} rows imported in ${token.import.files.length} file(s) by ${api.name}; ${proof}`);
      return { rows: written };
    },
  };
}

/** How long imported rows may take to become visible to queries before the run says so. */
const QUERYABLE_WITHIN_MS = 120_000;

/**
 * Waits until a loaded target shows every imported row to queries, so a run that says "done"
 * is not followed by queries that miss rows. Past the limit the rows are stored (the count
 * above proved it) but not yet visible: said in one warning rather than failed.
 */
async function untilQueryable(
  queryable: () => Promise<number | undefined>,
  expected: number,
  where: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  let seen = await queryable();
  if (seen === undefined || seen === expected) return;
  logger.info(`${where}: waiting for the server to load the imported segments (${seen} of ${expected} rows visible to queries)`);
  while (seen !== undefined && seen !== expected && Date.now() - started < QUERYABLE_WITHIN_MS) {
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, 500));
    seen = await queryable();
  }
  if (seen !== undefined && seen !== expected) {
    logger.warn(
      `${where}: all ${expected} rows are stored, but after ${QUERYABLE_WITHIN_MS / 1000} s queries see ${seen}: the server is still loading the imported segments`,
    );
  }
}
