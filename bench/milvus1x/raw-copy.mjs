// The baseline of the milvus1x M2H benchmark: copies the same .rv/.uid files the migration
// reads, as streams, one after the other, onto the same disk. No parsing, no conversion.
//   node bench/milvus1x/raw-copy.mjs LIST.json   (LIST: [[source, destination], ...])
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';

const pairs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const started = performance.now();
let bytes = 0;
for (const [from, to] of pairs) {
  const input = createReadStream(from, { highWaterMark: 1 << 20 });
  input.on('data', (chunk) => (bytes += chunk.length));
  await pipeline(input, createWriteStream(to));
}
console.log(JSON.stringify({ files: pairs.length, bytes, seconds: (performance.now() - started) / 1000 }));
