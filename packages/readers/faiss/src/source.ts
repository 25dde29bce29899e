/**
 * The Faiss source: one index file, one dataset. Opening it runs the whole structure pass and
 * every refusal (unsupported type or metric, lossy codes without allow_lossy, vectors not in the
 * file), so a bad input stops the run before the target is touched.
 */
import { existsSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import {
  BINARY_METRICS,
  ConfigError,
  MilvusdmError,
  type ChannelContext,
  type CollectionSchema,
  type ColumnBatch,
  type MetricType,
  type ReadOptions,
  type ReaderSource,
  type SourceDataset,
} from '@milvusdm/core';
import { RandomAccessFile } from './byte-reader.js';
import { faissMetricName, milvusMetric } from './headers.js';
import type { FaissReaderOptions } from './options.js';
import { parseIndex } from './parse.js';
import { planRead, type ReadPlan } from './plan.js';
import { readBatches } from './stream.js';

/** Parses a file's structure (no data is read) and plans how to read it. */
export async function loadPlan(path: string): Promise<{ plan: ReadPlan; bytes: number }> {
  const file = await RandomAccessFile.open(path, 'index file');
  try {
    const root = await parseIndex(file);
    return { plan: planRead(root, path), bytes: file.size };
  } finally {
    await file.close();
  }
}

export function defaultCollection(path: string): string {
  const stem = basename(path, extname(path)).replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(stem) ? stem : `_${stem}`;
}

function metricText(plan: ReadPlan): string {
  return `${faissMetricName(plan.metric)} (Faiss metric ${plan.metric}${plan.metric === 4 && plan.metricArg !== undefined ? `, argument ${plan.metricArg}` : ''})`;
}

/** The metric announced on the vector field: the job's, else the file's, else a refusal. */
export function chooseMetric(plan: ReadPlan, path: string, wanted: MetricType | undefined): MetricType {
  const binaryWanted = wanted !== undefined && BINARY_METRICS.includes(wanted);
  if (plan.family === 'binary') {
    if (wanted && !binaryWanted)
      throw new ConfigError(`source.metric: ${wanted} is a float metric, but ${path} holds binary vectors (use HAMMING, JACCARD, …)`);
    // The binary header's metric is meaningless (Faiss searches binary vectors by Hamming distance).
    return wanted ?? 'HAMMING';
  }
  if (wanted) {
    if (binaryWanted)
      throw new ConfigError(`source.metric: ${wanted} is a binary metric, but ${path} holds float vectors (use L2, IP or COSINE)`);
    return wanted;
  }
  const metric = milvusMetric(plan.metric);
  if (!metric) {
    throw new MilvusdmError(
      'MDM_UNSUPPORTED',
      `${path}: the index uses the ${metricText(plan)} metric, which Milvus has no equivalent for; supported: L2 (Faiss 1) and IP (Faiss 0)`,
      { hint: 'Set source.metric (L2, IP or COSINE) to migrate the vectors under a Milvus metric anyway.' },
    );
  }
  return metric;
}

/** Refuses what cannot or should not be migrated, with one line naming the file. */
export function checkMigratable(plan: ReadPlan, path: string, allowLossy: boolean): void {
  if (plan.data.kind === 'absent') throw new MilvusdmError('MDM_SOURCE', `${path}: ${plan.data.reason}; nothing to migrate`);
  if (plan.lossy && !allowLossy) {
    throw new MilvusdmError('MDM_UNSUPPORTED', `${path}: ${plan.lossy}`, {
      hint: 'Set source.allow_lossy: true to migrate the reconstructed vectors anyway.',
    });
  }
}

/** Bytes the on-disk lists need in their data file. */
function dataExtent(plan: ReadPlan): number {
  if (plan.data.kind !== 'lists') return 0;
  const { table } = plan.data;
  let end = 0;
  for (let k = 0; k < table.listNo.length; k++) end = Math.max(end, table.idOffsets[k]! + table.sizes[k]! * 8);
  return end;
}

/**
 * Where the `ilod` lists are: the job's data_file, else the stored path (absolute, or relative
 * to the index's folder or the job's), else a file of the same name beside the index.
 */
export function findDataFile(plan: ReadPlan, path: string, option: string | undefined, baseDir: string): string | undefined {
  if (plan.data.kind !== 'lists' || plan.data.table.encoding !== 'ondisk' || plan.data.table.total === 0) return undefined;
  const stored = plan.data.table.dataFile?.stored ?? '';
  const candidates = option
    ? [resolve(baseDir, option)]
    : [
        ...(isAbsolute(stored) ? [stored] : [resolve(dirname(path), stored), resolve(baseDir, stored)]),
        resolve(dirname(path), basename(stored)),
      ];
  const found = [...new Set(candidates)].find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `${path}: its inverted lists are on disk in ${JSON.stringify(stored)}, which was not found (looked at ${[...new Set(candidates)].join(', ')})`,
      { hint: 'Set source.data_file to the data file written with the index.' },
    );
  }
  const need = dataExtent(plan);
  const size = statSync(found).size;
  if (size < need) {
    throw new MilvusdmError(
      'MDM_SOURCE',
      `${found}: the inverted-lists data file of ${path} has ${size} bytes but its lists reach byte ${need} (truncated?)`,
    );
  }
  return found;
}

