// H2M into Milvus 2.3 by insert and by Milvus's own bulk import, side by side in one run: the
// same HDF5 file, the same job but for `method`, each creating its own collection with an
// AUTOINDEX (L2), alternating (A B B A …). Both are checked outside the measurement: the row
// count (segment statistics after a flush) and a seeded sample of rows read back by key and
// compared with the file bit for bit; the samples' digests must be equal across contenders.
// The machine is shared: the load average is recorded around every run, and ratios are what to read.
//   node bench/import-vs-insert.mjs [--rows 1000000] [--dim 128] [--repeat 2] [--file-rows 1000000] [--sample 200]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, partialWriter, runSeries, serverRate, startServer, table, tool, waitQuiet, writeResults } from './harness.mjs';
import { args, cli, fmt, h5Input, python, requireSetup, root } from './lib.mjs';

const opts = args({ rows: 1_000_000, dim: 128, repeat: 2, 'file-rows': 1_000_000, sample: 200 });
requireSetup();
const input = h5Input(opts.rows, opts.dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-import-'));
const srv = await startServer('milvus23', work);
const loads = [];
const digests = new Map();
try {
  console.log(
    `\nH2M of ${fmt(opts.rows)} × ${opts.dim} float32 into ${srv.name} (${srv.uri}): insert against import, ${opts.repeat} rounds`,
  );
  await waitQuiet(srv, 0.05, 60);
  const idle = await serverRate(srv, 5);
  const storage = join(work, 'import-files');
  mkdirSync(storage, { recursive: true });
  const job = (method, name) => {
    const file = join(work, `job-${method}.yaml`);
    const extra =
      method === 'import' ? `, method: import, import_file_rows: ${opts['file-rows']}, storage: {type: local, path: "${storage}"}` : '';
    writeFileSync(
      file,
      `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${srv.uri}", token: "${srv.token}", collection: ${name}, index: auto, metric: L2${extra}}\nrun: {batch_rows: 10000}\n`,
    );
    return file;
  };
  const contenders = [
    { key: 'a', label: 'milvusdm run, method insert', method: 'insert', collection: 'bench_insert' },
    { key: 'b', label: 'milvusdm run, method import (local storage)', method: 'import', collection: 'bench_import' },
  ].map((c) => ({
    ...c,
    rows: opts.rows,
    command: process.execPath,
    args: [cli, 'run', job(c.method, c.collection), '--quiet', '--log-dir', join(work, 'logs')],
    check: () => {
      loads.push({ key: c.key, after: loadavg() });
      const n = Number(tool(srv, 'count', c.collection));
      if (n !== opts.rows) throw new Error(`${c.label} left ${n} rows in ${c.collection}, ${opts.rows} expected`);
      const r = spawnSync(
        python,
        [join(root, 'bench', 'python', 'sample_check.py'), srv.uri, srv.token, c.collection, input, String(opts.sample)],
        {
          encoding: 'utf8',
        },
      );
      if (r.status !== 0) throw new Error(`sample check of ${c.collection} failed:\n${r.stderr.slice(-2000)}`);
      const v = JSON.parse(r.stdout.trim());
      if (!v.ok) throw new Error(`${c.label}: the sampled rows differ from the file: ${r.stdout}`);
      digests.set(c.key, v.digest);
      console.log(`  ${c.key}: ${n} rows; ${v.sampled} sampled rows equal to the file bit for bit (digest ${v.digest.slice(0, 16)}…)`);
    },
    cleanup: () => tool(srv, 'drop', c.collection),
  }));
  loads.push({ key: 'start', after: loadavg() });
  const { runs, summary } = await runSeries(srv, contenders, { repeat: opts.repeat, idle, partial: partialWriter('import-vs-insert') });
  if (new Set(digests.values()).size !== 1) throw new Error(`the contenders' samples differ: ${JSON.stringify([...digests])}`);
  const md = table(srv, summary, { ours: 'b', refs: ['a'], idle });
  const ratio =
    median(runs.filter((r) => r.key === 'a').map((r) => r.seconds)) / median(runs.filter((r) => r.key === 'b').map((r) => r.seconds));
  console.log(`\n${md}\n\nimport is ${fmt(ratio, 2)}× the speed of insert (median wall time); load averages (1/5/15 min) after each run:`);
  for (const l of loads) console.log(`  ${l.key}: ${l.after.map((x) => fmt(x, 2)).join(' / ')}`);
  console.log(
    `raw numbers: ${writeResults('import-vs-insert', { date: new Date().toISOString(), options: opts, server: srv.name, cores: srv.cores, idle, runs, summary, loads, ratio, digest: [...digests.values()][0] })}`,
  );
} finally {
  await srv.server.stop();
  rmSync(work, { recursive: true, force: true });
}
