/**
 * The command line. Thin by design: it parses arguments, finds plugins and hands a job to the
 * core runner. Returns the exit code: 0 done, 1 the run failed, 2 bad job file or usage.
 */
import yargs from 'yargs';
import { EXIT_RUN_FAILED, EXIT_USAGE, MilvusdmError, SecretRedactor, asMilvusdmError, errorMessage, isMilvusdmError } from '@milvusdm/core';
import { cleanupCommand } from './commands/cleanup.js';
import { inspectCommand } from './commands/inspect.js';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand, type RunArgs } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
import { verifyCommand, verifyOptionsFrom } from './commands/verify.js';
import type { ConsoleMode } from './logging.js';
import { Output } from './output.js';

class UsageError extends MilvusdmError {
  constructor(message: string) {
    super('MDM_CONFIG', message, { exitCode: EXIT_USAGE, hint: 'Run milvusdm --help for usage.' });
  }
}

interface GlobalArgs {
  quiet?: boolean | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
  'log-dir'?: string | undefined;
  'log-level'?: 'debug' | 'info' | 'error' | undefined;
  'batch-rows'?: number | undefined;
  verify?: boolean | undefined;
  full?: boolean | undefined;
  sample?: number | undefined;
  seed?: number | undefined;
}

/** --full, --sample and --seed say how to verify: without --verify they would be ignored silently. */
function noVerifyFlags(a: GlobalArgs): undefined {
  if (a.full || a.sample !== undefined || a.seed !== undefined) throw new UsageError('--full, --sample and --seed apply to verify and run --verify');
  return undefined;
}

/** The comparison `--verify` / `verify` asks for (commands/verify.ts checks the flags). */
function verifyFlags(a: GlobalArgs) {
  return verifyOptionsFrom({ full: a.full, sample: a.sample, seed: a.seed, batchRows: a['batch-rows'] });
}

/** `--batch-rows` as the job's `run.batch_rows` accepts it: a whole number from 1 to 1,000,000. */
function batchRowsArg(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new UsageError(`--batch-rows: expected a whole number from 1 to 1000000, got ${JSON.stringify(Array.isArray(value) ? value : String(value))}`);
  }
  return n;
}

function consoleMode(a: GlobalArgs): ConsoleMode {
  return a.json ? 'json' : a.quiet ? 'quiet' : 'human';
}

function runArgs(file: string, a: GlobalArgs): RunArgs {
  return {
    file,
    console: consoleMode(a),
    logDir: a['log-dir'],
    logLevel: a['log-level'] ?? 'debug',
    batchRows: a['batch-rows'],
    verify: a.verify ? verifyFlags(a) : noVerifyFlags(a),
  };
}

/** Prints an error as one line (plus hint), masking secrets; the cause chain under --verbose. */
export function reportError(thrown: unknown, out: Output, redactor: SecretRedactor, verbose: boolean, json: boolean): number {
  // File-system errors become MDM_IO with the path in words; SDK status objects keep their reason.
  const e = asMilvusdmError(thrown);
  const known = e.code !== 'MDM_INTERNAL';
  const code = e.code;
  const message = redactor.redact(errorMessage(e));
  const hint = e.hint ? redactor.redact(e.hint) : undefined;
  if (json) out.json({ event: 'error', code, message, ...(hint ? { hint } : {}) });
  out.message(`error ${code}: ${message}`);
  if (hint) out.message(`hint: ${hint}`);
  if (verbose) {
    let cause = (e as { cause?: unknown }).cause;
    while (cause) {
      out.message(`  caused by: ${redactor.redact(errorMessage(cause))}`);
      cause = (cause as { cause?: unknown }).cause;
    }
    if (!known && thrown instanceof Error && thrown.stack) out.message(redactor.redact(thrown.stack));
  }
  return known ? e.exitCode : EXIT_RUN_FAILED;
}

