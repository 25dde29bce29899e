// run.max_rows_per_second honoured: H2H (no server, so nothing else limits the rate) of one
// HDF5 file under several caps; reports the achieved rate (rows / wall time of the data phase,
// from the run's own summary) against each cap.
//   node bench/throttle.mjs [--rows 200000] [--dim 128] [--caps 20000,50000,100000]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { args, cli, h5Input, requireSetup } from './lib.mjs';

const opts = args({ rows: 200_000, dim: 128, caps: '20000,50000,100000' });
requireSetup();
const input = h5Input(opts.rows, opts.dim);
const rows = [];
for (const cap of String(opts.caps).split(',').map(Number)) {
  const work = mkdtempSync(join(tmpdir(), 'milvusdm-throttle-'));
  try {
    const job = join(work, 'job.yaml');
    writeFileSync(
      job,
      `source: {type: hdf5, path: ${input}}\ntarget: {type: hdf5, dir: ${join(work, 'out')}}\nrun: {max_rows_per_second: ${cap}}\n`,
    );
    const started = performance.now();
    const r = spawnSync(process.execPath, [cli, 'run', job, '--log-dir', join(work, 'logs')], { encoding: 'utf8' });
    const wall = (performance.now() - started) / 1000;
    if (r.status !== 0) throw new Error(`cap ${cap}: exit ${r.status}\n${r.stderr}`);
    // "wrote N rows from … in S s": the data phase alone, without start-up.
    const m = /wrote (\d+) rows .* in ([\d.]+) s/.exec(r.stderr + r.stdout);
    const phase = m ? Number(m[2]) : wall;
    rows.push({ cap, rows: opts.rows, wall, phase, rate: opts.rows / phase, ratio: opts.rows / phase / cap });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
console.log('| cap rows/s | rows | data phase s | achieved rows/s | achieved / cap | whole command s |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.cap} | ${r.rows} | ${r.phase.toFixed(2)} | ${Math.round(r.rate)} | ${r.ratio.toFixed(3)} | ${r.wall.toFixed(2)} |`);
