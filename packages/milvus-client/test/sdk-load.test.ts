/**
 * The SDK is loaded with its bulk writer deferred (src/sdk.ts). Each case runs in a fresh Node
 * process against the built module, since what is checked is what a process has loaded.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BULK_WRITER_EXPORTS, BULK_WRITER_MODULE } from '../src/sdk.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs an ES module script in `pkg` and returns what it printed as JSON. */
function inFreshProcess(script: string): unknown {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: pkg, encoding: 'utf8' });
  return JSON.parse(out);
}

const LOADED_HEAVY = `Object.keys(require.cache).filter((k) => /node_modules\\/(bson|@dsnp\\/parquetjs|parquetjs|@aws-sdk\\/client-s3)\\//.test(k)).length`;

describe('the Milvus SDK, loaded with its bulk writer deferred', () => {
  it('defers exactly the names the real bulk writer exports', () => {
    const real = inFreshProcess(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      console.log(JSON.stringify(Object.keys(require(${JSON.stringify(BULK_WRITER_MODULE)}))));
    `);
    expect(real).toEqual(BULK_WRITER_EXPORTS);
  });

  it('loads neither bson, parquetjs nor the S3 client until a bulk writer name is read, then gives the real one', () => {
    const seen = inFreshProcess(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const { MilvusClient, promisify } = await import('./dist/sdk.js');
      const before = ${LOADED_HEAVY};
      const sdk = require('@zilliz/milvus2-sdk-node');
      const sameClient = sdk.MilvusClient === MilvusClient && sdk.promisify === promisify;
      const BulkWriter = sdk.BulkWriter;
      const after = ${LOADED_HEAVY};
      const real = require(${JSON.stringify(BULK_WRITER_MODULE)});
      console.log(JSON.stringify({
        before, after, sameClient,
        client: typeof MilvusClient,
        bulkWriter: typeof BulkWriter,
        isReal: BulkWriter === real.BulkWriter && sdk.LocalStorage === real.LocalStorage,
      }));
    `);
    expect(seen).toEqual({
      before: 0,
      after: expect.any(Number),
      sameClient: true,
      client: 'function',
      bulkWriter: 'function',
      isReal: true,
    });
    expect((seen as { after: number }).after).toBeGreaterThan(0);
  });

  it('builds milvus.proto once for the SDK client, and only while the client is made', () => {
    const seen = inFreshProcess(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const { MilvusClient, constructSharingProtoDefinitions } = await import('./dist/sdk.js');
      const loader = createRequire(require.resolve('@zilliz/milvus2-sdk-node'))('@grpc/proto-loader');
      const original = loader.fromJSON;
      // Counts real builds by wrapping what the SDK will find, under the memo.
      let builds = 0;
      loader.fromJSON = (json, options) => { builds += 1; return original(json, options); };
      const counting = loader.fromJSON;
      const make = () => new MilvusClient({ address: '127.0.0.1:9', telemetry: { enabled: false }, logLevel: 'error' });
      make();
      const plain = builds;
      builds = 0;
      const client = constructSharingProtoDefinitions(make);
      const shared = builds;
      // Options that differ only in a function (longs: String or Number) are not the same request.
      const probe = { nested: {} };
      const byOptions = constructSharingProtoDefinitions(() => {
        const s1 = loader.fromJSON(probe, { longs: String, keepCase: true });
        const s2 = loader.fromJSON(probe, { keepCase: true, longs: String });
        const n = loader.fromJSON(probe, { longs: Number, keepCase: true });
        return { sameForSame: s1 === s2, apartForOther: s1 !== n };
      });
      const restored = loader.fromJSON === counting;
      // Outside the call every build is new again: nothing is remembered for anyone else.
      const json = { nested: {} };
      const a = loader.fromJSON(json, {});
      const b = loader.fromJSON(json, {});
      console.log(JSON.stringify({ plain, shared, restored, distinct: a !== b, works: typeof client.createCollection, ...byOptions }));
      process.exit(0);
    `);
    expect(seen).toEqual({
      plain: 2,
      shared: 1,
      restored: true,
      distinct: true,
      works: 'function',
      sameForSame: true,
      apartForOther: true,
    });
  });
});
