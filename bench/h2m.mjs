// H2M benchmark: an HDF5 file of float32 vectors into Milvus Lite, by milvusdm and by a plain
// SDK insert loop from memory, side by side on the same server in one run.
//   node bench/h2m.mjs [--rows 1000000] [--dim 128] [--batch 10000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, cli, fmt, h5Input, requireSetup, root, timed } from './lib.mjs';

const { rows, dim, batch } = args({ rows: 1_000_000, dim: 128, batch: 10_000 });
requireSetup();
const { startMilvusLite } = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));

const input = h5Input(rows, dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-'));
const server = await startMilvusLite(join(work, 'lite'));
try {
  const job = join(work, 'job.yaml');
  writeFileSync(job, `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${server.uri}", collection: bench_milvusdm, index: auto, metric: L2}\nrun: {batch_rows: ${batch}}\n`);
  console.log(`H2M of ${fmt(rows)} × ${dim} float32 into Milvus Lite 3.2.2 (${server.uri}), batches of ${fmt(batch)} rows`);
  const ours = await timed(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')], { cwd: root });
  const sdk = await timed(process.execPath, [join(root, 'bench', 'sdk-insert.mjs'), server.uri.replace('http://', ''), 'bench_sdk', input, String(batch)], { cwd: root });
  const sdkInsert = JSON.parse(sdk.stdout.trim().split('\n').at(-1));
  console.log('');
  console.log(`milvusdm run (whole job: read file, convert, insert, verify count): ${fmt(ours.seconds, 1)} s, ${fmt(rows / ours.seconds)} rows/s, peak RSS ${fmt(ours.peakMiB)} MiB`);
  console.log(`SDK insert() from memory (insert loop only, file read not timed): ${fmt(sdkInsert.seconds, 1)} s, ${fmt(rows / sdkInsert.seconds)} rows/s, peak RSS ${fmt(sdk.peakMiB)} MiB`);
  console.log(`ratio (SDK insert time / milvusdm time): ${fmt(sdkInsert.seconds / ours.seconds, 2)}×`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
