// What making the Milvus SDK client costs a fresh process, as @milvusdm/milvus-client makes it
// (no server contacted): the import of the SDK and the client's constructor, timed apart, for
// one or more checkouts (e.g. this one and a `git worktree` of an earlier commit) in rotation.
// A checkout without packages/milvus-client/dist/sdk.js (before 1 Dec 2026) loads the SDK whole
// and calls its constructor plainly, as that code did.
//   node bench/profile/sdk-client.mjs [--runs 6] CHECKOUT [CHECKOUT ...]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { median } from '../harness.mjs';

const argv = process.argv.slice(2);
let runs = 6;
const roots = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else roots.push(resolve(argv[i]));
}
if (roots.length === 0 || !(runs > 0)) throw new Error('usage: node bench/profile/sdk-client.mjs [--runs 6] CHECKOUT [CHECKOUT ...]');

const child = `
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
const root = process.argv[1];
const options = { address: '127.0.0.1:9', telemetry: { enabled: false }, logLevel: 'error' };
const t0 = performance.now();
let make;
if (existsSync(root + '/packages/milvus-client/dist/sdk.js')) {
  const sdk = await import(root + '/packages/milvus-client/dist/sdk.js');
  make = () => sdk.constructSharingProtoDefinitions(() => new sdk.MilvusClient(options));
} else {
  const { MilvusClient } = createRequire(root + '/packages/milvus-client/package.json')('@zilliz/milvus2-sdk-node');
  make = () => new MilvusClient(options);
}
const t1 = performance.now();
make();
console.log(JSON.stringify({ load: t1 - t0, construct: performance.now() - t1 }));
process.exit(0);
`;

const results = new Map(roots.map((r) => [r, []]));
for (let r = 0; r < runs; r++) {
  for (const root of r % 2 ? [...roots].reverse() : roots) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child, root], { encoding: 'utf8' });
    results.get(root).push(JSON.parse(out.trim().split('\n').at(-1)));
  }
}
console.log(`| checkout (${runs} runs each, in rotation) | SDK import ms (median / best) | client constructor ms (median / best) |`);
console.log('|---|---|---|');
for (const [root, rs] of results) {
  const cell = (xs) => `${median(xs).toFixed(0)} / ${Math.min(...xs).toFixed(0)}`;
  console.log(`| ${root} | ${cell(rs.map((x) => x.load))} | ${cell(rs.map((x) => x.construct))} |`);
}
