// The Milvus 1.x directory the benchmarks read: one collection of `rows` × `dim` float32 in
// `segments` segments (RAW / TO_INDEX / BACKUP in rotation, the BACKUP ones with an index file),
// about `deletes` of each segment's rows deleted in three batches (the third repeating part of
// the first, so offsets are unsorted and repeated). Built once into bench/.cache/.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from '../lib.mjs';

const testingDist = join(root, 'packages', 'milvus1x-testing', 'dist', 'index.js');

function spec(Random, { rows, dim, segments, deletes }) {
  const rng = new Random(1234);
  const types = ['RAW', 'TO_INDEX', 'BACKUP'];
  const per = Math.ceil(rows / segments);
  const segs = [];
  for (let s = 0, left = rows; s < segments; s++, left -= per) {
    const n = Math.min(per, left);
    const pick = (k) => Array.from({ length: k }, () => rng.int(n)).sort((a, b) => a - b);
    const first = pick(Math.round((n * deletes) / 2));
    const second = pick(Math.round((n * deletes) / 2));
    segs.push({ rows: n, type: types[s % types.length], deletes: [first, second, first.slice(0, Math.ceil(first.length / 4))] });
  }
  return { collections: [{ name: 'bench1x', dim, metric: 'L2', segments: segs }], keepExpected: false, seed: 99 };
}

/**
 * Returns { dir, built: { root, liveRows, files: [rv, uid, …], segments: [[rv, uid, deleted_docs], …] } }.
 */
export async function milvus1xInput({ rows, dim, segments = 8, deletes = 0.01 }) {
  if (!existsSync(testingDist)) throw new Error(`${testingDist} is missing: build first (pnpm run build)`);
  const { buildMilvus1xDir, Random } = await import(testingDist);
  const dir = join(root, 'bench', '.cache', `milvus1x-${rows}x${dim}-s${segments}-d${deletes}`);
  const marker = join(dir, 'spec.json');
  const wanted = JSON.stringify({ rows, dim, segments, deletes, v: 1 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) {
    const built = JSON.parse(readFileSync(join(dir, 'built.json'), 'utf8'));
    // Caches written before the segment list was kept: rebuild it from the file pairs.
    built.segments ??= pairs(built.files);
    return { dir, built };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`building the 1.x directory in ${dir} …`);
  const b = await buildMilvus1xDir(join(dir, 'milvus'), spec(Random, { rows, dim, segments, deletes }));
  const files = b.segments.flatMap((s) => [s.rv, s.uid]);
  const built = { root: b.root, liveRows: b.expected.reduce((n, e) => n + e.rows, 0), files, segments: pairs(files) };
  writeFileSync(join(dir, 'built.json'), JSON.stringify(built));
  writeFileSync(marker, wanted);
  return { dir, built };
}

function pairs(files) {
  const out = [];
  for (let i = 0; i < files.length; i += 2) out.push([files[i], files[i + 1], join(dirname(files[i]), 'deleted_docs')]);
  return out;
}
