// The table of an interrupted (or finished) series from its partial results, one run per line.
//   node bench/report.mjs bench/results/<name>-<time>.partial.jsonl [ours=a] [references=b,c]
import { readFileSync } from 'node:fs';
import { summarise, table } from './harness.mjs';

const [file, ours = 'a', refs = 'b,c'] = process.argv.slice(2);
const runs = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const contenders = [...new Map(runs.map((r) => [r.key, { key: r.key, label: r.label, rows: r.rows }])).values()].sort((a, b) =>
  a.key.localeCompare(b.key),
);
const srv = { name: runs[0].server, cores: runs[0].cores };
console.log(`${runs.length} runs: ${runs.map((r) => r.key).join(' ')}\n`);
console.log(table(srv, summarise(runs, contenders), { ours, refs: refs.split(','), idle: runs[0].serverBaselineCores ?? 0 }));
