/**
 * The headers every index writes right after its fourcc, and Faiss's metric numbering.
 * Float: d i32, ntotal i64, two ignored i64, is_trained u8, metric i32, metric_arg f32 only when
 * metric > 1. Binary: d i32 (bits), code_size i32, ntotal i64, is_trained u8, metric i32.
 */
import type { MetricType } from '@milvusdm/core';
import { sourceError, type StructureReader } from './byte-reader.js';
import type { Header } from './model.js';

/** Faiss MetricType numbers and names (faiss/MetricType.h). */
const FAISS_METRICS: Record<number, string> = {
  0: 'INNER_PRODUCT',
  1: 'L2',
  2: 'L1',
  3: 'Linf',
  4: 'Lp',
  20: 'Canberra',
  21: 'BrayCurtis',
  22: 'JensenShannon',
  23: 'Jaccard',
  24: 'NaNEuclidean',
  25: 'GOWER',
};

export function faissMetricName(metric: number): string {
  return FAISS_METRICS[metric] ?? `unknown metric ${metric}`;
}

/** The Milvus name of a float index's metric, when Milvus has one: Faiss 0 = IP, 1 = L2. */
export function milvusMetric(metric: number): MetricType | undefined {
  return metric === 0 ? 'IP' : metric === 1 ? 'L2' : undefined;
}

/** Largest dimension accepted; far above anything Milvus stores, low enough to catch garbage. */
const MAX_DIM = 1 << 24;

export async function readFloatHeader(r: StructureReader, where: string): Promise<Header> {
  const d = await r.i32(`the dimension of ${where}`);
  const ntotal = await r.count64(`the vector count of ${where}`);
  await r.i64(`the header of ${where}`);
  await r.i64(`the header of ${where}`);
  await r.u8(`the header of ${where}`);
  const metric = await r.i32(`the metric of ${where}`);
  // metric_arg exists only for metrics above L2 (since Faiss 1.5.3; older files never had them).
  const metricArg = metric > 1 ? await r.f32(`the metric argument of ${where}`) : undefined;
  if (d < 1 || d > MAX_DIM) throw sourceError(r.file.path, `${where} has dimension ${d}, which no valid index has (corrupt file?)`);
  if (metric < 0 || metric > 1000)
    throw sourceError(r.file.path, `${where} has metric number ${metric}, which Faiss does not define (corrupt file?)`);
  return metricArg === undefined ? { d, ntotal, metric } : { d, ntotal, metric, metricArg };
}

/**
 * `wrapper`: an id map's header, whose code_size Faiss 1.7.3 left at 0 (the wrapper set d after
 * construction); the inner index's header carries the real one.
 */
export async function readBinaryHeader(r: StructureReader, where: string, wrapper = false): Promise<Header & { codeSize: number }> {
  const d = await r.i32(`the dimension of ${where}`);
  const codeSize = await r.i32(`the code size of ${where}`);
  const ntotal = await r.count64(`the vector count of ${where}`);
  await r.u8(`the header of ${where}`);
  const metric = await r.i32(`the metric of ${where}`);
  if (d < 8 || d > MAX_DIM || d % 8 !== 0) {
    throw sourceError(r.file.path, `${where} has ${d} bits per vector; binary indexes hold a positive multiple of 8 (corrupt file?)`);
  }
  if (codeSize !== d / 8 && !(wrapper && codeSize === 0))
    throw sourceError(r.file.path, `${where} has code size ${codeSize} for ${d} bits, expected ${d / 8} (corrupt file?)`);
  return { d, ntotal, metric, codeSize: d / 8 };
}
