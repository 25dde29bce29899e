// CLI start-up: `milvusdm --help`, `plugins`, `inspect FILE.h5` (and `inspect INDEX` when a Faiss
// index is cached) against a bare `node -e 0`, each run `--runs` times in rotation: medians and
// bests of wall time, CPU (whole process tree, from /proc) and peak RSS.
//   node bench/profile/startup.mjs [--runs 9]
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, writeResults } from '../harness.mjs';
import { runMeasured } from '../proc.mjs';
import { args, cacheDir, cli, fmt, h5Input, requireSetup, root } from '../lib.mjs';
import { summariseProfile } from './cpuprofile.mjs';

const { runs } = args({ runs: 9 });
requireSetup();
const logs = mkdtempSync(join(tmpdir(), 'milvusdm-startup-'));
const h5 = h5Input(20_000, 128);
const faiss = existsSync(cacheDir) ? readdirSync(cacheDir).find((f) => f.startsWith('faiss-') && f.endsWith('.index')) : undefined;
const commands = [
  ['node -e 0 (the floor)', ['-e', '0']],
  ['milvusdm --help', [cli, '--help']],
  ['milvusdm plugins', [cli, 'plugins']],
  ['milvusdm inspect FILE.h5', [cli, 'inspect', h5]],
  ...(faiss ? [['milvusdm inspect FILE.index (faiss)', [cli, 'inspect', join(cacheDir, faiss)]]] : []),
];
const results = new Map(commands.map(([name]) => [name, []]));
try {
  for (let r = 0; r < runs; r++) {
    for (const [name, a] of r % 2 ? [...commands].reverse() : commands) {
      const m = await runMeasured(process.execPath, a, { cwd: root });
      results.get(name).push(m);
    }
  }
} catch (e) {
  rmSync(logs, { recursive: true, force: true });
  throw e;
}
console.log(`| command (${runs} runs each, in rotation) | wall ms (median / best) | CPU ms (median) | peak RSS MiB |`);
console.log('|---|---|---|---|');
const raw = {};
for (const [name, ms] of results) {
  raw[name] = ms.map(({ seconds, cpuSeconds, peakMiB }) => ({ seconds, cpuSeconds, peakMiB }));
  console.log(
    `| \`${name}\` | ${fmt(median(ms.map((m) => m.seconds)) * 1000)} / ${fmt(Math.min(...ms.map((m) => m.seconds)) * 1000)} | ${fmt(median(ms.map((m) => m.cpuSeconds)) * 1000)} | ${fmt(Math.max(...ms.map((m) => m.peakMiB)))} |`,
  );
}
// Where `--help` spends its time: one run under --cpu-prof, self time by module.
const profDir = join(logs, 'prof');
await runMeasured(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, cli, '--help'], { cwd: root });
const help = summariseProfile(JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8')));
rmSync(logs, { recursive: true, force: true });
console.log('\n`milvusdm --help` under --cpu-prof, self time by module:');
for (const [k, v] of help.byModule) console.log(`  ${k.padEnd(40)} ${fmt(v * 1000)} ms`);
console.log(`\nraw numbers: ${writeResults('startup', { date: new Date().toISOString(), runs, raw, helpProfile: help })}`);
