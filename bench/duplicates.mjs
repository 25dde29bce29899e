// Memory and time of finding repeated keys among N int64 keys: milvusdm's DuplicateFinder
// (Bloom filter + sorted runs spilled to disk) against a plain Set<bigint>, each in its own
// process, side by side in one invocation. Usage: node bench/duplicates.mjs [--keys 10000000]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const keys = Number(args[args.indexOf('--keys') + 1] || 10_000_000);
const self = fileURLToPath(import.meta.url);

if (args[0] === '--child') {
  const which = args[1];
  const { DuplicateFinder } = await import('../packages/core/dist/pipeline/duplicates.js');
  const batch = 10_000;
  const finder = which === 'finder' ? new DuplicateFinder() : undefined;
  const set = which === 'set' ? new Set() : undefined;
  let repeated = 0;
  let s = 12345;
  const t0 = performance.now();
  let peakHeap = 0;
  for (let b = 0; b < keys / batch; b++) {
    const values = new BigInt64Array(batch);
    for (let i = 0; i < batch; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // Scattered keys; one in 10,000 repeats an earlier one.
      values[i] = s % 10_000 === 0 && b > 0 ? BigInt(((b * batch) >>> 1) * 2654435761) : BigInt(b * batch + i) * 2654435761n;
    }
    if (finder) {
      const r = finder.check({ type: 'int64', values });
      for (const x of r) repeated += x;
    } else {
      for (const v of values) {
        if (set.has(v)) repeated++;
        else set.add(v);
      }
    }
    if (b % 100 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
  }
  const seconds = (performance.now() - t0) / 1000;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
  const rss = process.resourceUsage().maxRSS * 1024;
  finder?.close();
  console.log(JSON.stringify({ which, keys, repeated, seconds, peakHeapMiB: peakHeap / 2 ** 20, maxRssMiB: rss / 2 ** 20 }));
  process.exit(0);
}

const results = [];
for (const which of ['finder', 'set']) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', which, '--keys', String(keys)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  results.push(JSON.parse(r.stdout.trim().split('\n').pop()));
}
const [f, s] = results;
console.table(results);
console.log(`repeated keys found: finder ${f.repeated}, Set ${s.repeated} (${f.repeated === s.repeated ? 'equal' : 'DIFFERENT'})`);
console.log(
  `peak RSS: finder ${f.maxRssMiB.toFixed(0)} MiB vs Set ${s.maxRssMiB.toFixed(0)} MiB (${(s.maxRssMiB / f.maxRssMiB).toFixed(1)}× less); time ${f.seconds.toFixed(1)} s vs ${s.seconds.toFixed(1)} s`,
);
