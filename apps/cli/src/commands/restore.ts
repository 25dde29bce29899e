/**
 * `milvusdm restore --from DIR --to URI`: chosen collections and partitions of an archive that
 * `milvusdm dump` sealed, renamed on the way if asked, into any Milvus that has their field
 * types. Every file is checked against the manifest (size and sha256) before anything is
 * written; each collection is then one resumable run (parquet → milvus), and its row count
 * must equal the manifest's.
 */
import { join, resolve } from 'node:path';
import { MilvusdmError, type SecretRedactor } from '@milvusdm/core';
import { checkFiles, readManifest, type ArchiveCollection, type ArchivePartition } from '../archive/manifest.js';
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
}

export interface RestorePlanItem {
  readonly collection: ArchiveCollection;
  readonly target: string;
  readonly partitions: readonly ArchivePartition[];
}

function usage(message: string): MilvusdmError {
  return new MilvusdmError('MDM_CONFIG', message, { exitCode: 2, hint: 'Run milvusdm restore --help for usage.' });
}

/** What to restore where, from the manifest and the selection flags; every name checked against the archive. */
export function restorePlan(
  collections: readonly ArchiveCollection[],
  args: Pick<RestoreArgs, 'collections' | 'partitions' | 'rename'>,
): RestorePlanItem[] {
  const byName = new Map(collections.map((c) => [c.name, c]));
  const known = () => collections.map((c) => c.name).join(', ') || 'none';
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
  const names = args.collections ?? (chosenParts.size > 0 ? [...chosenParts.keys()] : collections.map((c) => c.name));
  return names.map((name) => {
    const c = byName.get(name)!;
    const only = chosenParts.get(name);
    return { collection: c, target: renames.get(name) ?? name, partitions: c.partitions.filter((p) => !only || only.has(p.name)) };
  });
}

export async function restoreCommand(args: RestoreArgs, out: Output, signal: AbortSignal, redactor: SecretRedactor): Promise<number> {
  const root = resolve(args.from);
  const manifest = await readManifest(root);
  const plan = restorePlan(manifest.collections, args);
  // Every file of the selection is checked before anything is written.
  for (const item of plan) {
    for (const p of item.partitions) await checkFiles(root, p.files);
  }
  out.message(`archive ${root}: ${plan.length} collection(s) to restore, every file checked against its manifest`);
  for (const item of plan) {
    signal.throwIfAborted();
    const parts = item.partitions.filter((p) => p.rows > 0);
    if (parts.length === 0) {
      out.message(`${item.collection.name}: no rows in the chosen partitions; nothing to restore`);
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
      },
      ...(args.batchRows ? { run: { batch_rows: args.batchRows } } : {}),
    };
    const code = await runCommand(
      {
        // Names the state file (in the log folder's state folder): one per archive and collection.
        file: join(root, `restore-${item.collection.name}-to-${item.target}.job`),
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
              throw new MilvusdmError(
                'MDM_VERIFY',
                `${item.collection.name} → ${item.target}: ${summary.rows} rows restored, the manifest lists ${due}`,
              );
            }
            const note = skipped.size > 0 ? ` (${skipped.size} partition(s) skipped: the target had them)` : '';
            out.message(`${item.collection.name} → ${item.target}: ${summary.rows} rows, as the manifest lists${note}`);
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
