// The baseline of bench/h2m.mjs: the same rows inserted the usual way, through the Node SDK's
// insert() with row objects, from memory (reading the file is not timed). Prints JSON.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from './lib.mjs';

const require = createRequire(join(root, 'packages', 'milvus-client', 'package.json'));
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
const h5wasm = (await import(join(root, 'packages', 'readers', 'hdf5', 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_hl.js'))).default;

const [address, collection, file, batchRowsText, token] = process.argv.slice(2);
const batchRows = Number(batchRowsText);
await h5wasm.ready;
const f = new h5wasm.File(file, 'r');
const vectors = f.get('embeddings');
const [rows, dim] = vectors.shape;
const all = vectors.value;
const ids = f.get('ids').value;
f.close();

const client = new MilvusClient({ address, ...(token ? { token } : {}), logLevel: 'error', telemetry: { enabled: false } });
await client.connectPromise;
await client.createCollection({
  collection_name: collection,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'embedding', data_type: DataType.FloatVector, dim },
  ],
});
await client.createIndex({ collection_name: collection, field_name: 'embedding', index_type: 'AUTOINDEX', metric_type: 'L2' });
const started = performance.now();
for (let start = 0; start < rows; start += batchRows) {
  const n = Math.min(batchRows, rows - start);
  const data = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = start + i;
    data[i] = { id: ids[r].toString(), embedding: Array.from(all.subarray(r * dim, (r + 1) * dim)) };
  }
  const res = await client.insert({ collection_name: collection, data });
  if (res.status.error_code !== 'Success' || Number(res.insert_cnt) !== n) throw new Error(`insert failed: ${JSON.stringify(res.status)}`);
}
const seconds = (performance.now() - started) / 1000;
await client.closeConnection();
console.log(JSON.stringify({ rows, seconds }));
