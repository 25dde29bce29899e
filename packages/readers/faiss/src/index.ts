/**
 * @milvusdm/reader-faiss: vectors and ids out of Faiss index files, parsed in TypeScript (no
 * Faiss at run time), streamed in bounded batches into any milvusdm writer.
 */
import { definePlugin } from '@milvusdm/core';
import { inspectFaiss } from './inspect.js';
import { faissReaderOptions, type FaissReaderOptions } from './options.js';
import { openSource } from './source.js';

export { faissReaderOptions, type FaissReaderOptions };
export { loadPlan, FaissDataset, chooseMetric, checkMigratable, defaultCollection } from './source.js';
export { inspectFaiss } from './inspect.js';
export { parseIndex, looksLikeFaiss } from './parse.js';
export { planRead, describeTree, type ReadPlan } from './plan.js';
export type { FaissCursor } from './stream.js';

export default definePlugin({
  kind: 'reader',
  name: 'faiss',
  description: 'Reads vectors and ids from Faiss index files, without Faiss.',
  options: faissReaderOptions,
  open(options: FaissReaderOptions, context) {
    return openSource(options, context);
  },
  inspect(target, context) {
    return inspectFaiss(target, context.baseDir);
  },
});
