/**
 * Overwrite of a partition, without losing the old rows before the new ones are whole. Milvus
 * cannot rename or swap a partition, so the new rows must end up in it by insertion; what can be
 * guaranteed is the order of events, and that every stop along the way can be completed:
 *
 * 1. Write: the new rows go into a staging collection `<name>__milvusdm_staging_<run>` made with
 *    the target collection's own schema (so they are checked against it), one partition per
 *    partition replaced. The target is not touched: its partitions keep their old rows, and a
 *    run that fails or is killed here leaves them exactly as they were (the job resumes into the
 *    staging collection; `milvusdm cleanup` may drop it).
 * 2. Proven: the staging collection's count must equal the rows written, and the registered
 *    content checks (staging.ts `swapChecks`) pass; otherwise the run stops here, target intact.
 * 3. Replace: the staging collection is renamed `<name>__milvusdm_fill_<run>` (one call: from now
 *    on it is the only complete copy of the new rows, and cleanup keeps it), then per partition:
 *    drop it, create it empty, copy the staged rows into it range by range, and count it. Only
 *    when every partition holds exactly its staged rows is the fill collection dropped.
 *
 * During step 3 a reader of the partition sees it empty or partly refilled — for the time the
 * copy takes, about as long as writing the rows the first time. A run stopped there (kill -9,
 * a lost server, Ctrl-C) is completed by running the same job again: it finds the fill
 * collection and does step 3 again from the start (dropping the partial partition first, so
 * nothing is doubled). Other partitions of the collection are never touched.
 */
import { DYNAMIC_FIELD, MilvusdmError, primaryField, type ChannelContext, type CollectionSchema, type ColumnBatch } from '@milvusdm/core';
import { MilvusCollection, sendBatch, type InsertTarget, type MilvusConnection } from '@milvusdm/milvus-client';
import { MilvusDataset } from '@milvusdm/reader-milvus';
import { fillName } from './names.js';
import { swapChecks, type SwapPlan } from './staging.js';

/** Rows per copy request, at most (bytes bound it too, through the reader's page size). */
const COPY_ROWS = 10_000;

export interface PartitionReplace {
  readonly conn: MilvusConnection;
  readonly context: ChannelContext;
  /** The staging collection: still named so, or already renamed to its fill name (a resumed replace). */
  readonly staging: MilvusCollection;
  /** The partitions the staging collection holds rows for. */
  readonly partitions: readonly string[];
  /** Rows the job committed into the staging collection, and what it counts (undefined: it cannot be counted). */
  readonly rows: number;
  readonly counted: number | undefined;
  readonly plan: SwapPlan;
  /** The server's statistics count live rows at once (the Lite servers); else they count flushed segments. */
  readonly liveStatistics: boolean;
}

/** Whether `staging` is a partition overwrite's staging collection already renamed for step 3. */
export function isFilling(plan: SwapPlan, staging: string): boolean {
  return staging === fillName(plan.target, plan.runId);
}

/**
 * Steps 2 and 3 above. Returns the target collection. Throws, leaving the fill collection in
 * place, when the replace cannot complete: the caller must not drop it.
 */
export async function replacePartitions(r: PartitionReplace): Promise<MilvusCollection> {
  const { conn, plan, context } = r;
  const { logger } = context;
  const target = new MilvusCollection(conn, plan.target);
  const where = `partition${r.partitions.length > 1 ? 's' : ''} ${r.partitions.map((p) => `"${p}"`).join(', ')} of "${plan.target}"`;
  if (r.counted === undefined) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `staging collection "${r.staging.name}" cannot be counted (no vector index to load it by): ${where} left as it was`,
      { hint: 'Let the target build its index (index: auto) so the rows written can be proven before the replace.' },
    );
  }
  if (r.counted !== r.rows) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `staging collection "${r.staging.name}" holds ${r.counted} rows, ${r.rows} were written: ${where} left as it was`,
    );
  }
  let fill = r.staging;
  if (!isFilling(plan, r.staging.name)) {
    for (const check of swapChecks) await check({ staging: r.staging.name, target: plan.target, rows: r.rows });
    fill = new MilvusCollection(conn, fillName(plan.target, plan.runId));
    await conn.sdk(
      'RenameCollection',
      { oldName: r.staging.name, newName: fill.name, ...(conn.database ? { db_name: conn.database, newDBName: conn.database } : {}) },
      `rename collection "${r.staging.name}" to "${fill.name}"`,
    );
    if (!(await fill.exists())) {
      throw new MilvusdmError(
        'MDM_TARGET',
        `rename "${r.staging.name}" to "${fill.name}": the server reported success but it does not exist`,
      );
    }
  } else {
    logger.info(`completing the replace of ${where} that an interrupted run began, from "${fill.name}"`);
  }
  logger.warn(
    `replacing ${where} with the ${r.rows} rows of "${fill.name}": until this ends the partition holds part of them; if the run stops, running the same job again completes it`,
  );
  // The fill collection is read through the reader's range scan: loaded for it, dropped after.
  if (!(await fill.isLoaded())) await fill.load();
  const schema = await fill.describeFully();
  const key = primaryField(schema);
  const targetKey = primaryField(await target.describe());
  const wasLoaded = await target.isLoaded();
  let copied = 0;
  for (const partition of r.partitions) {
    copied += await refill(r, target, fill, schema, partition, targetKey?.autoId === true ? key?.name : undefined);
    if (wasLoaded) {
      // Readers searched the old rows: the new ones are searchable when the replace ends.
      // Milvus Lite 3.2 has no LoadPartitions (an empty answer): it loads the whole collection.
      await conn
        .sdk(
          'LoadPartitions',
          { collection_name: target.name, partition_names: [partition], ...(conn.database ? { db_name: conn.database } : {}) },
          `load partition "${partition}" of "${target.name}"`,
        )
        .catch(() => target.load());
    }
  }
  if (copied !== r.rows) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `${where}: ${copied} rows copied from "${fill.name}", ${r.rows} were written: "${fill.name}" is kept`,
      {
        hint: 'Run the same job again to complete the replace.',
      },
    );
  }
  logger.info(`${where} now hold the ${r.rows} new rows; dropping "${fill.name}"`);
  await fill.drop();
  return target;
}

