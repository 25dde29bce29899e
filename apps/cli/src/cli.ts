/**
 * The command line. Thin by design: it parses arguments, finds plugins and hands a job to the
 * core runner. Returns the exit code: 0 done, 1 the run failed, 2 bad job file or usage.
 */
import yargs from 'yargs';
import { EXIT_RUN_FAILED, EXIT_USAGE, MilvusdmError, SecretRedactor, errorMessage, isMilvusdmError } from '@milvusdm/core';
import { inspectCommand } from './commands/inspect.js';
import { pluginsCommand } from './commands/plugins.js';
import { runCommand, type RunArgs } from './commands/run.js';
import { schemaCommand } from './commands/schema.js';
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
  restart?: boolean | undefined;
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
    restart: a.restart,
  };
}

/** Prints an error as one line (plus hint), masking secrets; the cause chain under --verbose. */
export function reportError(e: unknown, out: Output, redactor: SecretRedactor, verbose: boolean, json: boolean): number {
  const known = isMilvusdmError(e);
  const code = known ? e.code : 'MDM_INTERNAL';
  const message = redactor.redact(errorMessage(e));
  if (json) out.json({ event: 'error', code, message, ...(known && e.hint ? { hint: e.hint } : {}) });
  out.message(`error ${code}: ${message}`);
  if (known && e.hint) out.message(`hint: ${redactor.redact(e.hint)}`);
  if (verbose) {
    let cause = (e as { cause?: unknown }).cause;
    while (cause) {
      out.message(`  caused by: ${redactor.redact(errorMessage(cause))}`);
      cause = (cause as { cause?: unknown }).cause;
    }
    if (!known && e instanceof Error && e.stack) out.message(redactor.redact(e.stack));
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
    .option('batch-rows', { type: 'number', describe: 'Rows per batch read from the source' })
    .option('restart', { type: 'boolean', describe: 'Start over instead of resuming an interrupted run of the same job' })
    .command(
      'run <file>',
      'Run a job file (milvusdm format, or a MilvusDM one)',
      (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'Job file' }),
      (a) => {
        result = runCommand(runArgs(a.file, a), out, signal, redactor);
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
      throw error ?? new UsageError(message);
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
