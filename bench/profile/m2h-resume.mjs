// A resumed M2H from a live Milvus: where its time goes, call by call.
//  1. a collection of --rows rows in two partitions (p1, p2), made by pymilvus
//     (packages/testing/python/make_collection.py);
//  2. the M2H job (run.batch_rows --batch) run whole, timed;
//  3. the same job in a fresh state folder, interrupted with Ctrl-C (SIGINT) once its state
//     records --at of the rows, then resumed with instrument.mjs preloaded: every call to the
//     server, summarised by method (count(*) queries apart from data queries);
//  4. both outputs compared with the expected content by h5py (verify_h5.py), bit for bit.
//   node bench/profile/m2h-resume.mjs [--server milvus23|lite] [--rows 16000] [--batch 400] [--at 0.4]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMeasured } from '../proc.mjs';
import { startServer, writeResults } from '../harness.mjs';
import { args, cli, fmt, requireSetup, root } from '../lib.mjs';

const opts = args({ server: 'milvus23', rows: 16_000, batch: 400, at: 0.4 });
requireSetup();
const testing = await import(join(root, 'packages', 'testing', 'dist', 'index.js'));
const work = mkdtempSync(join(tmpdir(), 'milvusdm-m2h-resume-'));
const srv = await startServer(opts.server, work);
const say = (line = '') => console.log(line);
const report = { date: new Date().toISOString(), server: srv.name, rows: opts.rows, batch: opts.batch };
const py = (script, scriptArgs) => testing.runPython(join(root, 'packages', 'testing', 'python', script), scriptArgs);

function job(name) {
  const stateDir = join(work, `${name}-state`);
  const out = join(work, `${name}-out`);
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    JSON.stringify({
      source: { type: 'milvus', uri: srv.uri, ...(srv.token ? { token: srv.token } : {}), collection: 'bench_src' },
      target: { type: 'hdf5', dir: out },
      run: { batch_rows: opts.batch, state_dir: stateDir },
    }),
  );
  return { stateDir, out, args: ['run', file, '--log-dir', join(work, `${name}-logs`)] };
}

async function verify(out, expected) {
  for (const part of ['p1', 'p2']) {
    const v = await py('verify_h5.py', [
      ...['--actual', join(out, 'bench_src', `${part}.h5`), '--expected', join(expected, `${part}.h5`), '--dtype', 'float32'],
    ]);
    if (!v.ok) throw new Error(`${part}: the output differs from the source: ${JSON.stringify(v).slice(0, 500)}`);
  }
}

try {
  const expected = join(work, 'expected');
  await py('make_collection.py', [
    ...['--uri', srv.uri, '--token', srv.token, '--collection', 'bench_src', '--rows', String(opts.rows), '--dim', '8'],
    ...['--partitions', 'p1,p2', '--seed', '54', '--expected', expected],
  ]);
  say(`M2H resume profile: ${fmt(opts.rows)} rows (dim 8, partitions p1 p2) on ${srv.name}, batch_rows ${opts.batch}`);

  const whole = job('whole');
  const w = await runMeasured(process.execPath, [cli, ...whole.args], { cwd: root, secret: srv.token });
  await verify(whole.out, expected);
  report.whole = { seconds: w.seconds, clientCpu: w.cpuSeconds };
  say(`whole run: ${fmt(w.seconds, 1)} s wall, client CPU ${fmt(w.cpuSeconds, 1)} s (output checked bit for bit)`);

  const resumed = job('resumed');
  const cut = await testing.interrupt(resumed.args, resumed.stateDir, Math.floor(opts.rows * opts.at), 0, 'SIGINT');
  if (!cut.interrupted) throw new Error(`the run ended before it could be interrupted: ${cut.stderr}`);
  const calls = join(work, 'calls.jsonl');
  const r = await runMeasured(process.execPath, ['--import', join(root, 'bench', 'profile', 'instrument.mjs'), cli, ...resumed.args], {
    cwd: root,
    env: { BENCH_CALL_LOG: calls },
    secret: srv.token,
  });
  await verify(resumed.out, expected);
  const log = readFileSync(calls, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((c) => c.method);
  const byKind = new Map();
  for (const c of log) {
    const kind = c.kind ?? c.method;
    const k = byKind.get(kind) ?? { calls: 0, seconds: 0, max: 0 };
    k.calls++;
    k.seconds += c.end - c.start;
    k.max = Math.max(k.max, c.end - c.start);
    byKind.set(kind, k);
  }
  report.interruptedAt = cut.rowsAtKill;
  report.resumed = { seconds: r.seconds, clientCpu: r.cpuSeconds, calls: Object.fromEntries(byKind) };
  say(
    `resumed after Ctrl-C at ${fmt(cut.rowsAtKill ?? 0)} rows: ${fmt(r.seconds, 1)} s wall, client CPU ${fmt(r.cpuSeconds, 1)} s (output checked bit for bit)`,
  );
  say('  calls of the resumed run (summed latency; calls may overlap):');
  for (const [kind, k] of [...byKind].sort((a, b) => b[1].seconds - a[1].seconds)) {
    say(`  ${kind.padEnd(24)} ${String(k.calls).padStart(5)} calls ${fmt(k.seconds, 2).padStart(8)} s  (longest ${fmt(k.max, 3)} s)`);
  }
  writeResults('m2h-resume', report);
} finally {
  await srv.server.stop();
}
