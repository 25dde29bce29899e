/**
 * `milvusdm inspect FILE` for Faiss indexes: the type chain, dimension, count, metric, where
 * the ids come from and whether the vectors are exact — from the structure pass alone, so it is
 * quick even for a multi-GB index. Files that do not start with a Faiss fourcc are not ours.
 */
import type { InspectReport } from '@milvusdm/core';
import { errorMessage } from '@milvusdm/core';
import { faissMetricName, milvusMetric } from './headers.js';
import { looksLikeFaiss } from './parse.js';
import { describeTree } from './plan.js';
import { findDataFile, loadPlan } from './source.js';

export async function inspectFaiss(target: string, baseDir: string): Promise<InspectReport | undefined> {
  if (!(await looksLikeFaiss(target))) return undefined;
  const { plan, bytes } = await loadPlan(target);
  const binary = plan.family === 'binary';
  const milvus = binary ? 'HAMMING' : milvusMetric(plan.metric);
  const faissMetric = {
    number: plan.metric,
    name: faissMetricName(plan.metric),
    ...(plan.metricArg !== undefined ? { arg: plan.metricArg } : {}),
  };
  const problems: string[] = [];
  if (plan.data.kind === 'absent') problems.push(plan.data.reason);
  if (!milvus) problems.push(`Milvus has no ${faissMetric.name} metric: set source.metric to migrate under L2, IP or COSINE`);
  let dataFile: string | undefined;
  if (plan.data.kind === 'lists' && plan.data.table.encoding === 'ondisk') {
    try {
      dataFile = findDataFile(plan, target, undefined, baseDir);
    } catch (e) {
      problems.push(errorMessage(e));
    }
  }
  const exact = plan.lossy === undefined;
  const idsStored = plan.ids !== 'implied';
  const metricLine = binary
    ? 'HAMMING (binary vectors; Faiss compares them by Hamming distance)'
    : milvus
      ? `${milvus} (Faiss metric ${plan.metric})`
      : `${faissMetric.name} (Faiss metric ${plan.metric}${plan.metric === 4 && plan.metricArg !== undefined ? `, argument ${plan.metricArg}` : ''}): no Milvus equivalent`;
  const lines = [
    `Faiss index ${target} (${bytes} bytes)`,
    `type:       ${plan.chain.join(' > ')} (${plan.family} vectors)`,
    `dimension:  ${plan.d}${binary ? ' bits' : ''}`,
    `count:      ${plan.rows}`,
    `metric:     ${metricLine}`,
    `ids:        ${idsStored ? `stored (${plan.ids})` : `implied: 0 … n-1 by position (the index stores none)`}`,
    `exact:      ${exact ? 'yes: the file stores the vectors themselves' : `no: ${plan.lossy}; migrate with source.allow_lossy: true`}`,
    ...(dataFile ? [`lists data: ${dataFile}`] : []),
    ...problems.map((p) => `problem:    ${p}`),
    'structure:',
    ...describeTree(plan.root, 1),
  ];
  return {
    format: 'faiss',
    lines,
    data: {
      file: target,
      bytes,
      family: plan.family,
      type: plan.chain.join(' > '),
      chain: plan.chain,
      fourcc: plan.root.fourcc,
      dimension: plan.d,
      count: plan.rows,
      metric: milvus ?? null,
      faissMetric,
      ids: idsStored ? 'stored' : 'implied',
      idsFrom: plan.ids,
      exact,
      ...(plan.lossy ? { lossy: plan.lossy } : {}),
      ...(dataFile ? { dataFile } : {}),
      migratable: problems.length === 0,
      problems,
      structure: describeTree(plan.root).map((l) => l.trimEnd()),
    },
  };
}
