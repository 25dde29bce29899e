/**
 * `milvusdm restore --from DIR --to URI`: chosen collections and partitions of an archive that
 * `milvusdm dump` sealed, renamed on the way if asked, into any Milvus that has their field
 * types. Every file is checked against the manifest (size and sha256) before anything is
 * written; each collection is then one resumable run (parquet → milvus), and its row count
 * must equal the manifest's. An archive of several databases (`dump --all-databases`) is
 * restored database by database into same-named databases (created when missing), or those
 * `--rename-databases` names; `--databases` chooses some. Its collections are named
 * `database.collection` in `--collections`, `--partitions` and `--rename`.
 */
import { join, resolve } from 'node:path';
import { MilvusdmError, type SecretRedactor } from '@milvusdm/core';
import { checkFiles, qualifiedName, readManifest, type ArchiveCollection, type ArchivePartition } from '../archive/manifest.js';
import type { ConsoleMode } from '../logging.js';
import type { Output } from '../output.js';
import { runCommand } from './run.js';

export interface RestoreArgs {
  readonly from: string;
  readonly to: string;
  readonly collections?: readonly string[] | undefined;
  /** `collection:partition` items. */
  readonly partitions?: readonly string[] | undefined;
  /** `old=new` items. */
  readonly rename?: readonly string[] | undefined;
  /** Databases of an archive of several to restore (default every one). */
  readonly databases?: readonly string[] | undefined;
  /** `old=new` database names, for an archive of several databases. */
  readonly renameDatabases?: readonly string[] | undefined;
  readonly mode?: string | undefined;
  readonly token?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly database?: string | undefined;
  readonly restart: boolean;
  readonly console: ConsoleMode;
  readonly logDir?: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'error';
  readonly batchRows?: number | undefined;
  /** insert | import | auto: how rows reach the server (the milvus writer's `method`). */
  readonly method?: string | undefined;
  /** Where import files go: a folder the server reads, or s3://bucket/prefix. */
  readonly storage?: string | undefined;
  /** The storage folder as the server sees it, when it differs. */
  readonly storageServerPath?: string | undefined;
  /** S3-compatible endpoint of an s3:// storage. */
  readonly s3Endpoint?: string | undefined;
}

/**
 * The writer's import options from the flags. An archive's Parquet files are already in the
 * layout bulk import reads, so they are imported as they are (`import_source_files`). S3 keys
 * come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), never from a flag, so
 * they appear in no command line or process list.
 */
export function importTarget(args: Pick<RestoreArgs, 'method' | 'storage' | 'storageServerPath' | 's3Endpoint'>): Record<string, unknown> {
  if (args.method === undefined || args.method === 'insert') {
    if (args.storage !== undefined) throw usage('--storage is for --method import or auto');
    return args.method ? { method: args.method } : {};
  }
  if (args.storage === undefined) throw usage(`--method ${args.method} needs --storage (a folder the server reads, or s3://bucket/prefix)`);
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(args.storage);
  const storage = s3
    ? {
        type: 's3',
        bucket: s3[1],
        prefix: s3[2],
        ...(args.s3Endpoint ? { endpoint: args.s3Endpoint } : {}),
        ...(process.env['AWS_ACCESS_KEY_ID'] ? { access_key: '${AWS_ACCESS_KEY_ID}' } : {}),
        ...(process.env['AWS_SECRET_ACCESS_KEY'] ? { secret_key: '${AWS_SECRET_ACCESS_KEY}' } : {}),
      }
    : { type: 'local', path: resolve(args.storage), ...(args.storageServerPath ? { server_path: args.storageServerPath } : {}) };
  return { method: args.method, storage, import_source_files: true };
}

export interface RestorePlanItem {
  readonly collection: ArchiveCollection;
  readonly target: string;
  /** The target database, for a collection of an archive of several databases. */
  readonly targetDatabase?: string;
  readonly partitions: readonly ArchivePartition[];
}

function usage(message: string): MilvusdmError {
  return new MilvusdmError('MDM_CONFIG', message, { exitCode: 2, hint: 'Run milvusdm restore --help for usage.' });
}

/** What to restore where, from the manifest and the selection flags; every name checked against the archive. */
export function restorePlan(
  all: readonly ArchiveCollection[],
  args: Pick<RestoreArgs, 'collections' | 'partitions' | 'rename' | 'database' | 'databases' | 'renameDatabases'>,
  databases?: readonly string[],
): RestorePlanItem[] {
  const dbRenames = databasePlan(databases, args);
  const collections = dbRenames ? all.filter((c) => dbRenames.has(c.database!)) : all;
  const byName = new Map(collections.map((c) => [qualifiedName(c), c]));
  const known = () => [...byName.keys()].join(', ') || 'none';
  for (const name of args.collections ?? []) {
    if (!byName.has(name)) throw usage(`--collections: "${name}" is not in the archive (it holds ${known()})`);
  }
  const renames = new Map<string, string>();
  for (const item of args.rename ?? []) {
    const m = /^([^=]+)=([^=]+)$/.exec(item);
    if (!m) throw usage(`--rename: "${item}" is not OLD=NEW`);
    if (!byName.has(m[1]!)) throw usage(`--rename: "${m[1]}" is not in the archive (it holds ${known()})`);
    renames.set(m[1]!, m[2]!);
  }
  const chosenParts = new Map<string, Set<string>>();
  for (const item of args.partitions ?? []) {
    const m = /^([^:]+):(.+)$/.exec(item);
    if (!m) throw usage(`--partitions: "${item}" is not COLLECTION:PARTITION`);
    const c = byName.get(m[1]!);
    if (!c) throw usage(`--partitions: "${m[1]}" is not in the archive (it holds ${known()})`);
    if (!c.partitions.some((p) => p.name === m[2])) {
      throw usage(`--partitions: "${m[1]}" has no partition "${m[2]}" (it has ${c.partitions.map((p) => p.name).join(', ')})`);
    }
    let set = chosenParts.get(m[1]!);
    if (!set) chosenParts.set(m[1]!, (set = new Set()));
    set.add(m[2]!);
  }
  const names = args.collections ?? (chosenParts.size > 0 ? [...chosenParts.keys()] : [...byName.keys()]);
  return names.map((name) => {
    const c = byName.get(name)!;
    const only = chosenParts.get(name);
    return {
      collection: c,
      target: renames.get(name) ?? c.name,
      ...(dbRenames ? { targetDatabase: dbRenames.get(c.database!)! } : {}),
      partitions: c.partitions.filter((p) => !only || only.has(p.name)),
    };
  });
}

