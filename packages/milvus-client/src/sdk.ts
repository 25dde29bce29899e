/**
 * The Milvus SDK, loaded with its bulk writer deferred until something uses it.
 *
 * The SDK's index requires every part of the SDK at once, its `bulkwriter` too, which loads
 * parquetjs, bson (and its 17 MiB serialisation buffer) and the AWS S3 client. milvusdm writes
 * its own Parquet for bulk import and never uses it, yet every command that contacts a server
 * paid for it: measured on this machine, importing this package took 232 ms with the bulk writer
 * deferred against 336 ms without, and left 5.2 MiB less on V8's heap (which every full garbage
 * collection of a long run marks again) — bench/README.md, "H2M at 1M × 128 into Milvus 2.3:
 * where the client's CPU goes, and two cuts".
 *
 * How: before the SDK loads, require's cache gets an entry for the bulk writer's index whose
 * exports are getters for its names; the first read of one loads the real module in its place.
 * So `BulkWriter` and the rest still work for anyone in the process who asks for them (a
 * third-party plugin, say). Where the file is not where SDK 3.0 keeps it, nothing is deferred and
 * the SDK loads whole; the names deferred are checked against the real module in the tests, so
 * an SDK update that changes them fails there, not in a user's run.
 */
import { Module, createRequire } from 'node:module';

type Sdk = typeof import('@zilliz/milvus2-sdk-node');

const require = createRequire(import.meta.url);

/** What the bulk writer's index of SDK 3.0.x exports (checked against the real module in the tests). */
export const BULK_WRITER_EXPORTS = ['BulkWriter', 'VolumeManager', 'ColumnBuffer', 'JsonFormatter', 'ParquetFormatter', 'LocalStorage'];

export const BULK_WRITER_MODULE = '@zilliz/milvus2-sdk-node/dist/milvus/bulkwriter/index.js';

/** Puts the deferred bulk writer in require's cache; false when the SDK's layout is not the expected one. */
function deferBulkWriter(): boolean {
  let path: string;
  try {
    path = require.resolve(BULK_WRITER_MODULE);
  } catch {
    return false;
  }
  if (require.cache[path]) return false;
  let real: Record<string, unknown> | undefined;
  const load = (): Record<string, unknown> => {
    if (!real) {
      delete require.cache[path];
      real = require(path) as Record<string, unknown>;
    }
    return real;
  };
  const exports: Record<string, unknown> = {};
  for (const name of BULK_WRITER_EXPORTS) {
    Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
  }
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = exports;
  require.cache[path] = stub;
  return true;
}

deferBulkWriter();

const sdk = require('@zilliz/milvus2-sdk-node') as Sdk;

type FromJson = (json: unknown, options?: unknown) => unknown;

/**
 * Runs `construct` (the SDK client's constructor) with @grpc/proto-loader's `fromJSON` giving
 * back what it already built for the same JSON and options. The constructor builds the package
 * definition of milvus.proto twice — once for each service it looks up — and each build took
 * 65–100 ms here. Only for the length of the call, so nothing else in the process ever shares
 * a definition; where proto-loader is not found beside the SDK, the constructor runs as it is.
 */
export function constructSharingProtoDefinitions<T>(construct: () => T): T {
  let loader: { fromJSON?: FromJson } | undefined;
  try {
    loader = createRequire(require.resolve('@zilliz/milvus2-sdk-node'))('@grpc/proto-loader') as { fromJSON?: FromJson };
  } catch {
    loader = undefined;
  }
  const original = loader?.fromJSON;
  if (!loader || typeof original !== 'function') return construct();
  const built: { json: unknown; options: unknown; definition: unknown }[] = [];
  loader.fromJSON = (json, options) => {
    const known = built.find((b) => b.json === json && sameOptions(b.options, options));
    if (known) return known.definition;
    const definition = original(json, options);
    built.push({ json, options, definition });
    return definition;
  };
  try {
    return construct();
  } finally {
    loader.fromJSON = original;
  }
}

/**
 * Whether two proto-loader option objects ask for the same thing: the same keys, each value the
 * same (functions, such as `longs: String`, by identity; plain data by its JSON).
 */
function sameOptions(a: unknown, b: unknown): boolean {
  const x = (a ?? {}) as Record<string, unknown>;
  const y = (b ?? {}) as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => {
    if (!(k in y)) return false;
    if (x[k] === y[k]) return true;
    if (typeof x[k] === 'function' || typeof y[k] === 'function') return false;
    return JSON.stringify(x[k]) === JSON.stringify(y[k]);
  });
}

export const MilvusClient = sdk.MilvusClient;
export type MilvusClient = InstanceType<Sdk['MilvusClient']>;
export const promisify = sdk.promisify;
