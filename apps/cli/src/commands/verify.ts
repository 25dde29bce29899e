/**
 * `milvusdm verify JOB` (and `run --verify`): compare a job's source with its target — row
 * counts, then every key and value (or a seeded sample) — and print a summary and, with
 * --json, a report naming the first differing keys. Exit 0 when equal, 1 on any difference.
 */
import { readdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  EXIT_OK,
  EXIT_RUN_FAILED,
  ConfigError,
  errorMessage,
  loadJobFile,
  resolveChannel,
  verifyJob,
  type ChannelContext,
  type DatasetVerdict,
  type JobSpec,
  type JobVerdict,
  type ReaderPlugin,
  type SecretRedactor,
  type VerifyOptions,
  type WriterPlugin,
} from '@milvusdm/core';
import { setupLogging, type ConsoleMode } from '../logging.js';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

export interface VerifyArgs {
  readonly file: string;
  readonly console: ConsoleMode;
  readonly logDir?: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'error';
  readonly batchRows?: number | undefined;
  readonly full?: boolean | undefined;
  readonly sample?: number | undefined;
  readonly seed?: number | undefined;
  /** Legacy M2H: the run folder (under data_dir) to verify; default the newest. */
  readonly runId?: string | undefined;
}

/** The comparison the flags ask for; bad combinations are usage errors (exit 2). */
export function verifyOptionsFrom(args: Pick<VerifyArgs, 'full' | 'sample' | 'seed' | 'batchRows'>): VerifyOptions {
  if (args.full && args.sample !== undefined) throw new ConfigError('--full and --sample: choose one');
  if (args.sample !== undefined && (!Number.isSafeInteger(args.sample) || args.sample < 1)) {
    throw new ConfigError(`--sample: expected a positive whole number of keys, got ${args.sample}`);
  }
  if (args.seed !== undefined && (!Number.isSafeInteger(args.seed) || args.seed < 0)) {
    throw new ConfigError(`--seed: expected a whole number of 0 or more, got ${args.seed}`);
  }
  if (args.seed !== undefined && args.sample === undefined) throw new ConfigError('--seed applies to --sample only');
  return {
    mode: args.sample !== undefined ? 'sample' : 'full',
    ...(args.sample !== undefined ? { sample: args.sample, seed: args.seed ?? 0 } : {}),
    ...(args.batchRows !== undefined ? { batchRows: args.batchRows } : {}),
  };
}

const RUN_FOLDER = /^\d{8}-\d{6}-[0-9a-f]+$/;

/** A legacy M2H job writes each run into a new folder under data_dir: verify names one, or the newest. */
async function loadForVerify(file: string, runId: string | undefined): Promise<JobSpec> {
  if (runId !== undefined && !RUN_FOLDER.test(runId))
    throw new ConfigError(`--run-id: "${runId}" is not a run folder name (like 20261125-214200-1a2b)`);
  const probe = await loadJobFile(file, { runId: runId ?? '00000000-000000-0' });
  if (probe.format !== 'legacy-M2H') {
    if (runId !== undefined) throw new ConfigError('--run-id applies to MilvusDM M2H jobs only');
    return probe;
  }
  if (runId !== undefined) return probe;
  const dataDir = dirname(resolve(probe.baseDir, String(probe.target.options['dir'])));
  let runs: string[];
  try {
    runs = (await readdir(dataDir, { withFileTypes: true }))
      .filter((d) => d.isDirectory() && RUN_FOLDER.test(d.name))
      .map((d) => d.name)
      .sort();
  } catch {
    runs = [];
  }
  const newest = runs[runs.length - 1];
  if (!newest)
    throw new ConfigError(`${probe.file ?? file}: M2H.data_dir: ${dataDir} holds no run folder to verify`, {
      hint: 'Run the job first, or give --run-id.',
    });
  return loadJobFile(file, { runId: newest });
}

export async function verifyCommand(args: VerifyArgs, out: Output, signal: AbortSignal, redactor: SecretRedactor): Promise<number> {
  const options = verifyOptionsFrom(args);
  const job = await loadForVerify(args.file, args.runId);
  const bases = pluginBases(job.baseDir);
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
  try {
    logs.logger.info(`verify ${job.file ?? ''} (${job.format}): ${job.source.type} → ${job.target.type}`);
    const context: ChannelContext = { signal, logger: logs.logger, baseDir: job.baseDir, redact: (s) => redactor.add(s) };
    return await verifyAndReport({
      job,
      reader: reader.plugin,
      writer: writer.plugin,
      context,
      options,
      console: args.console,
      out,
      redactor,
    });
  } catch (e) {
    logs.record('error', errorMessage(e));
    throw e;
  } finally {
    await logs.close();
  }
}