/** Empties one partition of the target and copies the staged rows into it; returns the rows it then holds. */
async function refill(
  r: PartitionReplace,
  target: MilvusCollection,
  fill: MilvusCollection,
  schema: CollectionSchema,
  partition: string,
  assignedKey: string | undefined,
): Promise<number> {
  const { conn, context } = r;
  const key = primaryField(schema)!;
  const staged = await fill.count(partition, key);
  // Dropped and made again rather than deleted row by row: one call, and nothing of the old
  // rows (or of an interrupted refill) can survive into the new partition.
  if (await target.hasPartition(partition)) await target.dropPartition(partition);
  await target.createPartition(partition);
  const source = new MilvusDataset(conn, fill.name, partition, schema, staged, COPY_ROWS, context.logger, 'fail');
  const insert: InsertTarget = {
    collection: target.name,
    partition,
    // As the writer inserts: arrays carry their element type, the dynamic field its own column.
    elementTypes: new Map(schema.fields.filter((f) => f.type === 'array' && f.elementType).map((f) => [f.name, f.elementType!])),
    ...(schema.enableDynamicField ? { dynamicColumn: DYNAMIC_FIELD } : {}),
  };
  let rows = 0;
  for await (const batch of source.batches({ batchRows: COPY_ROWS })) {
    context.signal.throwIfAborted();
    await sendBatch(conn, insert, withoutKey(batch, assignedKey), { upsert: false });
    rows += batch.numRows;
    context.logger.info(`refilled ${rows}/${staged} rows of partition "${partition}" of "${target.name}"`);
  }
  // A partition made by this run and written only by inserts: the statistics count it exactly
  // once flushed (Milvus 2.x counts flushed segments; the Lite servers count at once).
  if (!r.liveStatistics) await target.flush();
  const held = await target.statisticsRows(partition);
  if (held !== staged || rows !== staged) {
    throw new MilvusdmError(
      'MDM_VERIFY',
      `partition "${partition}" of "${target.name}" holds ${held} rows after copying ${rows} of the ${staged} staged: "${fill.name}" is kept`,
      { hint: 'Run the same job again to complete the replace.' },
    );
  }
  return held;
}

/** The batch without its key column, for a target whose server assigns the keys (autoid). */
function withoutKey(batch: ColumnBatch, key: string | undefined): ColumnBatch {
  if (!key || !batch.columns.has(key)) return batch;
  const columns = new Map(batch.columns);
  columns.delete(key);
  return { ...batch, columns };
}

/**
 * After a failed or interrupted run: when the replace had begun, the fill collection is the only
 * complete copy of the new rows and must stay. Returns what to tell the user, or undefined when
 * the replace had not begun (the staging collection may go; the target was not changed).
 */
export async function keptForResume(conn: MilvusConnection, plan: SwapPlan): Promise<string | undefined> {
  const fill = fillName(plan.target, plan.runId);
  if (!(await new MilvusCollection(conn, fill).exists())) return undefined;
  return `the run stopped while replacing partitions of "${plan.target}" (they may hold part of the new rows); "${fill}" holds all of them and is kept: running the same job again completes the replace`;
}
