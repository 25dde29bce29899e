// Does saving the resume state often slow a local server? The same H2M into a Milvus 2.3.5
// started here (state on the same disk), with the state saved every 10 ms, every 60 s and every
// 2 s (the default), in rotation after one warm-up run. Wall seconds of `milvusdm run` each.
//   node bench/state-saves.mjs [--rows 1000000] [--dim 128] [--rounds 3]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, cli, h5Input, requireSetup, root } from './lib.mjs';

const { rows, dim, rounds } = args({ rows: 1_000_000, dim: 128, rounds: 3 });
requireSetup();
const { startMilvus23 } = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));
const input = h5Input(rows, dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-state-saves-'));
const server = await startMilvus23(join(work, 'milvus23'));
try {
  let n = 0;
  const run = (saveMs) => {
    const job = join(work, `job-${n}.yaml`);
    const target = { type: 'milvus', uri: server.uri, token: server.token, collection: `state_saves_${n++}`, mode: 'overwrite' };
    writeFileSync(
      job,
      JSON.stringify({ source: { type: 'hdf5', path: input, collection: 'c' }, target, run: { state_dir: join(work, 'state') } }),
    );
    const started = performance.now();
    const r = spawnSync(process.execPath, [cli, 'run', job, '--log-dir', join(work, 'logs')], {
      env: { ...process.env, MILVUSDM_STATE_SAVE_MS: String(saveMs) },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
    return (performance.now() - started) / 1000;
  };
  run(2000); // warm-up, not counted
  console.log(`H2M of ${rows} × ${dim} into Milvus 2.3.5, wall seconds`);
  for (let i = 0; i < rounds; i++) {
    const often = run(10);
    const rare = run(60_000);
    const usual = run(2000);
    console.log(
      `saves every 10 ms: ${often.toFixed(1)} s; every 60 s (and 125k rows): ${rare.toFixed(1)} s; default 2 s: ${usual.toFixed(1)} s`,
    );
  }
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
