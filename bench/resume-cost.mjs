// What resume bookkeeping costs: the same job run through the real runner and plugins with the
// resume state on and off, alternating, on the same input and server, in one invocation. The
// HDF5 writer's flush + fsync (what lets a resumed run trust its .partial file) is
// always on in milvusdm; it is measured alone by writing the same batches with and without it.
//   node bench/resume-cost.mjs [--rows 1000000] [--dim 128] [--batch 10000] [--runs 3] [--targets hdf5,milvus]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, fmt, h5Input, requireSetup, root } from './lib.mjs';

const { rows, dim, batch, runs, targets } = args({ rows: 1_000_000, dim: 128, batch: 10_000, runs: 3, targets: 'hdf5,milvus' });
requireSetup();
const dist = (p) => import(join(root, p, 'dist', 'index.js'));
const core = await dist('packages/core');
const reader = (await dist('packages/readers/hdf5')).default;
const hdf5Writer = (await dist('packages/writers/hdf5')).default;
const milvusWriter = (await dist('packages/writers/milvus')).default;
const { startMilvusLite } = await dist('packages/testing');
const { GrowingFile } = await import(join(root, 'packages', 'writers', 'hdf5', 'dist', 'h5-out.js'));

const input = h5Input(rows, dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-resume-'));
const context = { signal: new AbortController().signal, logger: core.silentLogger, baseDir: work, redact() {} };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function once(writer, writerOptions, withState, n) {
  const started = performance.now();
  await core.runJob({
    reader,
    readerOptions: { path: input, collection: 'bench' },
    writer,
    writerOptions: writerOptions(n),
    run: { batchRows: batch, prefetch: 2 },
    context,
    ...(withState ? { resume: { stateFile: join(work, 'state', `run-${n}.state.json`), jobHash: 'bench', restart: false } } : {}),
  });
  return (performance.now() - started) / 1000;
}

async function compare(label, writer, writerOptions) {
  const on = [];
  const off = [];
  for (let i = 0; i < runs; i++) {
    // Alternate, so drift on a shared machine falls on both sides.
    off.push(await once(writer, writerOptions, false, `${i}-off`));
    on.push(await once(writer, writerOptions, true, `${i}-on`));
  }
  const a = median(on);
  const b = median(off);
  console.log(
    `${label}: with resume state ${fmt(a, 2)} s, without ${fmt(b, 2)} s (medians of ${runs}): bookkeeping ${fmt(((a - b) / b) * 100, 1)} % of the run`,
  );
  return b;
}

/** The HDF5 writer's flush + fsync (about once a second), alone: the same appends with and without it. */
async function flushCost() {
  const field = { name: 'v', type: 'float_vector', dim };
  const values = new Float32Array(batch * dim).map((_, i) => i % 97);
  const columns = new Map([['embeddings', { type: 'float_vector', dim, values }]]);
  const time = async (flush, n) => {
    const file = await GrowingFile.create(join(work, `flush-${n}.h5`), 0);
    file.addDataset('embeddings', field);
    const started = performance.now();
    let last = started;
    for (let r = 0; r < rows; r += batch) {
      file.append(batch, columns);
      // As the writer does: at most once a second, and once at the end.
      if (flush && performance.now() - last >= 1000) {
        file.flush();
        last = performance.now();
      }
    }
    if (flush) file.flush();
    file.close();
    rmSync(join(work, `flush-${n}.h5`));
    return (performance.now() - started) / 1000;
  };
  const on = [];
  const off = [];
  for (let i = 0; i < runs; i++) {
    off.push(await time(false, `${i}-off`));
    on.push(await time(true, `${i}-on`));
  }
  return { on: median(on), off: median(off) };
}

console.log(`resume bookkeeping: ${fmt(rows)} × ${dim} float32 from HDF5, batches of ${fmt(batch)} rows, ${runs} runs each`);
try {
  if (targets.includes('hdf5')) {
    const whole = await compare('H2H (HDF5 writer)', hdf5Writer, (n) => ({ dir: join(work, `out-${n}`), h2m_yaml: false }));
    const f = await flushCost();
    console.log(
      `HDF5 writer's flush + fsync (≤ 1/s and at the end), alone: ${fmt(f.on - f.off, 2)} s over the same appends (${fmt(f.off, 2)} s without), ${fmt(((f.on - f.off) / whole) * 100, 1)} % of a run without state`,
    );
  }
  if (targets.includes('milvus')) {
    const server = await startMilvusLite(join(work, 'lite'));
    try {
      await compare('H2M (Milvus Lite writer)', milvusWriter, (n) => ({
        uri: server.uri,
        collection: `bench_${n.replace('-', '_')}`,
        mode: 'overwrite',
      }));
    } finally {
      await server.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
