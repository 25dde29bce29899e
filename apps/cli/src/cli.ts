/**
 * The command line. Thin by design: it parses arguments, finds plugins and hands a job to the
 * core runner. Returns the exit code: 0 done, 1 the run failed, 2 bad job file or usage.
 *
 * Every command is one entry of COMMANDS below: its flags, examples and a handler that imports
 * what it needs only when it runs, so `milvusdm --help` loads neither the runner, the logger
 * nor any plugin (and through them the Milvus SDK and its protobufs).
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { EXIT_RUN_FAILED, EXIT_USAGE, MilvusdmError, asMilvusdmError, errorMessage, isMilvusdmError } from '@milvusdm/core/errors';
import { SecretRedactor } from '@milvusdm/core/logger';
import type { ConsoleMode } from './logging.js';
import { Output } from './output.js';
import { skipHelpLayoutOnRun } from './help-layout.js';
import type { RunArgs } from './commands/run.js';

class UsageError extends MilvusdmError {
  constructor(message: string) {
    super('MDM_CONFIG', message, { exitCode: EXIT_USAGE, hint: 'Run milvusdm --help for usage.' });
  }
}

/** What every command handler gets besides its own arguments. */
export interface CommandContext {
  readonly out: Output;
  readonly signal: AbortSignal;
  readonly redactor: SecretRedactor;
}

/** Parsed arguments, as yargs hands them over; each handler reads the flags its builder declared. */
export type CommandArgs = Readonly<Record<string, unknown>>;

export interface CliCommand {
  /** yargs command string, e.g. `run <file>`. */
  readonly command: string;
  readonly describe: string;
  /** Declares the command's own flags and examples (only the flags that apply to it). */
  readonly builder: (y: Argv) => Argv;
  /** Runs the command; a command made only of subcommands has none. */
  readonly handler?: (args: CommandArgs, context: CommandContext) => Promise<number>;
  readonly subcommands?: readonly CliCommand[];
}

/** Flags of commands that run a job (`run FILE` and the original `--yaml FILE`). */
function runFlags(y: Argv, hidden = false): Argv {
  return y
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only errors', hidden })
    .option('json', { type: 'boolean', describe: 'Print JSON lines (progress, results, errors) on stdout', hidden })
    .option('log-dir', { type: 'string', describe: 'Folder for daily log files (default $MILVUSDM_PATH/logs or ~/milvusdm/logs)', hidden })
    .option('log-level', {
      choices: ['debug', 'info', 'error'] as const,
      describe: 'Lowest level written to log files (default debug)',
      hidden,
    })
    .option('batch-rows', { type: 'number', describe: 'Rows per batch read from the source', hidden, coerce: batchRowsArg });
}

/** `--restart`: only for commands that run a job. */
function restartFlag(y: Argv, hidden = false): Argv {
  return y.option('restart', { type: 'boolean', describe: 'Start over instead of resuming an interrupted run of the same job', hidden });
}

/** Flags of `run --verify` and of `verify`: how to compare source and target. */
function compareFlags(y: Argv, hidden = false): Argv {
  return y
    .option('full', { type: 'boolean', describe: 'Compare every row (the default)', hidden })
    .option('sample', { type: 'number', describe: 'Compare N keys drawn by a seeded hash instead of every row', hidden })
    .option('seed', { type: 'number', describe: 'Seed of the --sample draw (default 0)', hidden });
}

/** `--batch-rows` as the job's `run.batch_rows` accepts it: a whole number from 1 to 1,000,000. */
function batchRowsArg(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
    throw new UsageError(
      `--batch-rows: expected a whole number from 1 to 1000000, got ${JSON.stringify(Array.isArray(value) ? value : String(value))}`,
    );
  }
  return n;
}

/** The comparison `run --verify` asks for; --full, --sample and --seed without --verify would be ignored silently. */
async function verifyArg(a: CommandArgs): Promise<RunArgs['verify']> {
  const flags = {
    full: a['full'] as boolean | undefined,
    sample: a['sample'] as number | undefined,
    seed: a['seed'] as number | undefined,
  };
  if (!a['verify']) {
    if (flags.full || flags.sample !== undefined || flags.seed !== undefined)
      throw new UsageError('--full, --sample and --seed apply to verify and run --verify');
    return undefined;
  }
  const { verifyOptionsFrom } = await import('./commands/verify.js');
  return verifyOptionsFrom({ ...flags, batchRows: a['batch-rows'] as number | undefined });
}

