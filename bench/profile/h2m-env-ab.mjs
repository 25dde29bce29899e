// H2M of 1M × 128 (scattered ids) into one Milvus 2.3, milvusdm alone, under environment variants
// run in alternation (A B C C B A …): wall, client CPU and peak RSS of each run. For settings
// that act only through the environment (glibc's malloc, Node options, MILVUSDM_* knobs).
//   node bench/profile/h2m-env-ab.mjs [--runs 3] [--rows 1000000] \
//     --variants '{"base":{},"mmap128k":{"MALLOC_MMAP_THRESHOLD_":"131072"}}'
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropCollection, startServer, waitQuiet } from '../harness.mjs';
import { args, cacheDir, cli, h5Input, requireSetup, timed } from '../lib.mjs';

const opts = args({ runs: 3, rows: 1_000_000, variants: '{"base":{}}' });
requireSetup();
const variants = JSON.parse(opts.variants);
const input = h5Input(opts.rows, 128);
const work = join(cacheDir, `h2m-env-ab-${process.pid}`);
mkdirSync(work, { recursive: true });
const srv = await startServer('milvus23', work);
console.log(`${srv.name} at ${srv.uri}; ${opts.rows} rows; variants ${JSON.stringify(variants)}`);
try {
  const names = Object.keys(variants);
  for (let r = 0; r < opts.runs; r++) {
    for (const name of r % 2 ? [...names].reverse() : names) {
      const collection = `ab_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const job = join(work, `${collection}.yaml`);
      writeFileSync(
        job,
        `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${srv.uri}", token: "${srv.token}", collection: ${collection}, index: auto, metric: L2}\nrun: {batch_rows: 10000}\n`,
      );
      const t = await timed(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')], {
        env: { ...process.env, ...variants[name] },
      });
      console.log(`${name}: ${t.seconds.toFixed(2)} s, peak RSS ${t.peakMiB.toFixed(0)} MiB, client CPU ${t.cpuSeconds.toFixed(2)} s`);
      await dropCollection(srv, collection);
      await waitQuiet(srv, 0.05, 60);
    }
  }
} finally {
  await srv.server.stop();
}
