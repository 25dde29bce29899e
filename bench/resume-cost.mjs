// What resume bookkeeping and batch checks cost: the same job run through the real runner and
// plugins with the resume state on and off, alternating, on the same input and server, in one
// invocation. The batch checks (structure, NaN/±Inf, max_length, repeated keys in bounded
// memory: the screen every run applies) cannot be turned off in a run, so they are measured
// alone: the same batches read with and without them, alternating; their cost is then put
// against each run. The HDF5 writer's flush + fsync (what lets a resumed run trust its .partial
// file) is always on in milvusdm; it is measured alone too.
//   node bench/resume-cost.mjs [--rows 1000000] [--dim 128] [--batch 10000] [--runs 3] [--targets hdf5,milvus23,milvus]
//     [--ids scattered|ascending]   (the input's ids: a permutation, or ascending as most files number rows)
//   (hdf5: file → file; milvus23: H2M into Milvus 2.3.5; milvus: H2M into Milvus Lite 3.2)
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { args, fmt, h5Input, requireSetup, root } from './lib.mjs';

const { rows, dim, batch, runs, targets, ids } = args({
  rows: 1_000_000,
  dim: 128,
  batch: 10_000,
  runs: 3,
  targets: 'hdf5,milvus23',
  ids: 'scattered',
});
const wanted = String(targets).split(',');
requireSetup();
const dist = (p) => import(join(root, p, 'dist', 'index.js'));
const core = await dist('packages/core');
const reader = (await dist('packages/readers/hdf5')).default;
const hdf5Writer = (await dist('packages/writers/hdf5')).default;
const milvusWriter = (await dist('packages/writers/milvus')).default;
const { startMilvusLite, startMilvus23 } = await dist('packages/testing');
const { BatchScreen, screenOptions } = await import(join(root, 'packages', 'core', 'dist', 'pipeline', 'validate.js'));
const { GrowingFile } = await import(join(root, 'packages', 'writers', 'hdf5', 'dist', 'h5-out.js'));
const { KeyChecker } = await import(join(root, 'packages', 'core', 'dist', 'pipeline', 'key-checker.js'));
const { DeferredKeyCheck } = await import(join(root, 'packages', 'core', 'dist', 'pipeline', 'deferred-keys.js'));
const { ResumeBook } = await import(join(root, 'packages', 'core', 'dist', 'state', 'resume-book.js'));

const input = h5Input(rows, dim, ids);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-resume-'));
const context = { signal: new AbortController().signal, logger: core.silentLogger, baseDir: work, redact() {} };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * Wall seconds, and this process's CPU-seconds (user + system): on a machine shared with other
 * work the wall time swings with the load, the client's own CPU much less. The servers run in
 * their own processes and are not in the CPU figure.
 */
async function measure(fn) {
  const cpu = process.cpuUsage();
  const worker = workerSeconds();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6, keyWorker: workerSeconds() - worker };
}
const medians = (xs) => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });

/**
 * The repeated-key check's own CPU: the key worker's thread, read from /proc (Linux), so its
 * cost is measured inside each run rather than as the difference between noisy runs. The
 * worker is the thread that appears when the first check starts it.
 */
const taskIds = () => readdirSync('/proc/self/task');
function threadSeconds(tid) {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}
const beforeWorker = taskIds();
{
  const first = new KeyChecker();
  await first.check({ type: 'int64', values: new BigInt64Array(1) });
  await first.close();
}
const workerTids = taskIds().filter((t) => !beforeWorker.includes(t));
if (workerTids.length !== 1)
  console.log(`(could not tell the key worker's thread: ${workerTids.length} new threads; its CPU is counted with them)`);
const workerSeconds = () => workerTids.reduce((n, t) => n + threadSeconds(t), 0);

/**
 * The resume state's work is synchronous, on the main thread (JSON, write, two fsyncs, a rename;
 * the source's fingerprint at the start), so the time spent inside it is what it adds to a run:
 * measured in the run by timing ResumeBook's methods (patched in this process only). Far less
 * noisy than the difference between runs with and without it, which is also reported.
 */
