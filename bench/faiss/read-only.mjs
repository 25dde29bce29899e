// A breakdown for the Faiss F2H benchmark: the reader alone (structure pass, then every batch
// read and dropped), through the plugin's API in a plain Node process — no CLI, no writer.
//   node bench/faiss/read-only.mjs INDEX [BATCH_ROWS]
import { join } from 'node:path';
import { root } from '../lib.mjs';

const { default: plugin } = await import(join(root, 'packages', 'readers', 'faiss', 'dist', 'index.js'));
const [path, batch = '10000'] = process.argv.slice(2);
const context = {
  signal: new AbortController().signal,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  baseDir: process.cwd(),
  redact() {},
};
const started = performance.now();
const source = await plugin.open(plugin.options.parse({ path }), context);
const opened = performance.now();
let rows = 0;
for await (const b of source.datasets[0].batches({ batchRows: Number(batch) })) rows += b.numRows;
await source.close();
const done = performance.now();
console.log(JSON.stringify({ rows, structureSeconds: (opened - started) / 1000, seconds: (done - started) / 1000 }));
