// Verify benchmark: `milvusdm verify` of an H2H job (HDF5 → HDF5, no server, so the client's own
// cost shows) at two sizes, side by side in one invocation: its time as a ratio of the run that
// wrote the target, and its peak RSS, which must not grow with the rows (bounded memory).
//   node bench/verify.mjs [--rows 1000000] [--small 100000] [--dim 128] [--batch 10000]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { args, cacheDir, cli, fmt, h5Input, requireSetup, root, timed } from './lib.mjs';

const { rows, small, dim, batch } = args({ rows: 1_000_000, small: 100_000, dim: 128, batch: 10_000 });
requireSetup();

const work = join(cacheDir, `verify-bench-work-${process.pid}`);
mkdirSync(work, { recursive: true });
const results = [];
try {
  for (const n of [small, rows]) {
    const input = h5Input(n, dim);
    const out = join(work, `out-${n}`);
    const job = join(work, `job-${n}.yaml`);
    writeFileSync(
      job,
      JSON.stringify({
        source: { type: 'hdf5', path: input, collection: 'bench' },
        target: { type: 'hdf5', dir: out, h2m_yaml: false },
        run: { batch_rows: batch },
      }),
    );
    const logs = join(work, 'logs');
    const run = await timed(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', logs], { cwd: root });
    const verify = await timed(process.execPath, [cli, 'verify', job, '--json', '--quiet', '--log-dir', logs], { cwd: root });
    const report = JSON.parse(
      verify.stdout
        .trim()
        .split('\n')
        .find((l) => l.includes('"event":"verify"')),
    );
    if (!report.equal || report.datasets[0].sourceRows !== n || report.datasets[0].targetRows !== n)
      throw new Error(`verify did not find ${n} equal rows: ${verify.stdout}`);
    results.push({ n, run, verify, buckets: report.datasets[0].buckets });
    rmSync(out, { recursive: true, force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`milvusdm verify of H2H output, ${dim}-dim float32 (both sides read and hashed in full)`);
console.log('| rows | run (H2H) | verify | verify / run | run peak RSS | verify peak RSS | verify CPU | buckets |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${fmt(r.n)} | ${fmt(r.run.seconds, 1)} s | ${fmt(r.verify.seconds, 1)} s | ${fmt(r.verify.seconds / r.run.seconds, 2)}× | ${fmt(r.run.peakMiB)} MiB | ${fmt(r.verify.peakMiB)} MiB | ${fmt(r.verify.cpuSeconds, 1)} s | ${fmt(r.buckets)} |`,
  );
}
const [a, b] = results;
console.log(
  `rows ×${fmt(b.n / a.n, 1)}: verify peak RSS ×${fmt(b.verify.peakMiB / a.verify.peakMiB, 2)}, verify time ×${fmt(b.verify.seconds / a.verify.seconds, 2)}`,
);
