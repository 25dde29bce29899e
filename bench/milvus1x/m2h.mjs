// milvus1x M2H benchmark: a Milvus 1.x directory of 1M × 128 float32 vectors (SQLite meta,
// several segments in RAW / TO_INDEX / BACKUP state, ~1% of rows deleted in repeated,
// unsorted batches), migrated to HDF5 by `milvusdm --yaml M2H.yaml`, against a plain streamed
// copy of the same .rv/.uid bytes to the same disk. Both run as child processes under GNU
// time, side by side in one invocation; the input is built once into bench/.cache/.
//   node bench/milvus1x/m2h.mjs [--rows 1000000] [--dim 128] [--segments 8] [--deletes 0.01] [--runs 1] [--clean 1]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { milvus1xInput } from './input.mjs';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'apps', 'cli', 'bin', 'milvusdm.js');
const testingDist = join(root, 'packages', 'milvus1x-testing', 'dist', 'index.js');

function options(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = Number(argv[i + 1]);
  return out;
}
const { rows, dim, segments, deletes, runs, clean } = options({ rows: 1_000_000, dim: 128, segments: 8, deletes: 0.01, runs: 1, clean: 0 });

for (const f of [cli, testingDist, '/usr/bin/time']) {
  if (!existsSync(f)) throw new Error(`${f} is missing: build first (pnpm exec tsc -b); GNU time is needed for peak RSS`);
}

const fmt = (n, digits = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const MiB = 1024 * 1024;

/** Runs a command under GNU time: wall seconds, peak RSS (MiB), output. */
function timed(command, args, env = {}) {
  return new Promise((ok, fail) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %M', command, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', fail);
    child.once('close', (code) => {
      const [seconds, kb] = (stderr.trim().split('\n').at(-1) ?? '').split(' ').map(Number);
      if (code !== 0) return fail(new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-3000)}`));
      ok({ seconds, peakMiB: kb / 1024, stdout, stderr });
    });
  });
}

/** Reads every file once so both contenders start with the same (warm) page cache. */
async function warm(files) {
  const buf = Buffer.allocUnsafe(8 * MiB);
  for (const f of files) {
    const fh = await open(f, 'r');
    try {
      while ((await fh.read(buf, 0, buf.length)).bytesRead > 0);
    } finally {
      await fh.close();
    }
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const { dir, built } = await milvus1xInput({ rows, dim, segments, deletes });
const bytes = built.files.reduce((n, f) => n + statSync(f).size, 0);
const work = mkdtempSync(join(dir, 'run-'));
try {
  const job = join(work, 'M2H.yaml');
  writeFileSync(
    job,
    [
      'M2H:',
      '  milvus_version: 1.x',
      `  source_milvus_path: '${built.root}'`,
      '  mysql_parameter:',
      '  source_collection:',
      '    bench1x:',
      `  data_dir: '${join(work, 'out')}'`,
      '',
    ].join('\n'),
  );
  console.log(
    `M2H of a Milvus 1.x directory: ${fmt(rows)} × ${dim} float32 in ${segments} segments (RAW/TO_INDEX/BACKUP+index), ${fmt(rows - built.liveRows)} rows deleted → ${fmt(built.liveRows)} live rows`,
  );
  console.log(`.rv + .uid bytes read: ${fmt(bytes / MiB, 1)} MiB; page cache warmed first; output on the same disk (${work})`);
  await warm(built.files);
  const ours = [];
  const copies = [];
  for (let r = 0; r < runs; r++) {
    const copyDir = join(work, `copy-${r}`);
    mkdirSync(copyDir);
    const list = join(work, `copy-${r}.json`);
    writeFileSync(list, JSON.stringify(built.files.map((f, i) => [f, join(copyDir, `${i}-${f.split('/').pop()}`)])));
    copies.push(await timed(process.execPath, [join(root, 'bench', 'milvus1x', 'raw-copy.mjs'), list]));
    rmSync(copyDir, { recursive: true, force: true });

    const run = await timed(process.execPath, [cli, '--yaml', job, '--log-dir', join(work, 'logs')]);
    const done = /done: (\d+) rows in ([\d.]+) s/.exec(run.stderr);
    if (!done || Number(done[1]) !== built.liveRows)
      throw new Error(`milvusdm reported ${done?.[1]} rows, ${built.liveRows} expected:\n${run.stderr.slice(-2000)}`);
    const out = join(work, 'out');
    const [runId] = readdirSync(out);
    const h5 = join(out, runId, 'bench1x', '_default.h5');
    ours.push({ ...run, inner: Number(done[2]), h5Bytes: statSync(h5).size });
    rmSync(out, { recursive: true, force: true });
  }
  const a = median(ours.map((o) => o.seconds));
  const b = median(copies.map((c) => c.seconds));
  const peak = Math.max(...ours.map((o) => o.peakMiB));
  console.log('');
  console.log(
    `(a) milvusdm --yaml M2H.yaml (whole command: start, meta, checks, read, drop deletes, write HDF5 + H2M yaml): ${fmt(a, 2)} s wall (${fmt(median(ours.map((o) => o.inner)), 2)} s inside the run), ${fmt(bytes / MiB / a, 0)} MiB/s, ${fmt(built.liveRows / a)} rows/s, HDF5 ${fmt(ours[0].h5Bytes / MiB, 1)} MiB`,
  );
  console.log(
    `(b) raw streamed copy of the same .rv/.uid bytes (node, same disk): ${fmt(b, 2)} s wall, ${fmt(bytes / MiB / b, 0)} MiB/s, peak RSS ${fmt(Math.max(...copies.map((c) => c.peakMiB)), 0)} MiB`,
  );
  console.log(`ratio (a / b): ${fmt(a / b, 2)}×`);
  console.log(`peak RSS of the milvusdm run: ${fmt(peak, 0)} MiB${runs > 1 ? ` (max of ${runs} runs; times are medians)` : ''}`);
} finally {
  rmSync(work, { recursive: true, force: true });
  if (clean) rmSync(dir, { recursive: true, force: true });
}
