// H2M benchmark: an HDF5 file of float32 vectors into Milvus Lite, by milvusdm and by a plain
// SDK insert loop from memory, side by side on the same server in one run.
//   node bench/h2m.mjs [--rows 1000000] [--dim 128] [--batch 10000] [--server lite|milvus23]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, cli, fmt, h5Input, requireSetup, root, timed } from './lib.mjs';

const { rows, dim, batch, server: kind } = args({ rows: 1_000_000, dim: 128, batch: 10_000, server: 'lite' });
requireSetup();
const { startMilvusLite, startMilvus23 } = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));

const input = h5Input(rows, dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-'));
const server = kind === 'milvus23' ? await startMilvus23(join(work, 'milvus23')) : await startMilvusLite(join(work, 'lite'));
const token = server.token ?? '';
try {
  const job = join(work, 'job.yaml');
  writeFileSync(job, `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${server.uri}", token: "${token}", collection: bench_milvusdm, index: auto, metric: L2}\nrun: {batch_rows: ${batch}}\n`);
  console.log(`H2M of ${fmt(rows)} × ${dim} float32 into ${server.name} (${server.uri}), batches of ${fmt(batch)} rows`);
  if (kind === 'milvus23') await new Promise((r) => setTimeout(r, 20_000)); // let its coordinators settle
  const ours = await timed(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')], { cwd: root });
  const sdk = await timed(process.execPath, [join(root, 'bench', 'sdk-insert.mjs'), server.uri.replace('http://', ''), 'bench_sdk', input, String(batch), token], { cwd: root });
  const sdkInsert = JSON.parse(sdk.stdout.trim().split('\n').at(-1));
  console.log('');
  console.log(`milvusdm run (whole job: read file, convert, insert, verify count): ${fmt(ours.seconds, 1)} s, ${fmt(rows / ours.seconds)} rows/s, peak RSS ${fmt(ours.peakMiB)} MiB, client CPU ${fmt(ours.cpuSeconds, 1)} s`);
  console.log(`SDK insert() from memory (insert loop only, file read not timed): ${fmt(sdkInsert.seconds, 1)} s, ${fmt(rows / sdkInsert.seconds)} rows/s, peak RSS ${fmt(sdk.peakMiB)} MiB, client CPU ${fmt(sdk.cpuSeconds, 1)} s (file read included)`);
  console.log(`ratio (SDK insert time / milvusdm time): ${fmt(sdkInsert.seconds / ours.seconds, 2)}×`);
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
