// The side-by-side harness: starts a server, runs each contender as its own process on it in an
// alternating order (A B C D D C B A …), measures wall time, the contender's CPU and peak RSS,
// and the server's CPU while it ran and after it (until the server is quiet again), checks every
// contender's result, cleans up between contenders, and reports medians and bests.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { findProcess, groupCpu, runMeasured } from './proc.mjs';
import { fmt, python, root } from './lib.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts Milvus Lite or Milvus 2.3 through @milvusdm/testing and finds its process group. */
export async function startServer(kind, workDir) {
  const { startMilvusLite, startMilvus23 } = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));
  const dataDir = join(workDir, kind);
  const server = kind === 'milvus23' ? await startMilvus23(dataDir) : await startMilvusLite(dataDir);
  // Both launchers run detached (their own group) with the data directory on the command line.
  const leader = findProcess(dataDir);
  if (!leader) {
    await server.stop();
    throw new Error(`started ${server.name} but found no process for ${dataDir}`);
  }
  const cores = kind === 'milvus23' ? cpus().length : 1;
  return { kind, server, pgid: leader.pgid, cores, token: server.token ?? '', uri: server.uri, name: server.name };
}

/** Server CPU rate (cores) over `seconds`. */
export async function serverRate(srv, seconds) {
  const a = groupCpu(srv.pgid).cpu;
  const t = performance.now();
  await sleep(seconds * 1000);
  return (groupCpu(srv.pgid).cpu - a) / ((performance.now() - t) / 1000);
}

/**
 * Waits until the server's CPU rate over one second stays within `idle + 0.1` cores twice in a
 * row, or `maxSeconds` pass (Milvus Lite keeps two threads busy at about 0.12 cores each for
 * minutes after an insert, so it may never look idle); returns the CPU-seconds it spent
 * meanwhile above the idle rate, and whether it became quiet.
 */
export async function waitQuiet(srv, idle, maxSeconds = 30) {
  const start = performance.now();
  const cpu0 = groupCpu(srv.pgid).cpu;
  let calm = 0;
  while ((performance.now() - start) / 1000 < maxSeconds && calm < 2) {
    const rate = await serverRate(srv, 1);
    calm = rate <= idle + 0.1 ? calm + 1 : 0;
  }
  const seconds = (performance.now() - start) / 1000;
  return { seconds, quiet: calm >= 2, cpu: Math.max(0, groupCpu(srv.pgid).cpu - cpu0 - idle * seconds) };
}

/** Runs a pymilvus helper of bench/python/collection_tool.py (not measured). */
export function tool(srv, ...args) {
  return toolOnce(srv, args);
}

/**
 * Drops a contender's collection. Milvus Lite 3.2 can fail a drop while it still builds the
 * collection's indexes ("No such file or directory: ….autoindex.idx", seen at 1M rows): wait
 * for the server to go quiet and try again.
 */
export async function dropCollection(srv, name, idle = 0.05) {
  for (let attempt = 1; ; attempt++) {
    try {
      return toolOnce(srv, ['drop', name]);
    } catch (e) {
      if (attempt >= 4) throw e;
      console.log(`  (drop ${name} failed, attempt ${attempt}; waiting for the server to go quiet)`);
      await waitQuiet(srv, idle, 600);
    }
  }
}

