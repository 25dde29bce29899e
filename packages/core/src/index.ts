export * from './schema.js';
export * from './schema-json.js';
export * from './batch.js';
export * from './errors.js';
export * from './logger.js';
export * from './options.js';
export * from './plugin.js';
export * from './int64.js';
export * from './job/spec.js';
export { fromLegacyFormat, isLegacyDocument, LEGACY_TASKS, type LegacyTask } from './job/legacy.js';
export { fromNewFormat, jobFileSchema } from './job/new-format.js';
export { loadJobFile, jobFromDocument, parseYaml, defaultRunId, type LoadJobOptions } from './job/load.js';
export { buildJobJsonSchema, JOB_SCHEMA_URL } from './job/json-schema.js';
export { MILVUS_NAME, milvusNameProblem, milvusUriProblem } from './job/names.js';
export { prefetch } from './pipeline/prefetch.js';
export { ProgressTracker, type ProgressSnapshot } from './pipeline/progress.js';
export { rebatch } from './pipeline/rebatch.js';
export { selectColumn } from './pipeline/select-rows.js';
export { runJob, type RunEvent, type RunInput, type RunSummary, type DatasetResult } from './runner.js';
export { scanPlugins, looksLikePluginName, nodeModulesChain, type InstalledPlugin } from './discovery/scan.js';
export { resolveChannel, candidatePackages, setPluginImportGuard, type ResolveOptions, type ResolvedPlugin } from './discovery/resolve.js';
export * from './verify/index.js';
export { FIRST_PARTY_CHANNELS } from './discovery/first-party.js';
export { closest } from './suggest.js';
export {
  ResumeBook,
  type ResumeSettings,
  readRunState,
  writeRunState,
  removeRunState,
  STATE_VERSION,
  type RunState,
  type DatasetState,
  fingerprintOf,
  fingerprintChanges,
  type SourceFingerprint,
  stateFileFor,
  jobHashOf,
} from './state/index.js';
export { ensureFreeSpace, estimatedRowBytes, freeBytes, formatBytes } from './io/free-space.js';
export { writeFully, writeFullySync } from './io/write-fully.js';
export { fileWriteFailure } from './io/write-failure.js';
export { FileLock, type FileLockOptions, type LockHolder } from './io/file-lock.js';
export { OutputLocks } from './io/output-locks.js';
export * as hdf5Layout from './formats/hdf5-layout.js';
export { hdf5Failure, type Hdf5Failure } from './formats/hdf5-errors.js';
