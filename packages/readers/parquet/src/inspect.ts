/** `milvusdm inspect FILE|FOLDER` for Parquet: the files, their columns and what the reader would announce. */
import { open, stat } from 'node:fs/promises';
import { describeSchema, errorMessage, type InspectReport } from '@milvusdm/core';
import type { ParquetReaderOptions } from './options.js';
import { expandPaths } from './paths.js';
import { groupFiles, planFile } from './source.js';

const MAGIC = Buffer.from('PAR1');

/** Parquet files start (and end) with `PAR1`. */
async function looksLikeParquet(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
      return head.equals(MAGIC);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

export async function inspectParquet(target: string): Promise<InspectReport | undefined> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return undefined;
  let paths: string[];
  if (info.isDirectory()) {
    paths = await expandPaths([target], '/').catch(() => []);
    if (paths.length === 0) return undefined;
  } else {
    if (!(await looksLikeParquet(target))) return undefined;
    paths = [target];
  }
  const options: ParquetReaderOptions = { path: target };
  const lines = [info.isDirectory() ? `Parquet folder ${target}: ${paths.length} file(s)` : `Parquet file ${target}`];
  const files = [];
  try {
    for (const path of paths) {
      const planned = await planFile(path, options);
      files.push(planned);
      lines.push(
        `  ${path}: ${planned.footer.rows} rows in ${planned.footer.rowGroups.length} row group(s)${planned.footer.metadata.has('milvusdm.schema') ? ', milvusdm schema stored' : ''}`,
      );
    }
    const datasets = groupFiles(files, options);
    for (const d of datasets) {
      lines.push(
        `dataset ${d.key}: ${d.rows} rows`,
        `  fields: ${describeSchema(d.schema)}${d.schema.enableDynamicField ? ', $meta (dynamic fields)' : ''}`,
      );
    }
    return {
      format: 'parquet',
      lines,
      data: {
        path: target,
        files: files.map((f) => ({
          path: f.path,
          rows: f.footer.rows,
          rowGroups: f.footer.rowGroups.length,
          columns: f.footer.schema.fields.map((c) => ({ name: c.name, type: String(c.type) })),
        })),
        datasets: datasets.map((d) => ({
          key: d.key,
          collection: d.collection,
          partition: d.partition ?? null,
          rows: d.rows,
          schema: d.schema,
        })),
      },
    };
  } catch (e) {
    lines.push(`problem: ${errorMessage(e)}`);
    return { format: 'parquet', lines, data: { path: target, problem: errorMessage(e) } };
  }
}
