// The HDF5 writer's append path alone: batches of 10,000 × 128 float32 plus int64 ids appended to
// a new file with GrowingFile (packages/writers/hdf5/src/h5-out.ts), then its metadata and one
// fsync. For chunk-layout experiments: change CHUNK_BYTES there, rebuild, run again.
//   node bench/profile/hdf5-append.mjs [--batches 100] [--runs 3]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { args, cacheDir, root } from '../lib.mjs';

const { batches, runs } = args({ batches: 100, runs: 3 });
const { GrowingFile } = await import(join(root, 'packages', 'writers', 'hdf5', 'dist', 'h5-out.js'));
const { hdf5Layout } = await import(join(root, 'packages', 'core', 'dist', 'index.js'));
const schema = {
  fields: [
    { name: 'id', type: 'int64', isPrimaryKey: true },
    { name: 'embeddings', type: 'float_vector', dim: 128 },
  ],
};
const layouts = hdf5Layout.fileLayout(schema, 'bench');
const path = join(cacheDir, `hdf5-append-${process.pid}.h5`);
const rows = 10_000;
const ids = new BigInt64Array(rows);
const vectors = new Float32Array(rows * 128).map((_, i) => i % 997);
for (let run = 1; run <= runs; run++) {
  rmSync(path, { force: true });
  const file = await GrowingFile.create(path, 0, rows);
  for (const layout of layouts) file.addField(layout);
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < rows; i++) ids[i] = BigInt(b * rows + i);
    file.append(
      rows,
      new Map([
        ['id', { type: 'int64', values: ids }],
        ['embeddings', { type: 'float_vector', dim: 128, values: vectors }],
      ]),
    );
  }
  file.writeMetadata();
  const appended = performance.now();
  await file.syncToDisk();
  file.close();
  const mib = (batches * rows * (128 * 4 + 8)) / 2 ** 20;
  console.log(
    `run ${run}: ${batches} batches (${mib.toFixed(0)} MiB) appended in ${(appended - started).toFixed(0)} ms, fsync ${(performance.now() - appended).toFixed(0)} ms`,
  );
}
rmSync(path, { force: true });
