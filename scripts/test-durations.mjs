// Writes scripts/test-durations.json (seconds per test file, as the last full run took) from
// vitest's results cache: the order scripts/longest-first.ts runs test files in. Run it after
// a full `pnpm test` when files were added or their durations changed a lot.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cacheRoot = join(import.meta.dirname, '..', 'node_modules', '.vite', 'vitest');
const results = readdirSync(cacheRoot).flatMap((d) => {
  try {
    return JSON.parse(readFileSync(join(cacheRoot, d, 'results.json'), 'utf8')).results;
  } catch {
    return [];
  }
});
const durations = Object.fromEntries(
  results
    .filter(([, r]) => r && !r.failed && r.duration > 0)
    .map(([key, r]) => [key, Math.round(r.duration / 100) / 10])
    .sort((a, b) => b[1] - a[1]),
);
writeFileSync(join(import.meta.dirname, 'test-durations.json'), `${JSON.stringify(durations, null, 2)}\n`);
console.log(`${Object.keys(durations).length} files written to scripts/test-durations.json`);
