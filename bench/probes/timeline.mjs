// One-off probe of issue 8 (see bench/README.md): server CPU of a milvusdm H2M run into Milvus Lite, 50k × 128.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, h5Input } from '../lib.mjs';
const input = h5Input(50000, 128);
import { startServer } from '../harness.mjs';
import { groupCpu } from '../proc.mjs';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
const dir = mkdtempSync(join(tmpdir(), 'milvusdm-probe-tl-'));
const srv = await startServer('lite', dir);
try {
  const job = dir + '/job.yaml';
  writeFileSync(
    job,
    `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${srv.uri}", collection: bench_a, index: auto, metric: L2}\nrun: {batch_rows: 10000}\n`,
  );
  const c0 = groupCpu(srv.pgid).cpu;
  const samples = [];
  const timer = setInterval(() => samples.push([new Date().toISOString().slice(11, 23), (groupCpu(srv.pgid).cpu - c0).toFixed(2)]), 250);
  await new Promise((ok) =>
    spawn(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', dir + '/logs'], { stdio: 'inherit' }).on('exit', ok),
  );
  await new Promise((ok) => setTimeout(ok, 1500));
  clearInterval(timer);
  const f = readdirSync(dir + '/logs').find((x) => x.endsWith('.log'));
  console.log(
    readFileSync(dir + '/logs/' + f, 'utf8')
      .split('\n')
      .map((l) => l.slice(11, 23) + ' ' + l.slice(25, 150))
      .join('\n'),
  );
  console.log(samples.map((s) => s.join(' ')).join('\n'));
} finally {
  await srv.server.stop();
}