export interface VerifyAndReportInput {
  readonly job: JobSpec;
  readonly reader: ReaderPlugin;
  readonly writer: WriterPlugin;
  readonly context: ChannelContext;
  readonly options: VerifyOptions;
  readonly console: ConsoleMode;
  readonly out: Output;
  readonly redactor: SecretRedactor;
}

/** Verifies a loaded job and prints the result; `run --verify` calls this after its run. */
export async function verifyAndReport(input: VerifyAndReportInput): Promise<number> {
  const { job, context, out } = input;
  const bases = pluginBases(job.baseDir);
  const progress = new ProgressLine(input.console === 'human' && process.stderr.isTTY === true);
  out.beforeMessage = () => progress.clear();
  let verdict: JobVerdict;
  try {
    verdict = await verifyJob({
      reader: input.reader,
      readerOptions: job.source.options,
      writer: input.writer,
      writerOptions: job.target.options,
      resolveReader: async (type) => (await resolveChannel('reader', type, { bases, baseDir: job.baseDir })).plugin,
      context,
      file: job.file,
      options: { batchRows: job.run.batchRows, ...input.options, onProgress: (p) => progress.show(p.sourceRows, p.targetRows) },
      onVerdict: (v) => {
        progress.clear();
        context.logger.info(`${v.equal ? 'equal' : 'DIFFERENT'}: ${v.source} → ${v.target}`);
      },
    });
  } finally {
    progress.clear();
  }
  const safe = (s: string) => input.redactor.redact(s);
  if (input.console === 'json')
    out.json(
      JSON.parse(safe(JSON.stringify({ event: 'verify', equal: verdict.equal, datasets: verdict.datasets }))) as Record<string, unknown>,
    );
  else if (input.console === 'human') out.print(safe(humanSummary(verdict)));
  else if (!verdict.equal) out.message(safe(humanSummary(verdict)));
  return verdict.equal ? EXIT_OK : EXIT_RUN_FAILED;
}

const n = new Intl.NumberFormat('en-US');

/** The summary for people: one line per target, then the differences named. */
export function humanSummary(verdict: JobVerdict): string {
  const lines: string[] = [];
  for (const d of verdict.datasets) lines.push(...datasetLines(d));
  const bad = verdict.datasets.filter((d) => !d.equal).length;
  lines.push(
    bad === 0
      ? `verify: source and target are equal (${verdict.datasets.length} target${verdict.datasets.length === 1 ? '' : 's'})`
      : `verify: ${bad} of ${verdict.datasets.length} target(s) differ from the source`,
  );
  return lines.join('\n');
}

function datasetLines(d: DatasetVerdict): string[] {
  const what =
    d.mode === 'sample'
      ? `${n.format(d.sample?.keys ?? 0)} sampled ${d.byKey ? 'keys' : 'rows'} (of ${n.format(d.sample?.requested ?? 0)} asked, seed ${d.sample?.seed ?? 0})`
      : d.byKey
        ? 'every key and value'
        : 'every row, without keys';
  const lines = [`${d.equal ? 'equal' : 'DIFFERENT'}: ${d.source} → ${d.target}`];
  lines.push(`  rows: source ${n.format(d.sourceRows)}, target ${n.format(d.targetRows)}; compared ${what}: ${d.compared.join(', ')}`);
  if (d.differingBuckets) lines.push(`  ${n.format(d.differingBuckets)} of ${n.format(d.buckets ?? 0)} key buckets differ`);
  for (const note of d.notes) lines.push(`  note: ${note}`);
  for (const x of d.differences) {
    const counts = `source ${x.sourceRows}, target ${x.targetRows}`;
    const who = d.byKey ? `${d.keyField ?? 'key'} ${x.key}` : x.key;
    lines.push(`  ${x.kind} ${who} (${counts})${x.fields?.length ? `: ${x.fields.join(', ')} differ` : ''}`);
  }
  if (d.moreDifferences) lines.push('  … more differences exist than are listed');
  return lines;
}

/** `verifying: N source rows, M target rows` redrawn in place on a terminal, at most 4 times a second. */
class ProgressLine {
  private last = 0;
  private drawn = false;
  constructor(private readonly enabled: boolean) {}
  show(source: number, target: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 250) return;
    this.last = now;
    process.stderr.write(`\r\u001b[2Kverifying: ${n.format(source)} source rows, ${n.format(target)} target rows`);
    this.drawn = true;
  }
  clear(): void {
    if (!this.drawn) return;
    process.stderr.write('\r\u001b[2K');
    this.drawn = false;
  }
}
