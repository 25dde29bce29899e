// One-off probe of issue 8 (see bench/README.md): server CPU of a milvusdm H2M run into Milvus Lite, 50k × 128.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, h5Input, python, root } from '../lib.mjs';
const input = h5Input(50000, 128);
import { startServer } from '../harness.mjs';
import { groupCpu } from '../proc.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
const dir = mkdtempSync(join(tmpdir(), 'milvusdm-probe-srvcpu-'));
const srv = await startServer('lite', dir);
const variants = { default: '', c1: ', concurrency: 1', nolock: '', c1nolock: ', concurrency: 1' };
try {
  for (const round of [1, 2])
    for (const [k, extra] of Object.entries(variants)) {
      const job = dir + '/job.yaml';
      writeFileSync(
        job,
        `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${srv.uri}", collection: bench_a, index: auto, metric: L2${extra}}\nrun: {batch_rows: 10000${k.includes('nolock') ? ', lock: false' : ''}}\n`,
      );
      const c0 = groupCpu(srv.pgid).cpu;
      const t = Date.now();
      execFileSync(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', dir + '/logs'], { stdio: 'inherit' });
      const wall = (Date.now() - t) / 1000;
      const cpu = groupCpu(srv.pgid).cpu - c0;
      console.log(round, k, 'wall', wall.toFixed(1), 'server cpu', cpu.toFixed(2));
      execFileSync(python, [join(root, 'bench', 'python', 'collection_tool.py'), srv.uri, '', 'drop', 'bench_a'], { stdio: 'inherit' });
    }
} finally {
  await srv.server.stop();
}