let stateSeconds = 0;
/**
 * Likewise the repeated-key check of a target that publishes at its end (a file): on the main
 * thread, recording each batch's keys and checking them all after the last batch.
 */
let deferredSeconds = 0;
function timed(target, name, add = (s) => (stateSeconds += s)) {
  const real = target[name];
  target[name] = function (...a) {
    const started = performance.now();
    const done = () => add((performance.now() - started) / 1000);
    let result;
    try {
      result = real.apply(this, a);
    } catch (e) {
      done();
      throw e;
    }
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
}
// save() is private in TypeScript, not in the built JavaScript; begun, done and the queued saves all go through it.
for (const name of ['save', 'committed', 'finish', 'flush']) timed(ResumeBook.prototype, name);
timed(ResumeBook, 'open');
for (const name of ['add', 'finish']) timed(DeferredKeyCheck.prototype, name, (s) => (deferredSeconds += s));

async function once(writer, writerOptions, withState, n) {
  stateSeconds = 0;
  deferredSeconds = 0;
  const result = await measure(() =>
    core.runJob({
      reader,
      readerOptions: { path: input, collection: 'bench' },
      writer,
      writerOptions: writerOptions(n),
      run: { batchRows: batch, prefetch: 2 },
      context,
      ...(withState ? { resume: { stateFile: join(work, 'state', `run-${n}.state.json`), jobHash: 'bench', restart: false } } : {}),
    }),
  );
  return { ...result, state: stateSeconds, keyCheck: result.keyWorker + deferredSeconds };
}

/**
 * The repeated-key check runs in a worker thread beside the reader and the writer, so its cost
 * in a run is the wall time it adds, measured in the run: the same job with the check replaced
 * by one that finds nothing (the KeyChecker class the runner uses, patched in this process only;
 * no switch for it exists in milvusdm).
 */
const realCheck = KeyChecker.prototype.check;
const realAdd = DeferredKeyCheck.prototype.add;
const realFinish = DeferredKeyCheck.prototype.finish;
function keyCheck(on) {
  KeyChecker.prototype.check = on
    ? realCheck
    : async function (keys) {
        return new Uint8Array(keys.values.length);
      };
  DeferredKeyCheck.prototype.add = on ? realAdd : function () {};
  DeferredKeyCheck.prototype.finish = on ? realFinish : function () {};
}

/** `checks`: the batch checks' cost for this kind of target (screenCost), put against the run. */
async function compare(label, writer, writerOptions, checks) {
  const on = [];
  const off = [];
  const noKeyCheck = [];
  // One run first, not counted: the first run pays for JIT warm-up and a cold page cache.
  await once(writer, writerOptions, false, 'warm');
  for (let i = 0; i < runs; i++) {
    // Alternate, so drift on a shared machine falls on every side.
    off.push(await once(writer, writerOptions, false, `${i}-off`));
    on.push(await once(writer, writerOptions, true, `${i}-on`));
    keyCheck(false);
    try {
      noKeyCheck.push(await once(writer, writerOptions, false, `${i}-nokeys`));
    } finally {
      keyCheck(true);
    }
  }
  const a = medians(on);
  const b = medians(off);
  const c = medians(noKeyCheck);
  console.log(
    `${label}: with resume state ${fmt(a.wall, 2)} s wall / ${fmt(a.cpu, 2)} s client CPU, without ${fmt(b.wall, 2)} s / ${fmt(b.cpu, 2)} s, without state or repeated-key check ${fmt(c.wall, 2)} s / ${fmt(c.cpu, 2)} s (medians of ${runs})`,
  );
  results.push({ label, withState: a, withoutState: b, withoutKeyCheck: c, on, off, noKeyCheck, checks });
  return b.wall;
}

/**
 * The batch checks alone: every batch of the input read with and without the structural check
 * and the screen (default policies: on_invalid fail, duplicates fail), alternating. `writer` is
 * what the screen learns of the target: `{}` for a server (NaN/±Inf scanned), `{storesNonFinite:
 * true}` for a file writer (HDF5, Parquet), which skips that scan.
 */
async function screenCost(writer) {
  const source = await reader.open(core.parseOptions(reader.options, { path: input, collection: 'bench' }, 'source'), context);
  try {
    const dataset = source.datasets[0];
    const pass = (checked) =>
      measure(async () => {
        const screen = checked ? new BatchScreen(dataset, screenOptions({}), writer, core.silentLogger) : undefined;
        try {
          await screen?.prepare(batch, context.signal, 0);
          for await (const b of dataset.batches({ batchRows: batch })) {
            if (screen) {
              core.checkBatch(dataset.schema, b, dataset.origin);
              await screen.screen(b);
            }
          }
          screen?.finish();
        } finally {
          await screen?.close();
        }
      });
    const on = [];
    const off = [];
    const noKeyCheck = [];
    await pass(true); // warm-up, not counted
    for (let i = 0; i < runs; i++) {
      off.push(await pass(false));
      on.push(await pass(true));
      keyCheck(false);
      try {
        noKeyCheck.push(await pass(true));
      } finally {
        keyCheck(true);
      }
    }
    return {
      on: medians(on),
      off: medians(off),
      noKeyCheck: medians(noKeyCheck),
      keyWorker: median(on.map((x) => x.keyWorker)),
      onRuns: on,
      offRuns: off,
      noKeyCheckRuns: noKeyCheck,
    };
  } finally {
    await source.close();
  }
}

const results = [];

/** The HDF5 writer's flush + fsync (about once a second), alone: the same appends with and without it. */
async function flushCost() {
  const field = { name: 'embeddings', type: 'float_vector', dim };
  const values = new Float32Array(batch * dim).map((_, i) => i % 97);
  const columns = new Map([['embeddings', { type: 'float_vector', dim, values }]]);
  // The writer's own layout of that one field (the datasets it creates for it).
  const [layout] = core.hdf5Layout.fileLayout({ name: 'bench', fields: [field] }, 'bench');
  const time = async (flush, n) => {
    const file = await GrowingFile.create(join(work, `flush-${n}.h5`), 0);
    file.addField(layout);
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

console.log(`resume bookkeeping: ${fmt(rows)} × ${dim} float32 from HDF5 (${ids} ids), batches of ${fmt(batch)} rows, ${runs} runs each`);
try {
  const screen = await screenCost({});
  const fileScreen = await screenCost({ storesNonFinite: true, publishesAtEnd: true });
  // Their CPU (every thread of this process: the repeated-key check runs in a worker thread) and
  // the wall time they add to reading the batches: the worker overlaps the reader, as it
  // overlaps the reader and the writer in a run, so this wall figure bounds what they add to one.
  const checksFor = (s) => ({
    cpu: s.on.cpu - s.off.cpu,
    wall: Math.max(0, s.on.wall - s.off.wall),
    // Every check but the repeated-key one (all on the main thread).
    otherCpu: Math.max(0, s.noKeyCheck.cpu - s.off.cpu),
  });
  for (const [what, s] of [
    ['into a server (structure, NaN/±Inf, repeated keys)', screen],
    ['into a file (structure, repeated keys; files store NaN/±Inf)', fileScreen],
  ])
    console.log(
      `batch checks alone, ${what}: ${fmt(checksFor(s).cpu, 2)} s client CPU (${fmt(checksFor(s).otherCpu, 2)} s without the repeated-key check; the key worker's thread ${fmt(s.keyWorker, 2)} s), ${fmt(checksFor(s).wall, 2)} s wall over the same ${fmt(rows)} rows (reading them: ${fmt(s.off.cpu, 2)} s CPU without, ${fmt(s.on.cpu, 2)} s with; wall ${fmt(s.off.wall, 2)} / ${fmt(s.on.wall, 2)} s; medians of ${runs})`,
    );
  if (wanted.includes('hdf5')) {
    await compare('H2H (HDF5 writer)', hdf5Writer, (n) => ({ dir: join(work, `out-${n}`), h2m_yaml: false }), checksFor(fileScreen));
    const f = await flushCost();
    console.log(
      `HDF5 writer's flush + fsync (≤ 1/s and at the end), alone: ${fmt(f.on - f.off, 2)} s wall over the same appends (${fmt(f.off, 2)} s without); it is part of both H2H figures above`,
    );
  }
  if (wanted.includes('milvus23')) {
    const server = await startMilvus23(join(work, 'milvus23'));
    try {
      await compare(
        'H2M (Milvus 2.3.5 writer)',
        milvusWriter,
        (n) => ({
          uri: server.uri,
          token: server.token,
          collection: `bench_${n.replace('-', '_')}`,
          // A new collection each run, written as it goes: the per-batch key check (overwrite of an
          // existing collection would write a staging collection and check the keys at the end).
          mode: 'append',
        }),
        checksFor(screen),
      );
    } finally {
      await server.stop();
    }
  }
  if (wanted.includes('milvus')) {
    const server = await startMilvusLite(join(work, 'lite'));
    try {
      await compare(
        'H2M (Milvus Lite writer)',
        milvusWriter,
        (n) => ({
          uri: server.uri,
          collection: `bench_${n.replace('-', '_')}`,
          // A new collection each run, written as it goes: the per-batch key check (overwrite of an
          // existing collection would write a staging collection and check the keys at the end).
          mode: 'append',
        }),
        checksFor(screen),
      );
    } finally {
      await server.stop();
    }
  }
  // Both costs against each run. State: the time spent inside it, measured in the run (above).
  // The repeated-key check: its worker's CPU in the run (above); beside it, the wall time the
  // check added as the median of paired differences between runs, which on a shared machine
  // swings by ±0.2 s from pair to pair. The other checks (structure; NaN/±Inf into a server) run on the main
  // thread: their CPU from screenCost, measured with the key check patched out.
  console.log('');
  console.log(
    "| run | wall without state | state (time inside it, in the run) | repeated-key check (its worker thread's CPU in the run; for a file, its time on the main thread) | other checks (CPU) | state + checks: share of the wall time | client CPU without / with the key check |",
  );
  console.log('|---|---|---|---|---|---|---|');
  // Paired: each run against the one just before or after it (alternating), so drift on a shared
  // machine cancels; the median of those differences, not the difference of medians.
  const pairedMedian = (a, b, k) => median(a.map((x, i) => x[k] - b[i][k]));
  for (const r of results) {
    const state = median(r.on.map((x) => x.state));
    const stateByRuns = pairedMedian(r.on, r.off, 'wall');
    const keyWall = pairedMedian(r.off, r.noKeyCheck, 'wall');
    // The worker's CPU in the run: what it can take from the run at most while a core is free
    // for it (on this 2-core machine the reader, the writer and the GC leave most of one).
    // Or, for a target that publishes at its end (a file), the check's time on the main thread.
    const keyCpu = median(r.off.map((x) => x.keyCheck));
    const other = r.checks.otherCpu;
    const ofWall = ((state + keyCpu + other) / r.withoutKeyCheck.wall) * 100;
    Object.assign(r, { state, stateByRuns, keyWall, keyCpu, other, ofWall });
    console.log(
      `| ${r.label} | ${fmt(r.withoutState.wall, 2)} s | ${fmt(state, 3)} s (runs with − without: ${fmt(stateByRuns, 2)} s) | ${fmt(keyCpu, 2)} s (wall, runs with − without: ${fmt(keyWall, 2)} s) | ${fmt(other, 2)} s | ${fmt(ofWall, 1)} % | ${fmt(r.withoutKeyCheck.cpu, 2)} / ${fmt(r.withoutState.cpu, 2)} s |`,
    );
  }
  console.log(JSON.stringify({ rows, dim, batch, runs, screen, fileScreen, results }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
