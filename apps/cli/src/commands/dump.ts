/**
 * `milvusdm dump --from SOURCE --to DIR`: every collection (or those named) of a live Milvus, or
 * of a Milvus 0.10/1.x directory, into a self-describing archive — Parquet files in the layout
 * Milvus's bulk import reads, and a manifest sealed last. One run of the parquet writer: an
 * interrupted dump resumes like any run (the same command again), and until the manifest is
 * written the folder is not an archive `restore` accepts. `--all-databases` reads every
 * database of the server (the milvus reader's `databases: '*'`), each into its own folder.
 *
 * A live server is read without a pinned timestamp (none is offered: docs/dump-restore.md), so
 * each collection is counted before its rows are read and again after the run; a count that
 * moved is a warning and `consistency.changed` in the manifest.
 */
import { existsSync, rmdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MilvusdmError, type SecretRedactor } from '@milvusdm/core';
import { DATA_DIR, MANIFEST, buildManifest, consistencyOf, sealArchive } from '../archive/manifest.js';
import type { ConsoleMode } from '../logging.js';
import type { Output } from '../output.js';
import { runCommand } from './run.js';

export interface DumpArgs {
  readonly from: string;
  readonly to: string;
  readonly collections?: readonly string[] | undefined;
  readonly token?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly database?: string | undefined;
  /** Every database of the server, each kept apart in the archive. */
  readonly allDatabases?: boolean | undefined;
  readonly restart: boolean;
  readonly console: ConsoleMode;
  readonly logDir?: string | undefined;
  readonly logLevel: 'debug' | 'info' | 'error';
  readonly batchRows?: number | undefined;
  readonly version: string;
}

/** The reader block for SOURCE: a folder is a Milvus 1.x directory, anything else a server address. */
export function dumpSource(args: Pick<DumpArgs, 'from' | 'collections' | 'token' | 'user' | 'password' | 'database' | 'allDatabases'>) {
  if (args.allDatabases && (args.collections !== undefined || args.database !== undefined)) {
    throw new MilvusdmError(
      'MDM_CONFIG',
      `--all-databases dumps every collection of every database: give it without --collections or --database`,
      {
        exitCode: 2,
      },
    );
  }
  if (existsSync(args.from) && statSync(args.from).isDirectory()) {
    if (args.allDatabases) {
      throw new MilvusdmError(
        'MDM_CONFIG',
        `--all-databases: ${resolve(args.from)} is a folder, read as a Milvus 1.x directory, which has no databases`,
        {
          exitCode: 2,
        },
      );
    }
    return { type: 'milvus1x', path: resolve(args.from), ...(args.collections ? { collections: [...args.collections] } : {}) };
  }
  return {
    type: 'milvus',
    uri: args.from,
    ...(args.allDatabases ? { databases: '*' } : { collections: args.collections ? [...args.collections] : '*' }),
    // Writes during the dump are followed and reported (consistency in the manifest), not fatal.
    changes: 'allow',
    ...(args.token !== undefined ? { token: args.token } : {}),
    ...(args.user !== undefined ? { user: args.user } : {}),
    ...(args.password !== undefined ? { password: args.password } : {}),
    ...(args.database !== undefined ? { database: args.database } : {}),
  };
}

/** SOURCE as the manifest records it: no user, password or query in an address. */
export function describeSource(from: string): string {
  try {
    const url = new URL(from);
    if (!url.host) return from;
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return resolve(from);
  }
}

export async function dumpCommand(args: DumpArgs, out: Output, signal: AbortSignal, redactor: SecretRedactor): Promise<number> {
  const source = dumpSource(args); // flag errors before anything is touched
  const root = resolve(args.to);
  if (existsSync(join(root, MANIFEST))) {
    throw new MilvusdmError('MDM_TARGET', `${root} already holds a complete archive (${MANIFEST})`, {
      hint: 'Dump into a new folder, or remove this one first.',
    });
  }
  await mkdir(root, { recursive: true });
  const document = {
    source,
    target: { type: 'parquet', dir: join(root, DATA_DIR), existing: 'fail' },
    ...(args.batchRows ? { run: { batch_rows: args.batchRows } } : {}),
  };
  const stateDir = join(root, '.milvusdm');
  const code = await runCommand(
    {
      // Names the state file; never read (the job is the document above).
      file: join(root, 'dump.job'),
      console: args.console,
      logDir: args.logDir,
      logLevel: args.logLevel,
      restart: args.restart,
      inline: {
        document,
        baseDir: root,
        // Inside the archive: the same command resumes an interrupted dump from anywhere.
        stateDir,
        onDone: async (summary, datasets, recount) => {
          const rows = new Map(summary.datasets.map((d) => [d.key, d.rows]));
          // A live server: counted again now, against the counts the run planned with.
          const consistency =
            source.type === 'milvus' ? consistencyOf(datasets, new Map((await recount()).map((d) => [d.key, d.rows ?? 0]))) : undefined;
          for (const [name, c] of consistency ?? []) {
            if (!c.changed) continue;
            out.message(
              `warning: collection ${name} changed while it was dumped: ${c.countBefore} rows before the read, ${c.countAfter} after; ` +
                'the archive may hold some of the rows written (or deleted) meanwhile and not others (manifest: consistency.changed)',
            );
          }
          const manifest = await buildManifest(
            root,
            datasets,
            rows,
            { type: source.type, from: describeSource(args.from) },
            args.version,
            consistency,
          );
          await sealArchive(root, manifest);
          out.message(
            `archive ${root}: ${manifest.collections.length} collection(s), ${manifest.collections.reduce((n, c) => n + c.rows, 0)} rows, sealed with ${MANIFEST}`,
          );
        },
      },
    },
    out,
    signal,
    redactor,
  );
  if (code === 0) {
    try {
      rmdirSync(stateDir); // empty once the finished run removed its state
    } catch {
      // Not empty or gone: nothing to tidy.
    }
  }
  return code;
}
