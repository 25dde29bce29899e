export { verifyDataset, bucketCount } from './verify-dataset.js';
export { verifyJob, type VerifyJobInput, type JobVerdict } from './verify-job.js';
export { canonicalJson } from './canonical-json.js';
export { RowHasher, type ComparePlan, type ComparedField } from './row-hasher.js';
export { comparePlan } from './plan.js';
export { compareKeyText } from './collect.js';
export type { DatasetVerdict, Difference, DifferenceKind, VerifyMode, VerifyOptions, VerifySide } from './types.js';