export class FaissDataset implements SourceDataset {
  readonly key: string;
  readonly collection: string;
  readonly partition?: string;
  readonly schema: CollectionSchema;
  readonly origin: string;
  readonly rows: number;

  constructor(
    readonly path: string,
    readonly plan: ReadPlan,
    readonly metric: MetricType,
    private readonly options: FaissReaderOptions,
    private readonly dataPath: string | undefined,
  ) {
    this.collection = options.collection ?? defaultCollection(path);
    if (options.partition) this.partition = options.partition;
    this.key = `${this.collection}/${options.partition ?? '_default'}`;
    this.origin = `file ${path}`;
    this.rows = plan.rows;
    this.schema = {
      fields: [
        { name: options.id_field, type: 'int64', isPrimaryKey: true },
        { name: options.vector_field, type: plan.family === 'binary' ? 'binary_vector' : 'float_vector', dim: plan.d, metric },
      ],
      description: `Faiss ${plan.chain.join(' > ')} from ${basename(path)}`,
    };
  }

  batches(options: ReadOptions): AsyncGenerator<ColumnBatch> {
    return readBatches({
      plan: this.plan,
      indexPath: this.path,
      ...(this.dataPath ? { dataPath: this.dataPath } : {}),
      batchRows: options.batchRows,
      ...(options.resumeFrom !== undefined ? { resumeFrom: options.resumeFrom } : {}),
      idField: this.options.id_field,
      vectorField: this.options.vector_field,
    });
  }
}

export class FaissSource implements ReaderSource {
  constructor(
    readonly datasets: readonly SourceDataset[],
    private readonly paths: readonly string[] = [],
  ) {}

  /** Size and modification time of the index (and data) file: a resumed run's cursors are only valid for the same files. */
  async fingerprint(): Promise<Record<string, unknown>> {
    const files: Record<string, unknown> = {};
    for (const path of this.paths) {
      const s = await stat(path);
      files[path] = { size: s.size, mtime: s.mtimeMs };
    }
    return { files };
  }

  async close(): Promise<void> {}
}

export async function openSource(options: FaissReaderOptions, context: ChannelContext): Promise<FaissSource> {
  const path = isAbsolute(options.path) ? options.path : resolve(context.baseDir, options.path);
  const { plan } = await loadPlan(path);
  const metric = chooseMetric(plan, path, options.metric);
  checkMigratable(plan, path, options.allow_lossy);
  const dataPath = findDataFile(plan, path, options.data_file, context.baseDir);
  if (plan.lossy) context.logger.warn(`${path}: ${plan.lossy} (allow_lossy is set)`);
  const dataset = new FaissDataset(path, plan, metric, options, dataPath);
  context.logger.info(
    `${dataset.origin}: Faiss ${plan.chain.join(' > ')}, ${plan.rows} vectors of dimension ${plan.d}, ${metric}, ids ${plan.ids === 'implied' ? '0 … n-1 (none stored)' : `stored (${plan.ids})`}`,
  );
  return new FaissSource([dataset], dataPath && dataPath !== path ? [path, dataPath] : [path]);
}
