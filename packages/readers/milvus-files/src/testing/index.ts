/**
 * Test support: builds synthetic Milvus 1.x directories and writes the rows they must yield
 * as .npy files for independent checks. Not used by the reader.
 */
export { buildMilvus1xDir, type BuiltDir, type BuiltSegment, type CollectionSpec, type DirSpec, type ExpectedDataset, type PartitionSpec, type SegmentSpec, type SegmentType } from './build.js';
export { npyBytes, writeNpy } from './npy.js';
export { mix64, Random } from './random.js';
export { expectedFileStem, writeExpectedNpy } from './expected.js';