export async function main(argv: readonly string[], signal: AbortSignal, out = new Output()): Promise<number> {
  const redactor = new SecretRedactor();
  let verbose = argv.includes('--verbose');
  let json = argv.includes('--json');
  let result: Promise<number> | undefined;
  const parser = yargs([...argv])
    .scriptName('milvusdm')
    .usage('$0 run JOB.yaml | $0 --yaml MILVUSDM_JOB.yaml | $0 plugins')
    .option('yaml', { type: 'string', describe: 'Run a job file in the original MilvusDM format (H2M, F2M, M2M, M2H)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only errors' })
    .option('json', { type: 'boolean', describe: 'Print JSON lines (progress, results, errors) on stdout' })
    .option('verbose', { type: 'boolean', describe: 'Print the cause of errors' })
    .option('log-dir', { type: 'string', describe: 'Folder for daily log files (default $MILVUSDM_PATH/logs or ~/milvusdm/logs)' })
    .option('log-level', { choices: ['debug', 'info', 'error'] as const, describe: 'Lowest level written to log files (default debug)' })
    .option('batch-rows', { type: 'number', describe: 'Rows per batch read from the source', coerce: batchRowsArg })
    .option('verify', { type: 'boolean', describe: 'run: compare source and target (every key and value) after the run' })
    .option('full', { type: 'boolean', describe: 'verify: compare every row (the default)' })
    .option('sample', { type: 'number', describe: 'verify: compare N keys drawn by a seeded hash instead of every row' })
    .option('seed', { type: 'number', describe: 'verify: seed of the --sample draw (default 0)' })
    .command(
      'run <file>',
      'Run a job file (milvusdm format, or a MilvusDM one)',
      (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Job file' }),
      (a) => {
        result = runCommand(runArgs(a.file, a), out, signal, redactor);
      },
    )
    .command(
      'verify [file]',
      'Compare a job\'s source and target: row counts, then every key and value (exit 1 on any difference)',
      (y) =>
        y
          .positional('file', { type: 'string', describe: 'Job file (or --yaml FILE)' })
          .option('run-id', { type: 'string', describe: 'MilvusDM M2H jobs: the run folder to verify (default the newest)' }),
      (a) => {
        const file = a.file ?? a.yaml;
        if (!file) throw new UsageError('verify: give a job file (or --yaml FILE)');
        if (a.verify) throw new UsageError('--verify applies to run; verify always verifies');
        const common = { file, console: consoleMode(a), logDir: a['log-dir'], logLevel: a['log-level'] ?? 'debug', batchRows: a['batch-rows'] } as const;
        result = verifyCommand({ ...common, full: a.full, sample: a.sample, seed: a.seed, runId: a['run-id'] }, out, signal, redactor);
      },
    )
    .command(
      'plugins',
      'List installed channel plugins (without loading them)',
      (y) => y,
      (a) => {
        result = pluginsCommand(a.json === true, out);
      },
    )
    .command(
      'inspect <target>',
      'Describe an input file or folder (Faiss index, Milvus 1.x directory, …) without migrating it',
      (y) => y.positional('target', { type: 'string', demandOption: true }),
      (a) => {
        result = inspectCommand(a.target, a.json === true, out, signal, redactor);
      },
    )
    .command(
      'cleanup <file>',
      "List what interrupted runs left at a job's target (staging collections, stale locks); --apply removes them",
      (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Job file' }).option('apply', { type: 'boolean', describe: 'Remove (or restore) what is listed' }),
      (a) => {
        result = cleanupCommand(a.file, a.apply === true, a.json === true, out, signal, redactor);
      },
    )
    .command(
      'schema',
      'Print the JSON Schema of job files for the installed plugins',
      (y) => y,
      () => {
        result = schemaCommand(out);
      },
    )
    .command(
      '$0',
      false,
      (y) => y,
      (a) => {
        if (a.yaml) result = runCommand(runArgs(a.yaml, a), out, signal, redactor);
        else throw new UsageError('give a command (run, inspect, plugins, schema) or --yaml FILE');
      },
    )
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs re-wraps errors thrown by an option's coerce: keep their words, as a usage error.
      throw isMilvusdmError(error) ? error : new UsageError(error?.message ?? message);
    })
    .help()
    .version(false);
  try {
    const parsed = await parser.parseAsync();
    verbose = parsed.verbose === true;
    json = parsed.json === true;
    return result ? await result : 0;
  } catch (e) {
    return reportError(e, out, redactor, verbose, json);
  }
}
