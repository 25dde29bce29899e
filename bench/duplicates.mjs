// Memory and time of finding repeated keys among N int64 keys: milvusdm's DuplicateFinder
// (batch by batch: a window, a Bloom filter and runs spilled to disk), its DeferredKeyCheck (all
// at once at the end, as for a file target: keys partitioned by hash, each partition checked in
// cache) and a plain Set<bigint>, each in its own process, side by side in one invocation. Time
// is the check's only (keys are made outside it); the deferred check's includes its final pass.
// Usage: node bench/duplicates.mjs [--keys 10000000] [--order repeats|ascending|scattered]
//   repeats:   ascending keys, one in 10,000 repeating an earlier one (the default)
//   ascending: strictly ascending keys (a live Milvus read, an HDF5 file of ids 0..n-1)
//   scattered: distinct keys in no order (a Faiss index with random ids)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const keys = Number(args[args.indexOf('--keys') + 1] || 10_000_000);
const order = args.includes('--order') ? args[args.indexOf('--order') + 1] : 'repeats';
if (!['repeats', 'ascending', 'scattered'].includes(order)) throw new Error(`--order: ${order} is not repeats, ascending or scattered`);
const self = fileURLToPath(import.meta.url);

if (args[0] === '--child') {
  const which = args[1];
  const { DuplicateFinder } = await import('../packages/core/dist/pipeline/duplicates.js');
  const { DeferredKeyCheck } = await import('../packages/core/dist/pipeline/deferred-keys.js');
  const batch = 10_000;
  const finder = which === 'finder' ? new DuplicateFinder() : undefined;
  // A file announces its rows: the deferred check is sized by them.
  const deferred = which === 'deferred' ? new DeferredKeyCheck(keys) : undefined;
  const set = which === 'set' ? new Set() : undefined;
  let repeated = 0;
  // Distinct keys that repeat: what the deferred check counts (it names rows only on a second read).
  const repeatedSet = which === 'set' ? new Set() : undefined;
  let repeatedKeys = 0;
  let s = 12345;
  let seconds = 0;
  let peakHeap = 0;
  for (let b = 0; b < keys / batch; b++) {
    const values = new BigInt64Array(batch);
    for (let i = 0; i < batch; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // In the default order, one key in 10,000 repeats an earlier one.
      const n = BigInt(b * batch + i);
      if (order === 'ascending') values[i] = n * 2654435761n;
      // An odd multiplier modulo 2^64 maps distinct keys to distinct keys, in no order.
      else if (order === 'scattered') values[i] = BigInt.asIntN(64, n * 0x9e3779b97f4a7c15n);
      else values[i] = s % 10_000 === 0 && b > 0 ? BigInt(((b * batch) >>> 1) * 2654435761) : n * 2654435761n;
    }
    const t0 = performance.now();
    if (finder) {
      const r = finder.check({ type: 'int64', values });
      for (const x of r) repeated += x;
    } else if (deferred) {
      deferred.add({ type: 'int64', values }, b * batch);
    } else {
      for (const v of values) {
        if (set.has(v)) {
          repeated++;
          repeatedSet.add(v);
        } else set.add(v);
      }
    }
    seconds += (performance.now() - t0) / 1000;
    if (b % 100 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
  }
  if (deferred) {
    const t0 = performance.now();
    repeatedKeys = deferred.finish()?.repeatedKeys ?? 0;
    seconds += (performance.now() - t0) / 1000;
    deferred.close();
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
  const rss = process.resourceUsage().maxRSS * 1024;
  finder?.close();
  if (repeatedSet) repeatedKeys = repeatedSet.size;
  console.log(
    JSON.stringify({
      which,
      order,
      keys,
      repeated: deferred ? null : repeated,
      repeatedKeys: finder ? null : repeatedKeys,
      seconds,
      usPerKey: (seconds * 1e6) / keys,
      peakHeapMiB: peakHeap / 2 ** 20,
      maxRssMiB: rss / 2 ** 20,
    }),
  );
  process.exit(0);
}

const results = [];
for (const which of ['finder', 'deferred', 'set']) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', which, '--keys', String(keys), '--order', order], {
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  results.push(JSON.parse(r.stdout.trim().split('\n').pop()));
}
const [f, d, s] = results;
console.table(results);
console.log(
  `repeats found: finder ${f.repeated} rows, Set ${s.repeated} rows (${f.repeated === s.repeated ? 'equal' : 'DIFFERENT'}); distinct repeated keys: deferred ${d.repeatedKeys}, Set ${s.repeatedKeys} (${d.repeatedKeys === s.repeatedKeys ? 'equal' : 'DIFFERENT'})`,
);
console.log(`deferred check (at the end, for a file target): ${d.seconds.toFixed(2)} s, peak RSS ${d.maxRssMiB.toFixed(0)} MiB`);
console.log(
  `peak RSS: finder ${f.maxRssMiB.toFixed(0)} MiB vs Set ${s.maxRssMiB.toFixed(0)} MiB (${(s.maxRssMiB / f.maxRssMiB).toFixed(1)}× less); time ${f.seconds.toFixed(1)} s vs ${s.seconds.toFixed(1)} s`,
);
