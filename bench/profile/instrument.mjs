// Preloaded into a milvusdm run by profile-h2m.mjs (node --import): wraps the Milvus
// connection's two call paths (raw data-path calls, SDK control calls) to log, per call, its
// method, request bytes, start and end, the requests in flight, and the server's CPU-seconds
// at both ends (from /proc, the server's process group given in BENCH_SERVER_PGID).
// Measurement only: nothing about the calls is changed. Writes JSON lines to BENCH_CALL_LOG.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuOfPids, treeOf } from '../proc.mjs';
import { root } from '../lib.mjs';

const { MilvusConnection } = await import(join(root, 'packages', 'milvus-client', 'dist', 'index.js'));
const out = process.env.BENCH_CALL_LOG;
const pgid = Number(process.env.BENCH_SERVER_PGID);
// The server's processes, listed once: scanning /proc at every call would cost the client more
// CPU than the calls themselves (Milvus starts no further processes while it runs).
const serverPids = pgid ? treeOf(pgid, pgid).map((s) => s.pid) : [];
const server = () => cpuOfPids(serverPids);
const t0 = performance.now();
let inFlight = 0;

function wrap(name, sizeOf) {
  const original = MilvusConnection.prototype[name];
  MilvusConnection.prototype[name] = async function (method, request, ...rest) {
    const entry = {
      path: name,
      method,
      // A count(*) query apart from a data query: the output field's name is in the request.
      ...(method === 'Query' && request instanceof Uint8Array && Buffer.from(request).includes('count(*)')
        ? { kind: 'Query count(*)' }
        : {}),
      bytes: sizeOf(request),
      start: (performance.now() - t0) / 1000,
      inFlight: ++inFlight,
      serverCpuStart: server(),
    };
    try {
      return await original.call(this, method, request, ...rest);
    } finally {
      inFlight--;
      entry.end = (performance.now() - t0) / 1000;
      entry.serverCpuEnd = server();
      appendFileSync(out, JSON.stringify(entry) + '\n');
    }
  };
}
wrap('raw', (r) => r.byteLength);
wrap('sdk', () => 0);
appendFileSync(out, JSON.stringify({ path: 'start', start: 0, serverCpuStart: server(), wallClock: Date.now() }) + '\n');
process.on('exit', () =>
  appendFileSync(out, JSON.stringify({ path: 'exit', start: (performance.now() - t0) / 1000, serverCpuStart: server() }) + '\n'),
);