function toolOnce(srv, args) {
  const r = spawnSync(python, [join(root, 'bench', 'python', 'collection_tool.py'), srv.uri, srv.token, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`collection_tool ${args.join(' ')} failed:\n${r.stderr.slice(-2000)}`);
  return r.stdout.trim();
}

/** Order of the runs: forward, then backward, and so on (A B C D D C B A A B …). */
export function schedule(contenders, repeat) {
  const out = [];
  for (let r = 0; r < repeat; r++) out.push(...(r % 2 === 0 ? contenders : [...contenders].reverse()));
  return out;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * contenders: { key, label, command, args, rows, check(): void (throws if the result is wrong),
 * cleanup(): void (drops what it wrote) }. `partial(run)` is called after each run (a long series
 * interrupted still leaves its finished runs). Returns the raw runs and per-contender summaries.
 */
export async function runSeries(srv, contenders, { repeat, idle, log = console.log, partial }) {
  const runs = [];
  for (const c of schedule(contenders, repeat)) {
    // The previous contender's check flushed its collection (sealing starts index builds) and
    // dropped it (garbage collection follows): let that finish before measuring the next one.
    await waitQuiet(srv, idle, 120);
    // The server's own background rate just before this run (it need not be idle: see waitQuiet).
    const baseline = await serverRate(srv, 3);
    const before = groupCpu(srv.pgid);
    let serverPeakThreads = before.threads;
    const r = await runMeasured(c.command, c.args, {
      cwd: root,
      env: c.env,
      secret: srv.token,
      // Thread counts once a second: a /proc scan costs the machine the contenders run on.
      onSample: (t) => {
        if (Math.floor(t * 10) % 10 === 0) serverPeakThreads = Math.max(serverPeakThreads, groupCpu(srv.pgid).threads);
      },
    });
    const after = groupCpu(srv.pgid);
    const tail = await waitQuiet(srv, baseline, 30);
    const serverCpu = after.cpu - before.cpu;
    const run = {
      key: c.key,
      label: c.label,
      rows: c.rows,
      server: srv.name,
      cores: srv.cores,
      seconds: r.seconds,
      rowsPerSecond: c.rows / r.seconds,
      clientCpu: r.cpuSeconds,
      clientPeakMiB: r.peakMiB,
      serverCpu,
      serverBaselineCores: baseline,
      serverCpuAboveBaseline: Math.max(0, serverCpu - baseline * r.seconds),
      serverParallelism: serverCpu / r.seconds,
      serverThreads: serverPeakThreads,
      serverTailCpu: tail.cpu,
      serverTailSeconds: tail.seconds,
      serverTailQuiet: tail.quiet,
      floorSeconds: Math.max(0, serverCpu - baseline * r.seconds) / srv.cores,
      stdout: r.stdout.trim().split('\n').slice(-3).join('\n'),
    };
    // Kept before the check and the clean-up, so a server that fails to drop a collection loses no measurement.
    partial?.(run);
    await c.check?.(r);
    await c.cleanup?.();
    runs.push(run);
    log(
      `  ${c.key} ${c.label}: ${fmt(run.seconds, 1)} s, ${fmt(run.rowsPerSecond)} rows/s, client CPU ${fmt(run.clientCpu, 1)} s, ` +
        `peak RSS ${fmt(run.clientPeakMiB)} MiB, server CPU ${fmt(run.serverCpu, 1)} s (×${fmt(run.serverParallelism, 2)} cores, ${run.serverThreads} threads; background before ${fmt(baseline, 2)} cores) + ${fmt(run.serverTailCpu, 1)} s in the ${fmt(tail.seconds)} s after${tail.quiet ? ' (then quiet)' : ' (still busy)'}`,
    );
  }
  return { runs, summary: summarise(runs, contenders) };
}

/** Medians and bests per contender ({key, label, rows}) over its runs. */
export function summarise(runs, contenders) {
  return contenders.map((c) => {
    const mine = runs.filter((r) => r.key === c.key);
    const pick = (f) => ({ median: median(mine.map(f)), best: Math.min(...mine.map(f)) });
    return {
      key: c.key,
      label: c.label,
      rows: c.rows,
      seconds: pick((r) => r.seconds),
      clientCpu: pick((r) => r.clientCpu),
      clientPeakMiB: { median: median(mine.map((r) => r.clientPeakMiB)), max: Math.max(...mine.map((r) => r.clientPeakMiB)) },
      serverCpu: pick((r) => r.serverCpu),
      serverCpuAboveBaseline: pick((r) => r.serverCpuAboveBaseline),
      serverParallelism: { median: median(mine.map((r) => r.serverParallelism)), max: Math.max(...mine.map((r) => r.serverParallelism)) },
      serverTailCpu: pick((r) => r.serverTailCpu),
      floorSeconds: pick((r) => r.floorSeconds),
    };
  });
}

/**
 * A markdown table of the summaries. `ours` and `refs` name the contenders compared in the
 * last column: milvusdm's median time against the faster reference's.
 */
export function table(srv, summary, { ours, refs, idle }) {
  const fastest = Math.min(...summary.filter((s) => refs.includes(s.key)).map((s) => s.seconds.median));
  const lines = [
    `| ${srv.name} | wall s (median / best) | rows/s (median) | client CPU s | client CPU µs/row | peak RSS MiB | server CPU s while it ran (above its background) | server cores busy | server CPU s in the 30 s after | floor s (server CPU above background / ${srv.cores} core${srv.cores > 1 ? 's' : ''}) | wall / floor | vs the fastest reference |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of summary) {
    const ratio = fastest / s.seconds.median;
    lines.push(
      `| ${s.key} ${s.label} | ${fmt(s.seconds.median, 1)} / ${fmt(s.seconds.best, 1)} | ${fmt(s.rows / s.seconds.median)} | ${fmt(s.clientCpu.median, 1)} | ${fmt((s.clientCpu.median / s.rows) * 1e6, 1)} | ${fmt(s.clientPeakMiB.max)} | ${fmt(s.serverCpu.median, 1)} (${fmt(s.serverCpuAboveBaseline.median, 1)}) | ${fmt(s.serverParallelism.median, 2)} (max ${fmt(s.serverParallelism.max, 2)}) | ${fmt(s.serverTailCpu.median, 1)} | ${fmt(s.floorSeconds.median, 1)} | ${s.floorSeconds.median > 0 ? `${fmt(s.seconds.median / s.floorSeconds.median, 2)}×` : '— (server no busier than its background)'} | ${s.key === ours ? `**${fmt(ratio, 2)}×**` : fmt(ratio, 2) + '×'} |`,
    );
  }
  lines.push(
    '',
    `Medians over the rounds. Server idle rate at the start: ${fmt(idle, 2)} cores; before each run its background rate is measured again (3 s) and the floor uses the CPU above it.`,
  );
  return lines.join('\n');
}

/** Appends one finished run to bench/results/<name>.partial.jsonl. */
export function partialWriter(name) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.partial.jsonl`);
  return (run) => appendFileSync(file, JSON.stringify(run) + '\n');
}

export function writeResults(name, data) {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}
