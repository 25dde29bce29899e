// What importing a module costs a fresh process: wall time of the import, V8 heap after a full
// GC, RSS. Several modules (or one module from two checkouts, e.g. a `git worktree` of the last
// commit) are loaded in rotation, each in its own process, `--runs` times.
//   node bench/profile/module-load.mjs [--runs 6] MODULE_PATH [MODULE_PATH ...]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from '../harness.mjs';

const argv = process.argv.slice(2);
let runs = 6;
const paths = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else paths.push(resolve(argv[i]));
}
if (paths.length === 0 || !(runs > 0))
  throw new Error('usage: node bench/profile/module-load.mjs [--runs 6] MODULE_PATH [MODULE_PATH ...]');

// The child: import, then measure after a full collection (exposed through a V8 flag set at run time).
const child = `
import v8 from 'node:v8';
import vm from 'node:vm';
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const t0 = performance.now();
await import(process.argv[1]);
const ms = performance.now() - t0;
gc();
const m = process.memoryUsage();
console.log(JSON.stringify({ ms, heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 }));
process.exit(0);
`;

const results = new Map(paths.map((p) => [p, []]));
for (let r = 0; r < runs; r++) {
  for (const p of r % 2 ? [...paths].reverse() : paths) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child, pathToFileURL(p).href], { encoding: 'utf8' });
    results.get(p).push(JSON.parse(out.trim().split('\n').at(-1)));
  }
}
console.log(`| module (${runs} runs each, in rotation) | import ms (median / best) | V8 heap after GC, MiB (median) | RSS MiB (median) |`);
console.log('|---|---|---|---|');
for (const [p, rs] of results) {
  const ms = rs.map((x) => x.ms);
  console.log(
    `| ${p} | ${median(ms).toFixed(0)} / ${Math.min(...ms).toFixed(0)} | ${median(rs.map((x) => x.heap)).toFixed(1)} | ${median(rs.map((x) => x.rss)).toFixed(0)} |`,
  );
}
