/**
 * `milvusdm run FILE` and `milvusdm --yaml FILE`: load the job, find its two plugins, run it
 * with progress, logs and Ctrl-C handling.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  EXIT_OK,
  defaultRunId,
  errorMessage,
  jobHashOf,
  readRunState,
  stateFileFor,
  FileLock,
  removeRunState,
  type SecretRedactor,
  jobFromDocument,
  loadJobFile,
  parseOptions,
  resolveChannel,
  runJob,
  type ChannelContext,
  type DatasetInfo,
  type JobSpec,
  type RunSummary,
  type VerifyOptions,
} from '@milvusdm/core';
import { setupLogging, type ConsoleMode } from '../logging.js';
import { pluginBases } from '../plugin-bases.js';
import { ProgressView } from '../progress-view.js';
import type { Output } from '../output.js';
import { verifyAndReport } from './verify.js';

export interface RunArgs {
  readonly file: string;
  readonly console: ConsoleMode;
  readonly logDir?: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'error';
  readonly batchRows?: number | undefined;
  /** `--verify`: compare source and target once the run is done (see commands/verify.ts). */
  readonly verify?: VerifyOptions | undefined;
  /** Forget the state of an interrupted run and start over. */
  readonly restart?: boolean | undefined;
  /**
   * A job made by another command (dump, restore) instead of read from `file`: its document, and
   * what `file` then only names (the state file is named after it, in `stateDir`).
   */
  readonly inline?: InlineJob | undefined;
}

export interface InlineJob {
  /** A milvusdm-format job document (never written to disk: it may hold credentials). */
  readonly document: unknown;
  readonly baseDir: string;
  /** Where the state goes (default: the log folder's `state`). */
  readonly stateDir?: string;
  /** Called once every row is written and verified, before the state is removed (e.g. to seal an archive). */
  readonly onDone?: (
    summary: RunSummary,
    datasets: readonly DatasetInfo[],
    recount: () => Promise<readonly DatasetInfo[]>,
  ) => Promise<void>;
}

