/**
 * @milvusdm/plugin-kit: what a plugin author needs to test a reader or writer against the
 * contract milvusdm relies on, in one line of vitest:
 *
 *   testReader(plugin, { fieldTypes: ['int64', 'float_vector'], write: ..., badOptions: ... });
 */
export { testReader, type ReaderFixture, type ReaderSuiteOptions } from './reader-suite.js';
export { testWriter, type WriterSuiteOptions, type WriterTarget } from './writer-suite.js';
export { ALL_FIELD_TYPES, generateBatch, schemaFor } from './generate.js';
export { batchDifferences, columnDifference, concatBatches, concatColumn } from './compare.js';
export { memoryReader, recordingWriter, expectedRows, type GeneratedDataset, type Recording } from './channels.js';