/**
 * For an archive of several databases: each chosen database and the name it is restored under.
 * Undefined for an archive of one, where the database flags of several are refused.
 */
function databasePlan(
  databases: readonly string[] | undefined,
  args: Pick<RestoreArgs, 'database' | 'databases' | 'renameDatabases'>,
): Map<string, string> | undefined {
  if (databases === undefined) {
    if (args.databases !== undefined) throw usage('--databases: this archive holds one database; restore it with --database NAME');
    if (args.renameDatabases !== undefined)
      throw usage('--rename-databases: this archive holds one database; restore it with --database NAME');
    return undefined;
  }
  if (args.database !== undefined) {
    throw usage(
      `--database: this archive holds several databases (${databases.join(', ')}); choose with --databases and rename with --rename-databases OLD=NEW`,
    );
  }
  for (const name of args.databases ?? []) {
    if (!databases.includes(name)) throw usage(`--databases: "${name}" is not in the archive (it holds ${databases.join(', ')})`);
  }
  const renames = new Map<string, string>();
  for (const item of args.renameDatabases ?? []) {
    const m = /^([^=]+)=([^=]+)$/.exec(item);
    if (!m) throw usage(`--rename-databases: "${item}" is not OLD=NEW`);
    if (!databases.includes(m[1]!)) throw usage(`--rename-databases: "${m[1]}" is not in the archive (it holds ${databases.join(', ')})`);
    renames.set(m[1]!, m[2]!);
  }
  return new Map((args.databases ?? databases).map((d) => [d, renames.get(d) ?? d]));
}

export async function restoreCommand(args: RestoreArgs, out: Output, signal: AbortSignal, redactor: SecretRedactor): Promise<number> {
  importTarget(args); // flag errors before anything is read
  const root = resolve(args.from);
  const manifest = await readManifest(root);
  const plan = restorePlan(manifest.collections, args, manifest.databases);
  // Every file of the selection is checked before anything is written.
  for (const item of plan) {
    for (const p of item.partitions) await checkFiles(root, p.files);
  }
  out.message(`archive ${root}: ${plan.length} collection(s) to restore, every file checked against its manifest`);
  for (const item of plan) {
    signal.throwIfAborted();
    const parts = item.partitions.filter((p) => p.rows > 0);
    const from = qualifiedName(item.collection);
    const to = item.targetDatabase !== undefined ? `${item.targetDatabase}.${item.target}` : item.target;
    if (parts.length === 0) {
      out.message(`${from}: no rows in the chosen partitions; nothing to restore`);
      continue;
    }
    const folders = [...new Set(parts.flatMap((p) => p.files.map((f) => join(root, f.path, '..'))))];
    const document = {
      source: { type: 'parquet', path: folders },
      target: {
        type: 'milvus',
        uri: args.to,
        collection: item.target,
        ...(args.mode !== undefined ? { mode: args.mode } : {}),
        ...(args.token !== undefined ? { token: args.token } : {}),
        ...(args.user !== undefined ? { user: args.user } : {}),
        ...(args.password !== undefined ? { password: args.password } : {}),
        ...(args.database !== undefined ? { database: args.database } : {}),
        // The files' schemas name their database: the writer puts the rows in the database this
        // maps it to, created when the server lacks it (the milvus writer's databases.ts).
        ...(item.targetDatabase !== undefined ? { rename: { databases: { [item.collection.database!]: item.targetDatabase } } } : {}),
        ...importTarget(args),
      },
      ...(args.batchRows ? { run: { batch_rows: args.batchRows } } : {}),
    };
    const code = await runCommand(
      {
        // Names the state file (in the log folder's state folder): one per archive and collection.
        file: join(root, `restore-${from}-to-${to}.job`),
        console: args.console,
        logDir: args.logDir,
        logLevel: args.logLevel,
        restart: args.restart,
        inline: {
          document,
          baseDir: root,
          onDone: async (summary) => {
            // Datasets the mode skipped (the collection existed, mode skip) are not counted.
            const skipped = new Set(summary.datasets.filter((d) => d.skipped).map((d) => d.key.slice(d.key.lastIndexOf('/') + 1)));
            const due = parts.filter((p) => !skipped.has(p.name)).reduce((n, p) => n + p.rows, 0);
            if (summary.rows !== due) {
              throw new MilvusdmError('MDM_VERIFY', `${from} → ${to}: ${summary.rows} rows restored, the manifest lists ${due}`);
            }
            const note = skipped.size > 0 ? ` (${skipped.size} partition(s) skipped: the target had them)` : '';
            out.message(`${from} → ${to}: ${summary.rows} rows, as the manifest lists${note}`);
          },
        },
      },
      out,
      signal,
      redactor,
    );
    if (code !== 0) return code;
  }
  return 0;
}
