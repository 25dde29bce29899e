// The baseline of the Faiss F2H benchmark: copies the index file's bytes to the same disk with
// fs streams (1 MiB chunks). No parsing, no conversion: the I/O floor of any F2H.
//   node bench/faiss/raw-copy.mjs SOURCE DESTINATION
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

const [from, to] = process.argv.slice(2);
const started = performance.now();
let bytes = 0;
const input = createReadStream(from, { highWaterMark: 1 << 20 });
input.on('data', (chunk) => (bytes += chunk.length));
await pipeline(input, createWriteStream(to));
console.log(JSON.stringify({ bytes, seconds: (performance.now() - started) / 1000 }));
