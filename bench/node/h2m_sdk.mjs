// H2M the way a Node SDK user writes it: h5wasm reads blocks, the SDK's insert() sends row objects.
//   node bench/node/h2m_sdk.mjs URI TOKEN COLLECTION FILE.h5
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../lib.mjs';

const require = createRequire(join(root, 'packages', 'milvus-client', 'package.json'));
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
const h5wasm = (await import(join(root, 'packages', 'readers', 'hdf5', 'node_modules', 'h5wasm', 'dist', 'node', 'hdf5_hl.js'))).default;

const [uri, token, collection, path] = process.argv.slice(2);
await h5wasm.ready;
const file = new h5wasm.File(path, 'r');
const vectors = file.get('embeddings');
const ids = file.get('ids');
const [rows, dim] = vectors.shape;
const client = new MilvusClient({ address: uri.replace(/^http:\/\//, ''), ...(token ? { token } : {}), logLevel: 'error' });
await client.connectPromise;
await client.createCollection({
  collection_name: collection,
  fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'embedding', data_type: DataType.FloatVector, dim },
  ],
});
await client.createIndex({ collection_name: collection, field_name: 'embedding', index_type: 'AUTOINDEX', metric_type: 'L2' });
for (let start = 0; start < rows; start += 10_000) {
  const end = Math.min(rows, start + 10_000);
  const block = vectors.slice([[start, end]]);
  const blockIds = ids.slice([[start, end]]);
  const data = [];
  for (let i = 0; i < end - start; i++)
    data.push({ id: blockIds[i].toString(), embedding: Array.from(block.subarray(i * dim, (i + 1) * dim)) });
  const res = await client.insert({ collection_name: collection, data });
  if (res.status.error_code !== 'Success') throw new Error(`insert failed: ${JSON.stringify(res.status)}`);
}
file.close();
await client.closeConnection();
