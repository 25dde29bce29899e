/**
 * Opening a Milvus 1.x directory: read the meta once (one snapshot), then check every live
 * segment's files. Only when all of them pass are the datasets handed to the runner, so a
 * missing or cut-off file fails the job before the target sees a single row.
 */
import { MilvusdmError, type ChannelContext, type ReaderSource } from '@milvusdm/core';
import { engineName, type MetaTable } from '@milvusdm/reader-milvus-meta';
import { checkDataset, type CheckedDataset } from './check.js';
import { Milvus1xDataset } from './dataset.js';
import { locateDataDir } from './layout.js';
import { openMeta, redactSecrets } from './meta.js';
import type { Milvus1xReaderOptions } from './options.js';
import { DEFAULT_TAG, planDatasets, type PlannedDataset } from './plan.js';

function droppedText(t: MetaTable): string {
  return t.ownerTable ? `partition "${t.ownerTable}/${t.partitionTag}"` : `collection "${t.tableId}"`;
}

export async function openMilvus1x(options: Milvus1xReaderOptions, context: ChannelContext): Promise<ReaderSource> {
  const { logger } = context;
  redactSecrets(options, context);
  const dir = locateDataDir(options.path, context.baseDir);
  const store = await openMeta(dir, options, context);
  let planned: PlannedDataset[];
  let dropped: MetaTable[];
  try {
    ({ planned, dropped } = await store.snapshot(async () => ({
      planned: await planDatasets(store, options.collections),
      dropped: await store.droppedTables(),
    })));
  } finally {
    // The meta is read once; no connection stays open while rows move.
    await store.close();
  }
  logger.info(`${dir.db}: meta in ${store.description}; ${planned.length} partition(s) selected`);
  if (dropped.length > 0) logger.info(`dropped in 1.x, not migrated: ${dropped.map(droppedText).join(', ')}`);
  for (const c of new Set(planned.map((p) => p.collection))) {
    if (c.engineType > 1 && c.engineType !== 9) {
      logger.info(`"${c.tableId}" had a ${engineName(c.engineType)} index ${c.indexParams} in 1.x; the target builds its own`);
    }
  }

  const checked: CheckedDataset[] = [];
  const problems: string[] = [];
  for (const p of planned) {
    context.signal.throwIfAborted();
    const c = await checkDataset(dir, p);
    problems.push(...c.problems);
    for (const w of c.warnings) logger.warn(w);
    if (options.row_count_check === 'fail') problems.push(...c.rowCountMismatches);
    else for (const m of c.rowCountMismatches) logger.warn(`${m}; reading what the files hold`);
    checked.push(c);
  }
  if (problems.length > 0) {
    for (const p of problems) logger.error(p);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s), each in the log)` : '';
    throw new MilvusdmError('MDM_SOURCE', `${problems[0]}${more}`, {
      hint: 'Nothing was written: every segment is checked before the first row moves. Restore the files from the stopped Milvus (or fix its meta) and run again.',
    });
  }

  const settings = { idField: options.id_field, vectorField: options.vector_field, blockBytes: options.block_bytes };
  const datasets: Milvus1xDataset[] = [];
  for (const c of checked) {
    if (c.rows === 0 && options.skip_empty) {
      logger.info(`${c.planned.label}: no live rows; left out (skip_empty)`);
      continue;
    }
    datasets.push(new Milvus1xDataset(c, settings));
  }
  const rows = datasets.reduce((n, d) => n + d.rows, 0);
  const segments = checked.reduce((n, c) => n + c.segments.length, 0);
  logger.info(
    `${datasets.length} dataset(s) to migrate: ${rows} live rows in ${segments} segment(s) (${datasets.map((d) => d.key.replace(`/${DEFAULT_TAG}`, '')).join(', ') || 'none'})`,
  );
  return {
    datasets,
    async close() {},
  };
}
