/**
 * Overwrite without a gap and without loss. An overwrite of an existing collection writes into
 * a staging collection `<name>__milvusdm_staging_<run>`; the old collection is not touched until
 * the staging one is complete and verified. Then the swap:
 *
 * - the target name is an alias: the alias is switched to the staging collection in one call
 *   (atomic for readers), then the collection it pointed to is dropped unless another alias
 *   still uses it;
 * - the target name is a collection: it is renamed aside to `<name>__milvusdm_old_<run>`, the
 *   staging collection is renamed to `<name>`, and only then is the old one dropped. Between the
 *   two renames (two RenameCollection calls, back to back: milliseconds) a reader asking for
 *   `<name>` gets "collection not found"; before it, the old rows; after it, the new ones.
 *
 * A run that fails or is interrupted before the swap leaves the old collection exactly as it
 * was; the staging collection is dropped on the way out (or, after kill -9, left for
 * `milvusdm cleanup`). Interrupted between the two renames, `milvusdm cleanup` renames the
 * set-aside collection back.
 */
import { MilvusdmError, type Logger } from '@milvusdm/core';
import { MilvusCollection, nameHolder, type MilvusConnection } from '@milvusdm/milvus-client';
import { setAsideName } from './names.js';

/** What the swap needs to know, decided when the staging collection is created. */
export interface SwapPlan {
  /** The name users read: a collection or an alias. */
  readonly target: string;
  /** When `target` is an alias: the collection it pointed to at the start. */
  readonly aliasOf?: string;
  /** The old collection was loaded (serving searches): the new one is loaded before the swap. */
  readonly oldLoaded: boolean;
  readonly runId: string;
  /**
   * A partition overwrite: the staging collection holds new rows for some partitions of
   * `target`, which are replaced from it at the end (partition-swap.ts), not swapped.
   */
  readonly partitions?: boolean;
}

/**
 * A content check run on the complete staging collection before the swap (the `verify` work
 * registers one); throwing stops the swap and leaves the old collection as it was.
 */
export type SwapCheck = (info: { readonly staging: string; readonly target: string; readonly rows: number }) => Promise<void>;
export const swapChecks: SwapCheck[] = [];

interface Described {
  collection_name?: string;
  aliases?: string[];
}

async function describe(conn: MilvusConnection, name: string): Promise<Described> {
  return conn.sdk<Described>(
    'DescribeCollection',
    { collection_name: name, ...(conn.database ? { db_name: conn.database } : {}) },
    `describe "${name}"`,
  );
}

/** The collection an alias points to, or undefined when `name` is a collection itself. */
export async function aliasTarget(conn: MilvusConnection, name: string): Promise<string | undefined> {
  // Not DescribeCollection alone: Milvus 2.3 answers it for an alias with the alias's own name.
  const holder = await nameHolder(conn, name);
  return holder.kind === 'alias' ? holder.of : undefined;
}

async function rename(conn: MilvusConnection, from: string, to: string): Promise<void> {
  await conn.sdk(
    'RenameCollection',
    { oldName: from, newName: to, ...(conn.database ? { db_name: conn.database, newDBName: conn.database } : {}) },
    `rename collection "${from}" to "${to}"`,
  );
  if (!(await new MilvusCollection(conn, to).exists())) {
    throw new MilvusdmError('MDM_TARGET', `rename collection "${from}" to "${to}": the server reported success but "${to}" does not exist`);
  }
}

/**
 * Checks the staging collection holds exactly `rows` rows (`counted`, as the writer counts it:
 * undefined when it cannot be counted), runs the registered content checks, then swaps it in.
 * Returns the collection now behind the name.
 */
export async function swapIn(
  conn: MilvusConnection,
  staging: MilvusCollection,
  counted: number | undefined,
  rows: number,
  plan: SwapPlan,
  logger: Logger,
): Promise<MilvusCollection> {
  if (counted === undefined) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `staging collection "${staging.name}" cannot be counted (no vector index to load it by): "${plan.target}" was left as it was`,
      { hint: 'Let the target build its index (index: auto) so the rows written can be proven before the swap.' },
    );
  }
  if (counted !== rows) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `staging collection "${staging.name}" holds ${counted} rows, ${rows} were written: "${plan.target}" was left as it was`,
    );
  }
  for (const check of swapChecks) await check({ staging: staging.name, target: plan.target, rows });
  const db = conn.database ? { db_name: conn.database } : {};
  if (plan.aliasOf) {
    logger.info(`switching alias "${plan.target}" from "${plan.aliasOf}" to "${staging.name}"`);
    await conn.sdk(
      'AlterAlias',
      { ...db, alias: plan.target, collection_name: staging.name },
      `switch alias "${plan.target}" to "${staging.name}"`,
    );
    const now = await aliasTarget(conn, plan.target);
    if (now !== staging.name) throw new MilvusdmError('MDM_TARGET', `switch alias "${plan.target}": it still points to "${now}"`);
    const others = (await describe(conn, plan.aliasOf)).aliases ?? [];
    if (others.length === 0) {
      logger.info(`dropping "${plan.aliasOf}", which alias "${plan.target}" pointed to`);
      await new MilvusCollection(conn, plan.aliasOf).drop();
    } else {
      logger.warn(`kept "${plan.aliasOf}": aliases ${others.join(', ')} still point to it`);
    }
    return staging;
  }
  const aside = setAsideName(plan.target, plan.runId);
  logger.info(`swapping "${staging.name}" in as "${plan.target}" (the old collection is set aside as "${aside}" first)`);
  await rename(conn, plan.target, aside);
  try {
    await rename(conn, staging.name, plan.target);
  } catch (e) {
    // Put the old collection back under its name: nothing was lost, the run failed.
    await rename(conn, aside, plan.target).catch(() => undefined);
    throw e;
  }
  logger.info(`dropping the old collection "${aside}"`);
  await new MilvusCollection(conn, aside).drop();
  return new MilvusCollection(conn, plan.target);
}