const jsonFlag = (y: Argv) => y.option('json', { type: 'boolean', describe: 'Print JSON instead of text' });

/** Credentials and database of the Milvus that dump reads or restore writes (a token is better kept in MILVUSDM_TOKEN). */
function connectionFlags(y: Argv): Argv {
  return y
    .option('token', { type: 'string', describe: 'Milvus token (user:password or an API key; default $MILVUSDM_TOKEN)' })
    .option('user', { type: 'string', describe: 'Milvus user' })
    .option('password', { type: 'string', describe: 'Milvus password (default $MILVUSDM_PASSWORD)' })
    .option('database', { type: 'string', describe: 'Milvus database (default: the default database)' });
}

function connectionArgs(a: CommandArgs) {
  const token = (a['token'] as string | undefined) ?? process.env['MILVUSDM_TOKEN'];
  const password = (a['password'] as string | undefined) ?? process.env['MILVUSDM_PASSWORD'];
  return {
    token: token || undefined,
    user: a['user'] as string | undefined,
    password: password || undefined,
    database: a['database'] as string | undefined,
  };
}

/** A comma-separated flag as a list; an empty item is a usage error. */
function listArg(value: unknown, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = String(value)
    .split(',')
    .map((s) => s.trim());
  if (items.some((i) => i === '')) throw new UsageError(`${flag}: empty name in ${JSON.stringify(String(value))}`);
  return items;
}

function consoleMode(a: CommandArgs): ConsoleMode {
  return a['json'] ? 'json' : a['quiet'] ? 'quiet' : 'human';
}

async function runArgs(file: string, a: CommandArgs): Promise<RunArgs> {
  return {
    file,
    console: consoleMode(a),
    logDir: a['log-dir'] as string | undefined,
    logLevel: (a['log-level'] as RunArgs['logLevel'] | undefined) ?? 'debug',
    batchRows: a['batch-rows'] as number | undefined,
    verify: await verifyArg(a),
    restart: a['restart'] === true,
  };
}

async function runJobFile(file: string, a: CommandArgs, c: CommandContext): Promise<number> {
  const [{ runCommand }, { useCliCoreForPlugins }] = await Promise.all([import('./commands/run.js'), import('./one-core.js')]);
  useCliCoreForPlugins();
  return runCommand(await runArgs(file, a), c.out, c.signal, c.redactor);
}

async function verifyJobFile(file: string, a: CommandArgs, c: CommandContext): Promise<number> {
  const { verifyCommand } = await withPlugins(() => import('./commands/verify.js'));
  return verifyCommand(
    {
      file,
      console: consoleMode(a),
      logDir: a['log-dir'] as string | undefined,
      logLevel: (a['log-level'] as RunArgs['logLevel'] | undefined) ?? 'debug',
      batchRows: a['batch-rows'] as number | undefined,
      full: a['full'] as boolean | undefined,
      sample: a['sample'] as number | undefined,
      seed: a['seed'] as number | undefined,
      runId: a['run-id'] as string | undefined,
    },
    c.out,
    c.signal,
    c.redactor,
  );
}

/** Commands that load plugins go through here, so plugins always see the CLI's core. */
async function withPlugins<T>(load: () => Promise<T>): Promise<T> {
  const { useCliCoreForPlugins } = await import('./one-core.js');
  useCliCoreForPlugins();
  return load();
}

