// Why this reader does not use the SDK's queryIterator: builds a 5,000-row collection with
// shuffled and upserted keys (pymilvus), reads it with queryIterator, counts what came back.
//   node packages/readers/milvus/scripts/query-iterator-probe.mjs http://127.0.0.1:19530
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../../..');
const uri = process.argv[2] ?? 'http://127.0.0.1:19530';
const collection = `iterator_probe_${Date.now()}`;
const made = spawnSync(
  join(root, '.venv/bin/python'),
  [
    join(root, 'packages/testing/python/make_collection.py'),
    '--uri',
    uri,
    '--collection',
    collection,
    '--rows',
    '5000',
    '--dim',
    '8',
    '--upsert-fraction',
    '0.1',
    '--expected',
    mkdtempSync(join(tmpdir(), 'probe-')),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (made.status !== 0) process.exit(1);
const { MilvusClient } = createRequire(join(root, 'packages/milvus-client/package.json'))('@zilliz/milvus2-sdk-node');
const client = new MilvusClient({ address: uri.replace(/^https?:\/\//, ''), logLevel: 'error', telemetry: { enabled: false } });
await client.connectPromise;
await client.loadCollection({ collection_name: collection });
const iterator = await client.queryIterator({ collection_name: collection, batchSize: 1000, output_fields: ['id'], expr: '' });
const seen = [];
for await (const batch of iterator) for (const row of batch) seen.push(row.id);
const distinct = new Set(seen).size;
console.log(
  JSON.stringify({ server: uri, rows: 5000, returned: seen.length, distinct, missing: 5000 - distinct, repeated: seen.length - distinct }),
);
await client.dropCollection({ collection_name: collection });
await client.closeConnection();