export async function runCommand(args: RunArgs, out: Output, signal: AbortSignal, redactor: SecretRedactor): Promise<number> {
  const inline = args.inline;
  let job: JobSpec = inline
    ? jobFromDocument(inline.document, undefined, inline.baseDir)
    : await loadJobFile(args.file, { runId: defaultRunId() });
  const bases = pluginBases(job.baseDir);
  // Resolve both plugins before opening anything: a missing plugin must not cost a connection.
  const reader = await resolveChannel('reader', job.source.type, { bases, baseDir: job.baseDir });
  const writer = await resolveChannel('writer', job.target.type, { bases, baseDir: job.baseDir });
  const logs = setupLogging({
    logDir: args.logDir ?? job.run.logDir,
    logsKept: job.run.logsKept,
    fileLevel: args.logLevel,
    console: args.console,
    redactor,
    writeConsole: (line) => out.message(line),
    writeJson: (event) => out.json(event),
  });
  const view = new ProgressView(args.console, process.stderr, (e) => out.json(e));
  out.beforeMessage = () => view.clear();
  const { logger } = logs;
  let jobLock: FileLock | undefined;
  try {
    // The state lives beside the logs unless the job says where; one file per job file.
    const stateDir = inline?.stateDir
      ? inline.stateDir
      : job.run.stateDir !== undefined
        ? resolve(job.baseDir, job.run.stateDir)
        : resolve(logs.logDir, 'state');
    const jobFile = job.file ?? resolve(args.file);
    const stateFile = stateFileFor(stateDir, jobFile);
    // One run of a job at a time: a second would take this one's state for an interrupted run's
    // and write into its output. Taken before the state is read (or removed by --restart).
    if (job.run.lock !== false) {
      jobLock = FileLock.acquire(`${stateFile}.lock`, {
        what: `running the job ${jobFile}`,
        ...(job.run.lockStaleSeconds !== undefined ? { staleSeconds: job.run.lockStaleSeconds } : {}),
        logger,
      });
    }
    const jobHash = inline ? jobHashOf(JSON.stringify(inline.document)) : jobHashOf(await readFile(jobFile));
    const previous = args.restart ? undefined : readRunState(stateFile);
    // A legacy M2H writes into a new folder per run: a resumed run continues the interrupted one's.
    const runId = previous?.jobHash === jobHash && previous.runId ? previous.runId : defaultRunId();
    if (!inline) job = await loadJobFile(args.file, { runId });
    logger.info(`job ${job.file ?? args.file} (${job.format}): ${job.source.type} → ${job.target.type}`);
    logger.debug(`reader from ${reader.from}, writer from ${writer.from}; logs in ${logs.logDir}`);
    for (const note of job.notes) logger.info(`note: ${note}`);
    const context: ChannelContext = { signal, logger, baseDir: job.baseDir, redact: (s) => redactor.add(s) };
    let planned: readonly DatasetInfo[] = [];
    const summary = await runJob({
      reader: reader.plugin,
      readerOptions: job.source.options,
      writer: writer.plugin,
      writerOptions: job.target.options,
      run: args.batchRows ? { ...job.run, batchRows: args.batchRows } : job.run,
      context,
      ...(job.file ? { file: job.file } : {}),
      onEvent: (e) => {
        // Copied as planned: a reader's `rows` may follow the read (the milvus reader's changes: allow).
        if (e.type === 'plan') planned = e.datasets.map(snapshotOf);
        view.handle(e);
      },
      resume: { stateFile, jobHash, restart: args.restart === true, runId, jobFile, removeWhenFinished: false },
    });
    const skipped = summary.datasets.filter((d) => d.skipped).length;
    const resumed = summary.datasets.reduce((n, d) => n + (d.resumedRows ?? 0), 0);
    if (resumed > 0) logger.info(`resumed: ${resumed} of the rows were written by the interrupted run`);
    logger.info(
      `done: ${summary.rows} rows in ${summary.seconds.toFixed(1)} s` +
        `${summary.seconds > 0 ? ` (${Math.round(summary.rows / summary.seconds)} rows/s)` : ''}` +
        `${skipped ? `, ${skipped} dataset(s) skipped` : ''}`,
    );
    const code = args.verify
      ? await verifyAndReport({
          job,
          reader: reader.plugin,
          writer: writer.plugin,
          context,
          options: args.verify,
          console: args.console,
          out,
          redactor,
        })
      : EXIT_OK;
    if (code === EXIT_OK && inline?.onDone) {
      // The source planned again, as it stands now: its datasets with the rows it counts now.
      const recount = async (): Promise<readonly DatasetInfo[]> => {
        const options = parseOptions(reader.plugin.options, job.source.options, 'source', job.file);
        const source = await reader.plugin.open(options, context);
        try {
          return source.datasets.map(snapshotOf);
        } finally {
          await source.close();
        }
      };
      await inline.onDone(summary, planned, recount);
    }
    // Kept (marked finished) until now: a run killed while verifying or reporting is found
    // complete when run again, rather than its target taken for someone else's.
    removeRunState(stateFile);
    return code;
  } catch (e) {
    view.clear();
    // The console gets the error from the CLI's error report; the log file gets it here.
    logs.record('error', errorMessage(e));
    logs.record('debug', `failure detail: ${e instanceof Error ? (e.stack ?? e.message) : errorMessage(e)}`);
    throw e;
  } finally {
    jobLock?.release();
    await logs.close();
  }
}

/** A dataset's description as it is now, detached from the reader (whose `rows` may be a live getter). */
function snapshotOf({ key, collection, partition, schema, origin, rows }: DatasetInfo): DatasetInfo {
  return {
    key,
    collection,
    schema,
    origin,
    ...(partition !== undefined ? { partition } : {}),
    ...(rows !== undefined ? { rows } : {}),
  };
}