/** Every command of `milvusdm`. Add a command here: one entry, its module imported in its handler. */
export const COMMANDS: readonly CliCommand[] = [
  {
    command: 'run <file>',
    describe: 'Run a job file (milvusdm format, or a MilvusDM one)',
    builder: (y) =>
      compareFlags(
        restartFlag(runFlags(y)).option('verify', {
          type: 'boolean',
          describe: 'Compare source and target (every key and value) after the run',
        }),
      )
        .positional('file', { type: 'string', demandOption: true, describe: 'Job file' })
        .example('$0 run job.yaml', 'Run a job, with a progress line')
        .example('$0 run job.yaml --verify', 'Run it, then prove the target holds exactly the source rows')
        .example('$0 run job.yaml --restart', 'Start over instead of resuming where an interrupted run stopped')
        .example('$0 run job.yaml --json | jq -c .', 'JSON lines for scripts'),
    handler: (a, c) => runJobFile(a['file'] as string, a, c),
  },
  {
    command: 'verify [file]',
    describe: "Compare a job's source and target: row counts, then every key and value (exit 1 on any difference)",
    builder: (y) =>
      compareFlags(runFlags(y))
        .positional('file', { type: 'string', describe: 'Job file (milvusdm format, or a MilvusDM one)' })
        .option('yaml', { type: 'string', describe: 'A job file in the original MilvusDM format (the same as giving it as FILE)' })
        .option('run-id', { type: 'string', describe: 'MilvusDM M2H jobs: the run folder to verify (default the newest)' })
        .example('$0 verify job.yaml', 'Every key present once, every value equal')
        .example('$0 verify job.yaml --sample 10000 --json', 'A seeded sample of keys, as a JSON report'),
    handler: (a, c) => {
      const file = (a['file'] ?? a['yaml']) as string | undefined;
      if (!file) throw new UsageError('verify: give a job file (or --yaml FILE)');
      return verifyJobFile(file, a, c);
    },
  },
  {
    command: 'dump',
    describe: 'Dump collections of a live Milvus (or a Milvus 1.x directory) into a Parquet archive with a manifest',
    builder: (y) =>
      connectionFlags(restartFlag(runFlags(y)))
        .option('from', { type: 'string', demandOption: true, describe: 'Milvus URI (http://host:19530), or a Milvus 0.10/1.x directory' })
        .option('to', { type: 'string', demandOption: true, describe: 'Archive folder to write (new, or an interrupted dump to finish)' })
        .option('collections', { type: 'string', describe: 'Comma-separated collections (default: every collection)' })
        .option('all-databases', {
          type: 'boolean',
          describe: 'Every collection of every database, each database kept apart (not with --collections or --database)',
        })
        .example('$0 dump --from http://localhost:19530 --to ./backup', 'Every collection of the default database')
        .example('$0 dump --from http://localhost:19530 --to ./backup --all-databases', 'Every database of the server')
        .example('$0 dump --from /var/lib/milvus --to ./backup --collections books', 'One collection of a Milvus 1.x directory'),
    handler: async (a, c) => {
      const { dumpCommand } = await withPlugins(() => import('./commands/dump.js'));
      return dumpCommand(
        {
          from: a['from'] as string,
          to: a['to'] as string,
          collections: listArg(a['collections'], '--collections'),
          allDatabases: a['all-databases'] === true,
          ...connectionArgs(a),
          restart: a['restart'] === true,
          console: consoleMode(a),
          logDir: a['log-dir'] as string | undefined,
          logLevel: (a['log-level'] as RunArgs['logLevel'] | undefined) ?? 'debug',
          batchRows: a['batch-rows'] as number | undefined,
          version: cliVersion(),
        },
        c.out,
        c.signal,
        c.redactor,
      );
    },
  },
  {
    command: 'restore',
    describe: 'Restore chosen collections and partitions of a milvusdm archive into a Milvus, renamed if asked',
    builder: (y) =>
      connectionFlags(restartFlag(runFlags(y)))
        .option('from', { type: 'string', demandOption: true, describe: 'Archive folder written by milvusdm dump' })
        .option('to', { type: 'string', demandOption: true, describe: 'Milvus URI to restore into' })
        .option('collections', { type: 'string', describe: 'Comma-separated collections (default: every one in the archive)' })
        .option('partitions', { type: 'string', describe: 'Comma-separated COLLECTION:PARTITION items (default: every partition)' })
        .option('rename', { type: 'string', describe: 'Comma-separated OLD=NEW collection names' })
        .option('databases', {
          type: 'string',
          describe: 'Archive of several databases (dump --all-databases): comma-separated databases to restore (default: every one)',
        })
        .option('rename-databases', {
          type: 'string',
          describe: 'Archive of several databases: comma-separated OLD=NEW database names (created when missing)',
        })
        .option('mode', {
          type: 'string',
          choices: ['skip', 'append', 'overwrite', 'upsert'],
          describe: 'When a collection exists at the target (default: as the milvus writer does)',
        })
        .option('method', {
          type: 'string',
          choices: ['insert', 'import', 'auto'],
          describe:
            "insert requests, or Milvus's bulk import of the archive's Parquet files as they are (auto: import from 1M rows where the server can) (default insert)",
        })
        .option('storage', {
          type: 'string',
          describe: 'For import: a folder the server reads, or s3://bucket/prefix (keys from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)',
        })
        .option('storage-server-path', {
          type: 'string',
          describe: 'The --storage folder as the server sees it, when it differs (a container volume)',
        })
        .option('s3-endpoint', { type: 'string', describe: 'S3-compatible endpoint of an s3:// --storage, e.g. http://127.0.0.1:9000' })
        .example('$0 restore --from ./backup --to http://localhost:19530', 'Everything, under the same names')
        .example(
          '$0 restore --from ./backup --to http://localhost:19530 --partitions books:p1 --rename books=books_p1',
          'One partition, renamed',
        )
        .example(
          '$0 restore --from ./backup --to http://localhost:19530 --databases shop --rename-databases shop=shop_copy',
          'One database of an archive of several, under another name',
        ),
    handler: async (a, c) => {
      const { restoreCommand } = await withPlugins(() => import('./commands/restore.js'));
      return restoreCommand(
        {
          from: a['from'] as string,
          to: a['to'] as string,
          collections: listArg(a['collections'], '--collections'),
          partitions: listArg(a['partitions'], '--partitions'),
          rename: listArg(a['rename'], '--rename'),
          databases: listArg(a['databases'], '--databases'),
          renameDatabases: listArg(a['rename-databases'], '--rename-databases'),
          mode: a['mode'] as string | undefined,
          method: a['method'] as string | undefined,
          storage: a['storage'] as string | undefined,
          storageServerPath: a['storage-server-path'] as string | undefined,
          s3Endpoint: a['s3-endpoint'] as string | undefined,
          ...connectionArgs(a),
          restart: a['restart'] === true,
          console: consoleMode(a),
          logDir: a['log-dir'] as string | undefined,
          logLevel: (a['log-level'] as RunArgs['logLevel'] | undefined) ?? 'debug',
          batchRows: a['batch-rows'] as number | undefined,
        },
        c.out,
        c.signal,
        c.redactor,
      );
    },
  },
  {
    command: 'cleanup <file>',
    describe: "List what interrupted runs left at a job's target (staging collections, stale locks); --apply removes them",
    builder: (y) =>
      jsonFlag(y)
        .positional('file', { type: 'string', demandOption: true, describe: 'Job file' })
        .option('apply', { type: 'boolean', describe: 'Remove (or restore) what is listed' })
        .example('$0 cleanup job.yaml', 'What is left over, and what --apply would do'),
    handler: async (a, c) => {
      const { cleanupCommand } = await withPlugins(() => import('./commands/cleanup.js'));
      return cleanupCommand(a['file'] as string, a['apply'] === true, a['json'] === true, c.out, c.signal, c.redactor);
    },
  },
  {
    command: 'init',
    describe: 'Write a commented job file for a source and a target type',
    builder: (y) =>
      y
        .option('source', { type: 'string', demandOption: true, describe: 'Reader type (hdf5, faiss, milvus1x, milvus, parquet, …)' })
        .option('target', { type: 'string', demandOption: true, describe: 'Writer type (milvus, hdf5, parquet, …)' })
        .option('out', { alias: 'o', type: 'string', describe: 'File to write (default: print on stdout)' })
        .option('force', { type: 'boolean', describe: 'Overwrite --out if it exists' })
        .example('$0 init --source hdf5 --target milvus --out job.yaml', 'Start a job that loads HDF5 files into Milvus'),
    handler: async (a, c) => {
      const { initCommand } = await withPlugins(() => import('./commands/init.js'));
      return initCommand(
        { source: a['source'] as string, target: a['target'] as string, out: a['out'] as string | undefined, force: a['force'] === true },
        c.out,
      );
    },
  },
  {
    command: 'inspect <target>',
    describe: 'Describe an input file or folder (Faiss index, HDF5 file, Milvus 1.x directory) without migrating it',
    builder: (y) =>
      jsonFlag(y)
        .positional('target', { type: 'string', demandOption: true, describe: 'File or folder' })
        .example('$0 inspect index.faiss', 'Index type, dimension, vector count')
        .example('$0 inspect /var/lib/milvus --json', 'A Milvus 1.x directory, as JSON'),
    handler: async (a, c) => {
      const { inspectCommand } = await withPlugins(() => import('./commands/inspect.js'));
      return inspectCommand(a['target'] as string, a['json'] === true, c.out, c.signal, c.redactor);
    },
  },
  {
    command: 'plugins',
    describe: 'List, add or remove channel plugins',
    builder: (y) =>
      y
        .example('$0 plugins', 'What is installed, and where')
        .example('$0 plugins add @acme/milvusdm-reader-parquet', 'Add a third-party reader for every job'),
    subcommands: [
      {
        command: '$0',
        describe: 'List installed channel plugins (read from their manifests, nothing loaded)',
        builder: jsonFlag,
        handler: async (a, c) => (await import('./commands/plugins.js')).pluginsCommand(a['json'] === true, c.out),
      },
      {
        command: 'add <packages..>',
        describe: "Install plugin packages into milvusdm's own plugin folder (with npm)",
        builder: (y) =>
          y
            .positional('packages', { type: 'string', array: true, demandOption: true })
            .example('$0 plugins add milvusdm-reader-csv', 'Add a reader'),
        handler: async (a, c) =>
          (await import('./commands/plugins-install.js')).pluginsInstallCommand('add', a['packages'] as string[], c.out),
      },
      {
        command: 'remove <packages..>',
        describe: "Uninstall plugin packages from milvusdm's own plugin folder",
        builder: (y) => y.positional('packages', { type: 'string', array: true, demandOption: true }),
        handler: async (a, c) =>
          (await import('./commands/plugins-install.js')).pluginsInstallCommand('remove', a['packages'] as string[], c.out),
      },
    ],
  },
  {
    command: 'schema',
    describe: 'Print the JSON Schema of job files for the installed plugins',
    builder: (y) => y.example('$0 schema > job.schema.json', 'For editor completion of third-party channels'),
    handler: async (_a, c) => {
      const { schemaCommand } = await withPlugins(() => import('./commands/schema.js'));
      return schemaCommand(c.out);
    },
  },
];

