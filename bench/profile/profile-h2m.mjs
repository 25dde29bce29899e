// Where the time of a milvusdm H2M job goes, on one server, in one invocation:
//  1. the job under `node --cpu-prof` with instrument.mjs preloaded: every call to the server
//     (method, request bytes, start/end, requests in flight, server CPU at both ends), and the
//     client's CPU profile summarised by module and by function;
//  2. the server's CPU for an insert into a loaded collection (what milvusdm does, to count rows
//     before and after) against the same insert into an unloaded one (pymilvus ORM script, both);
//  3. what each way of proving the row count costs on the server for these rows: flush + segment
//     statistics, load, count(*), release.
//   node bench/profile/profile-h2m.mjs [--server milvus23|lite] [--rows 1000000] [--dim 128] [--parts job,verify,loaded]
// (verify needs job: it counts the rows the job wrote)
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMeasured, groupCpu } from '../proc.mjs';
import { serverRate, startServer, tool, waitQuiet, writeResults, median } from '../harness.mjs';
import { args, cli, fmt, h5Input, python, requireSetup, root } from '../lib.mjs';
import { summariseProfile } from './cpuprofile.mjs';

const opts = args({ server: 'milvus23', rows: 0, dim: 128, parts: 'job,verify,loaded' });
const parts = new Set(opts.parts.split(','));
requireSetup();
const rows = opts.rows || (opts.server === 'lite' ? 200_000 : 1_000_000);
const input = h5Input(rows, opts.dim);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-profile-'));
const srv = await startServer(opts.server, work);
const report = { date: new Date().toISOString(), server: srv.name, rows, dim: opts.dim };
const say = (line = '') => console.log(line);
try {
  await waitQuiet(srv, 0.05, opts.server === 'milvus23' ? 60 : 10);
  const idle = await serverRate(srv, 5);
  report.idle = idle;
  say(`H2M profile: ${fmt(rows)} × ${opts.dim} float32 into ${srv.name}; server idle ${fmt(idle, 2)} cores`);

  // 1. The job, profiled and instrumented.
  if (parts.has('job')) {
    const job = join(work, 'job.yaml');
    writeFileSync(
      job,
      `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${srv.uri}", token: "${srv.token}", collection: bench_a, index: auto, metric: L2}\nrun: {batch_rows: 10000}\n`,
    );
    const calls = join(work, 'calls.jsonl');
    const profDir = join(work, 'prof');
    const run = await runMeasured(
      process.execPath,
      [
        '--cpu-prof',
        '--cpu-prof-dir',
        profDir,
        '--import',
        join(root, 'bench', 'profile', 'instrument.mjs'),
        cli,
        'run',
        job,
        '--quiet',
        '--log-dir',
        join(work, 'logs'),
      ],
      {
        cwd: root,
        env: { BENCH_CALL_LOG: calls, BENCH_SERVER_PGID: String(srv.pgid) },
        secret: srv.token,
      },
    );
    const log = readFileSync(calls, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    report.job = { seconds: run.seconds, clientCpu: run.cpuSeconds, peakMiB: run.peakMiB, phases: phases(log, idle) };
    say(
      `\nmilvusdm run under --cpu-prof: ${fmt(run.seconds, 1)} s wall, client CPU ${fmt(run.cpuSeconds, 1)} s, peak RSS ${fmt(run.peakMiB)} MiB`,
    );
    for (const line of report.job.phases.lines) say(`  ${line}`);
    const [profile] = readdirSync(profDir);
    report.cpuProfile = summariseProfile(JSON.parse(readFileSync(join(profDir, profile), 'utf8')));
    say('\nclient CPU profile by module (self time):');
    for (const [k, v] of report.cpuProfile.byModule) say(`  ${k.padEnd(40)} ${fmt(v, 2)} s`);
    say('client CPU profile, top functions (self time):');
    for (const [k, v] of report.cpuProfile.top) say(`  ${k.padEnd(80).slice(0, 80)} ${fmt(v, 2)} s`);
    await waitQuiet(srv, idle);
  }

  // 3. Verification steps on the rows milvusdm just wrote (released again at its end).
  if (parts.has('job') && parts.has('verify')) {
    report.verify = {};
    for (const step of ['time-flush-stats', 'time-load', 'time-count', 'time-release']) {
      await waitQuiet(srv, idle, 60);
      const before = groupCpu(srv.pgid).cpu;
      const t = performance.now();
      const out = JSON.parse(tool(srv, step, 'bench_a'));
      const wall = (performance.now() - t) / 1000;
      const serverCpu = groupCpu(srv.pgid).cpu - before - idle * wall;
      const after = await waitQuiet(srv, idle, 120);
      report.verify[step] = { seconds: out.seconds, result: out.result, serverCpu, serverCpuAfter: after.cpu };
      say(
        `verification step ${step.slice(5)}: ${fmt(out.seconds, 2)} s, server CPU ${fmt(serverCpu, 1)} s (+${fmt(after.cpu, 1)} s after, until quiet)${out.result != null ? `, result ${out.result}` : ''}`,
      );
    }
  }
  if (parts.has('job')) tool(srv, 'drop', 'bench_a');

  // 2. Server CPU of the same insert into a loaded and an unloaded collection.
  if (parts.has('loaded')) {
    report.loaded = {};
    for (const variant of ['unloaded', 'loaded', 'unloaded', 'loaded']) {
      await waitQuiet(srv, idle, 60);
      const before = groupCpu(srv.pgid).cpu;
      const r = await runMeasured(
        python,
        [
          join(root, 'bench', 'python', 'h2m_orm.py'),
          srv.uri,
          srv.token,
          'bench_c',
          input,
          ...(variant === 'loaded' ? ['--load-first'] : []),
        ],
        { cwd: root, secret: srv.token },
      );
      const during = groupCpu(srv.pgid).cpu - before;
      const tail = await waitQuiet(srv, idle);
      (report.loaded[variant] ??= []).push({ seconds: r.seconds, serverCpu: during, serverCpuAfter: tail.cpu, clientCpu: r.cpuSeconds });
      say(
        `pymilvus ORM insert into an ${variant} collection: ${fmt(r.seconds, 1)} s, server CPU ${fmt(during, 1)} s (+${fmt(tail.cpu, 1)} s after), client CPU ${fmt(r.cpuSeconds, 1)} s`,
      );
      tool(srv, 'drop', 'bench_c');
    }
  }
} finally {
  await srv.server.stop();
  rmSync(work, { recursive: true, force: true });
}
say(`\nraw numbers: ${writeResults(`profile-h2m-${opts.server}`, report)}`);

/** Splits the call log into set-up, inserts and verification, with server CPU per phase. */
function phases(log, idle) {
  const calls = log.filter((e) => e.path === 'raw' || e.path === 'sdk');
  const inserts = calls.filter((e) => e.method === 'Insert');
  const exit = log.find((e) => e.path === 'exit');
  const first = inserts[0];
  const last = inserts.reduce((a, b) => (b.end > a.end ? b : a));
  const cpuAt = (t) => {
    // Server CPU at time t: the nearest sample at or before t among call boundaries.
    let best = log[0].serverCpuStart;
    for (const e of log) {
      if (e.start <= t) best = e.serverCpuStart;
      if (e.end !== undefined && e.end <= t) best = Math.max(best, e.serverCpuEnd);
    }
    return best;
  };
  const firstCall = calls.reduce((a, b) => (b.start < a.start ? b : a));
  const lastCall = calls.reduce((a, b) => (b.end > a.end ? b : a));
  const span = (from, to) => ({ seconds: to - from, serverCpu: cpuAt(to) - cpuAt(from) - idle * (to - from) });
  const setup = span(firstCall.start, first.start);
  const insert = span(first.start, last.end);
  const verify = span(last.end, lastCall.end);
  const latencies = inserts.map((e) => e.end - e.start);
  const bytes = inserts.map((e) => e.bytes);
  // Time with no insert in flight during the insert phase: the client reading/encoding/waiting on itself.
  const edges = inserts
    .flatMap((e) => [
      [e.start, 1],
      [e.end, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let depth = 0;
  let prev = first.start;
  const busy = new Map();
  for (const [t, d] of edges) {
    busy.set(depth, (busy.get(depth) ?? 0) + (t - prev));
    depth += d;
    prev = t;
  }
  const sdkCalls = calls.filter((e) => e.path === 'sdk' || e.method !== 'Insert');
  const byMethod = {};
  for (const e of sdkCalls) {
    const m = (byMethod[e.method] ??= { calls: 0, seconds: 0 });
    m.calls++;
    m.seconds += e.end - e.start;
  }
  const lines = [
    `before the first call (Node start-up, CLI, plugin discovery, opening the file, connecting): ${fmt(firstCall.start, 2)} s after the preload (process start not included)`,
    `set-up (create, index, load, count before): ${fmt(setup.seconds, 2)} s, server CPU ${fmt(setup.serverCpu, 1)} s`,
    `inserts: ${inserts.length} requests in ${fmt(insert.seconds, 2)} s, server CPU ${fmt(insert.serverCpu, 1)} s (${fmt(insert.serverCpu / insert.seconds, 2)} cores); request bytes median ${fmt(median(bytes))} (${fmt(median(bytes) / (rows / inserts.length), 1)} B/row; the vectors alone are ${opts.dim * 4} B/row); acknowledgement latency median ${fmt(median(latencies) * 1000)} ms, max ${fmt(Math.max(...latencies) * 1000)} ms`,
    `time with 0 / 1 / 2 / more inserts in flight: ${[0, 1, 2].map((d) => fmt(busy.get(d) ?? 0, 2)).join(' / ')} / ${fmt(
      [...busy].filter(([d]) => d > 2).reduce((n, [, s]) => n + s, 0),
      2,
    )} s`,
    `verification and close (count after, release): ${fmt(verify.seconds, 2)} s, server CPU ${fmt(verify.serverCpu, 1)} s; process exit ${fmt((exit?.start ?? lastCall.end) - lastCall.end, 2)} s later`,
    `control calls: ${Object.entries(byMethod)
      .map(([m, v]) => `${m} ×${v.calls} ${fmt(v.seconds, 2)} s`)
      .join(', ')}`,
  ];
  return {
    setup,
    insert,
    verify,
    requests: inserts.length,
    requestBytes: { median: median(bytes), min: Math.min(...bytes), max: Math.max(...bytes) },
    latency: { median: median(latencies), max: Math.max(...latencies) },
    inFlightSeconds: Object.fromEntries(busy),
    byMethod,
    lines,
  };
}
