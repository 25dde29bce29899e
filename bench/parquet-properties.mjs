// What the Parquet writer's properties cost: the same float vectors (list<float>, the layout
// Milvus bulk import reads) plus int64 ids, encoded with the vector column written as before
// (dictionary and statistics: parquet-wasm's defaults, through parquet-wasm directly, as
// writePart did) and as now (@milvusdm/writer-parquet's writePart: the vector column plain),
// alternating, in one process. Reports the client CPU-seconds of each (wall times are shown but
// swing with the machine's load) and the file sizes.
//   node bench/parquet-properties.mjs [--rows 500000] [--dim 128] [--runs 3]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { args, fmt, requireSetup, root } from './lib.mjs';

const { rows, dim, runs } = args({ rows: 500_000, dim: 128, runs: 3 });
requireSetup();
const parquet = await import(join(root, 'packages', 'writers', 'parquet', 'dist', 'index.js'));
// The writer package's own copies of Arrow and parquet-wasm (the bench folder has others).
const fromWriter = createRequire(join(root, 'packages', 'writers', 'parquet', 'package.json'));
const pw = await import(fromWriter.resolve('parquet-wasm/node'));
// Arrow's ESM build, the one the writer's own `import` gets (require() would give its CommonJS twin).
const arrow = await import(join(dirname(fromWriter.resolve('apache-arrow')), 'Arrow.node.mjs'));
const BATCH = 10_000;
const schema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'embedding', type: 'float_vector', dim },
  ],
};
const arrowSchema = parquet.arrowSchema(schema);
/** Batches made once, up front, so both settings encode the very same values. */
const batches = [];
for (let start = 0; start < rows; start += BATCH) {
  const n = Math.min(BATCH, rows - start);
  const ids = new BigInt64Array(n);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    ids[i] = BigInt(start + i);
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = Math.fround(Math.sin((start + i) * 0.7 + j * 0.37));
  }
  const columns = new Map([
    ['id', { type: 'int64', values: ids }],
    ['embedding', { type: 'float_vector', dim, values: vectors }],
  ]);
  batches.push(parquet.arrowBatch(schema, arrowSchema, columns, n));
}
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-parquet-'));
/** Before: parquet-wasm's defaults for every column, the way writePart used them (Arrow IPC in, file out). */
async function writeBefore(path) {
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(100_000).build();
  let next = 0;
  const input = new ReadableStream({
    pull(controller) {
      if (next >= batches.length) return controller.close();
      for (const b of pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table([batches[next++]]), 'stream')).recordBatches())
        controller.enqueue(b);
    },
  });
  const handle = await open(path, 'w');
  try {
    for await (const chunk of Readable.fromWeb(await pw.transformParquetStream(input, props))) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Now: the writer's own writePart. */
async function writeNow(path) {
  let next = 0;
  await parquet.writePart(
    path,
    {
      schema: arrowSchema,
      codec: 'snappy',
      rowGroupRows: 100_000,
      scalarColumns: parquet.scalarColumns(schema),
      empty: () => batches[0].slice(0, 0),
      metadata: new Map(),
    },
    async () => batches[next++],
  );
}

async function once(label, i) {
  const path = join(work, `${label}-${i}.parquet`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await (label === 'before' ? writeBefore(path) : writeNow(path));
  const used = process.cpuUsage(cpu);
  const result = { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - started) / 1000, bytes: statSync(path).size };
  rmSync(path);
  return result;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  console.log(
    `Parquet encoding of ${fmt(rows)} × ${dim} float32 + int64 ids, batches of ${fmt(BATCH)}, row groups of 100,000, snappy; ${runs} runs each, alternating`,
  );
  await once('now', 'warm');
  const seen = { before: [], now: [] };
  for (let i = 0; i < runs; i++) for (const label of i % 2 ? ['now', 'before'] : ['before', 'now']) seen[label].push(await once(label, i));
  for (const label of ['before', 'now']) {
    const r = seen[label];
    console.log(
      `${label.padEnd(6)} vector column ${label === 'before' ? 'with dictionary + statistics' : 'plain                       '}: CPU ${fmt(median(r.map((x) => x.cpu)), 2)} s (runs: ${r.map((x) => fmt(x.cpu, 2)).join(', ')}), wall ${fmt(median(r.map((x) => x.wall)), 2)} s, file ${fmt(r[0].bytes / 1048576, 1)} MiB`,
    );
  }
  const ratio = median(seen.before.map((x) => x.cpu)) / median(seen.now.map((x) => x.cpu));
  console.log(`CPU before / now: ${fmt(ratio, 2)}×`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