/** The CLI's version, read from its package.json (a few bytes, no module loaded). */
function cliVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
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
  const context: CommandContext = { out, signal, redactor };
  let verbose = argv.includes('--verbose');
  let json = argv.includes('--json');
  let result: Promise<number> | undefined;
  let parser: Argv = yargs([...argv])
    .scriptName('milvusdm')
    .usage('Move vector data into, out of and between Milvus deployments.\n\nUsage: $0 <command> [options]')
    .option('verbose', { type: 'boolean', describe: 'Print the cause of errors', global: true });
  const register = (y: Argv, c: CliCommand): Argv =>
    y.command(
      c.command,
      c.describe,
      (sub) => (c.subcommands ?? []).reduce(register, c.builder(sub)),
      (a) => {
        if (c.handler) result = c.handler(a, context);
      },
    );
  parser = COMMANDS.reduce(register, parser).command(
    'completion',
    'Print a bash/zsh completion script (add it to ~/.bashrc or ~/.zshrc)',
    (y) => y.example('$0 completion >> ~/.bashrc', 'Tab-complete commands and flags'),
    () => {
      parser.showCompletionScript();
    },
  );
  parser = parser
    .command(
      '$0',
      false,
      // `--yaml FILE` takes the flags of `run` too; the top-level help lists them under `run --help`.
      (y) =>
        compareFlags(restartFlag(runFlags(y, true), true).option('verify', { type: 'boolean', hidden: true }), true).option('yaml', {
          type: 'string',
          describe: 'Run a job file in the original MilvusDM format (H2M, F2M, M2M, M2H); takes the flags of run',
        }),
      (a) => {
        if (typeof a['yaml'] === 'string') result = runJobFile(a['yaml'], a, context);
        // A bare `milvusdm` is a request for help, not a mistake.
        else parser.showHelp((text) => out.print(text));
      },
    )
    .example('$0 init --source hdf5 --target milvus -o job.yaml', 'Start a job file')
    .example('$0 run job.yaml', 'Run it')
    .example('$0 --yaml H2M.yaml', 'Run a job file of the original MilvusDM')
    // Answers the generated script's `--get-yargs-completions`; the `completion` command prints the script.
    .completion('__completion', false)
    .epilogue('Docs: https://github.com/milvusdm/milvusdm#readme')
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      // yargs re-wraps errors thrown by an option's coerce: keep their words, as a usage error.
      throw isMilvusdmError(error) ? error : new UsageError(error?.message ?? message);
    })
    .help()
    .alias('help', 'h')
    .version(cliVersion())
    .alias('version', 'V')
    .wrap(Math.min(120, process.stdout.columns || 100));
  skipHelpLayoutOnRun(parser);
  try {
    const parsed = await parser.parseAsync();
    verbose = parsed['verbose'] === true;
    json = parsed['json'] === true;
    return result ? await result : 0;
  } catch (e) {
    return reportError(e, out, redactor, verbose, json);
  }
}
