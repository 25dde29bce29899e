// F2H benchmark: a 1M × 128 IndexIVFFlat written by Faiss, migrated to HDF5 by milvusdm, against
// a plain streamed copy of the same file's bytes on the same disk, side by side in one run.
//   node bench/faiss/f2h.mjs [--rows 1000000] [--dim 128] [--nlist 1024] [--runs 1] [--batch 10000]
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { args, cacheDir, cli, fmt, python, requireSetup, root, timed } from '../lib.mjs';

const { rows, dim, nlist, runs, batch } = args({ rows: 1_000_000, dim: 128, nlist: 1024, runs: 1, batch: 10_000 });
requireSetup();
if (!existsSync(join(root, 'packages', 'readers', 'faiss', 'dist', 'index.js'))) throw new Error('build first: pnpm exec tsc -b');

// 1. The input, written by Faiss once (bench/.cache is not committed).
mkdirSync(cacheDir, { recursive: true });
const index = join(cacheDir, `faiss-ivfflat-${rows}x${dim}-nlist${nlist}.index`);
if (!existsSync(index)) {
  console.log(`writing ${index} with faiss (once)…`);
  const made = spawnSync(
    python,
    [
      join(root, 'packages', 'readers', 'faiss', 'test', 'python', 'make_index.py'),
      `${index}.partial`,
      '--kind',
      'ivfflat',
      '--n',
      String(rows),
      '--d',
      String(dim),
      '--nlist',
      String(nlist),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (made.status !== 0) throw new Error('writing the index with faiss failed');
  spawnSync('mv', [`${index}.partial`, index]);
}
const bytes = statSync(index).size;

// Outputs go next to the input: same disk for both contenders.
const work = join(cacheDir, `faiss-bench-work-${process.pid}`);
mkdirSync(work, { recursive: true });
const job = join(work, 'job.yaml');
writeFileSync(
  job,
  JSON.stringify({
    source: { type: 'faiss', path: index, collection: 'bench' },
    target: { type: 'hdf5', dir: join(work, 'out'), h2m_yaml: false },
    run: { batch_rows: batch },
  }),
);

// Same warm page cache for both (no cache dropping: the machine is shared).
spawnSync(process.execPath, [join(root, 'bench', 'faiss', 'raw-copy.mjs'), index, '/dev/null']);

console.log(`F2H of a Faiss IndexIVFFlat, ${fmt(rows)} × ${dim} float32, nlist ${nlist}: ${index} (${fmt(bytes / 2 ** 20)} MiB)`);
const results = [];
try {
  for (let run = 1; run <= runs; run++) {
    rmSync(join(work, 'out'), { recursive: true, force: true });
    const ours = await timed(process.execPath, [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')], { cwd: root });
    const h5 = join(work, 'out', 'bench', '_default.h5');
    const check = spawnSync(
      python,
      ['-c', `import h5py,sys; f=h5py.File(sys.argv[1]); print(f['embeddings'].shape[0], f['ids'].shape[0], f['embeddings'].shape[1])`, h5],
      { encoding: 'utf8' },
    );
    if (check.stdout.trim() !== `${rows} ${rows} ${dim}`)
      throw new Error(`the HDF5 output holds ${check.stdout.trim() || check.stderr}, expected ${rows} rows of ${dim}`);
    const outBytes = statSync(h5).size;
    rmSync(join(work, 'out'), { recursive: true, force: true });
    const copy = await timed(process.execPath, [join(root, 'bench', 'faiss', 'raw-copy.mjs'), index, join(work, 'copy.index')], {
      cwd: root,
    });
    const copied = JSON.parse(copy.stdout.trim().split('\n').at(-1));
    if (copied.bytes !== bytes) throw new Error(`raw copy moved ${copied.bytes} bytes of ${bytes}`);
    rmSync(join(work, 'copy.index'), { force: true });
    const reader = await timed(process.execPath, [join(root, 'bench', 'faiss', 'read-only.mjs'), index, String(batch)], { cwd: root });
    const read = JSON.parse(reader.stdout.trim().split('\n').at(-1));
    if (read.rows !== rows) throw new Error(`the reader yielded ${read.rows} rows, expected ${rows}`);
    results.push({ ours, copy, read, outBytes });
    console.log(
      `run ${run}: milvusdm F2H ${fmt(ours.seconds, 2)} s (peak RSS ${fmt(ours.peakMiB)} MiB, HDF5 ${fmt(outBytes / 2 ** 20)} MiB) | ` +
        `raw copy ${fmt(copy.seconds, 2)} s (peak RSS ${fmt(copy.peakMiB)} MiB) | ratio ${fmt(ours.seconds / copy.seconds, 2)}× | ` +
        `reader alone ${fmt(read.seconds, 2)} s (structure pass ${fmt(read.structureSeconds * 1000)} ms, peak RSS ${fmt(reader.peakMiB)} MiB)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const a = median(results.map((r) => r.ours.seconds));
const b = median(results.map((r) => r.copy.seconds));
console.log('');
console.log(
  `(a) milvusdm run (whole job: start-up, structure pass, read lists, write HDF5): ${fmt(a, 2)} s, ${fmt(rows / a)} rows/s, peak RSS ${fmt(Math.max(...results.map((r) => r.ours.peakMiB)))} MiB`,
);
console.log(
  `(b) raw streamed copy of the index's bytes, same disk:                          ${fmt(b, 2)} s, ${fmt(bytes / 2 ** 20 / b)} MiB/s`,
);
const c = median(results.map((r) => r.read.seconds));
console.log(
  `(c) the reader alone, for the breakdown (plugin API in node, batches read and dropped): ${fmt(c, 2)} s, ${fmt(bytes / 2 ** 20 / c)} MiB/s`,
);
console.log(`ratio (a)/(b): ${fmt(a / b, 2)}×${runs > 1 ? ` (medians of ${runs} runs)` : ''}; (c)/(b): ${fmt(c / b, 2)}×`);
