export { MilvusConnection } from './connection.js';
export {
  connectionShape,
  secretString,
  tlsOptions,
  milvusName,
  uriProblem,
  DEFAULT_TIMEOUT_S,
  DEFAULT_CONNECT_TIMEOUT_S,
  type ConnectionOptions,
} from './connection-options.js';
export { parseMilvusUri, type MilvusTarget } from './address.js';
export { startMilvusLite, findMilvusLite, freePort, type LiteServer } from './lite.js';
export { ensureOk, isSuccess, ServerRefusal, statusReason } from './status.js';
export {
  withRetry,
  classifyFailure,
  mayRetry,
  backoffDelay,
  DEFAULT_RETRY,
  type FailureKind,
  type RetryPolicy,
  type RetryOptions,
} from './retry.js';
export { sendBatch, InsertInDoubtError, type SendOptions } from './send-policy.js';
export { insertBatch, queryColumns, countRows, readTimestamp, readConsistency, type InsertTarget, type ReadPoint } from './data-path.js';
export { rangeExpr, everyRowExpr, compareKeys, quoteString, type KeyBound, type KeyRange, type KeyValue } from './expr.js';
export {
  schemaFromDescription,
  fieldsForCreate,
  indexesFromDescription,
  type DescribedCollection,
  type DescribedField,
  type DescribedIndex,
  type DescribedFunction,
} from './schema-map.js';
export { DATA_TYPE, fieldTypeOfSdkName } from './wire/data-types.js';
export type { DecodedField } from './wire/field-data-decode.js';
export { MilvusCollection } from './collection.js';
export { serverInfo, parseRelease, type ServerInfo } from './server-info.js';
export { createRequest } from './create-request.js';
export { buildIndex, describedIndexes } from './index-build.js';
export { nameHolder, pointAlias, type NameHolder } from './aliases.js';
