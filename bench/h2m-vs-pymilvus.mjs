// H2M side by side on one server: milvusdm `run` against the scripts users write with pymilvus
// (MilvusClient row dicts; ORM numpy columns) and with the Node SDK. Every contender reads the
// same HDF5 file, creates its own collection with an AUTOINDEX, inserts batches of 10,000 rows,
// and its collection is counted (outside the measurement) and dropped before the next one runs.
//   node bench/h2m-vs-pymilvus.mjs [--server lite|milvus23|both] [--rows N] [--dim 128] [--repeat 2]
//     [--contenders a,b,c,d]   (run in this order, then backwards, and so on)
//     [--delay-ms D]   every contender reaches the server through a relay that holds each chunk
//                      D ms each way (bench/net/slow-link.mjs): a server across a slow link
//   Contender e is milvusdm with `concurrency: auto` (the window of requests in flight follows
//   the server's acknowledgements) instead of the fixed default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropCollection, partialWriter, runSeries, serverRate, startServer, table, tool, waitQuiet, writeResults } from './harness.mjs';
import { args, cli, fmt, h5Input, python, requireSetup, root } from './lib.mjs';
import { startSlowLink } from './net/slow-link.mjs';

const opts = args({ server: 'both', rows: 0, dim: 128, repeat: 2, contenders: 'a,b,c,d', 'delay-ms': 0 });
const delayMs = Number(opts['delay-ms']);
requireSetup();
const kinds = opts.server === 'both' ? ['lite', 'milvus23'] : [opts.server];
const defaultRows = { lite: 200_000, milvus23: 1_000_000 };
const results = { date: new Date().toISOString(), options: opts, servers: [] };
const tables = [];

for (const kind of kinds) {
  const rows = opts.rows || defaultRows[kind];
  const input = h5Input(rows, opts.dim);
  const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-'));
  const srv = await startServer(kind, work);
  const server = new URL(srv.uri);
  const link = delayMs > 0 ? await startSlowLink(server.hostname, Number(server.port), delayMs) : undefined;
  // What the contenders connect to: the server, or the relay in front of it.
  const uri = link ? `${server.protocol}//127.0.0.1:${link.port}` : srv.uri;
  try {
    console.log(
      `\nH2M of ${fmt(rows)} × ${opts.dim} float32 into ${srv.name} (${srv.uri}${link ? `, through a relay adding ${delayMs} ms each way at ${uri}` : ''}), batches of 10,000, ${opts.repeat} rounds`,
    );
    // Milvus 2.3's coordinators keep working for a while after the port opens.
    await waitQuiet(srv, 0.05, kind === 'milvus23' ? 60 : 10);
    const idle = await serverRate(srv, 5);
    const jobFile = (collection, extra = '') => {
      const file = join(work, `${collection}.yaml`);
      writeFileSync(
        file,
        `source: {type: hdf5, path: ${input}}\ntarget: {type: milvus, uri: "${uri}", token: "${srv.token}", collection: ${collection}, index: auto, metric: L2${extra}}\nrun: {batch_rows: 10000}\n`,
      );
      return file;
    };
    const py = (script, name) => ({ command: python, args: [join(root, 'bench', 'python', script), uri, srv.token, name, input] });
    const all = [
      {
        key: 'a',
        label: 'milvusdm run',
        command: process.execPath,
        args: [cli, 'run', jobFile('bench_a'), '--quiet', '--log-dir', join(work, 'logs')],
        collection: 'bench_a',
      },
      {
        key: 'e',
        label: 'milvusdm run, concurrency auto',
        command: process.execPath,
        args: [cli, 'run', jobFile('bench_e', ', concurrency: auto'), '--quiet', '--log-dir', join(work, 'logs')],
        collection: 'bench_e',
      },
      {
        key: 'b',
        label: 'h5py + pymilvus MilvusClient.insert (row dicts)',
        ...py('h2m_milvusclient.py', 'bench_b'),
        collection: 'bench_b',
      },
      { key: 'c', label: 'h5py + pymilvus ORM Collection.insert (numpy columns)', ...py('h2m_orm.py', 'bench_c'), collection: 'bench_c' },
      {
        key: 'd',
        label: 'h5wasm + Node SDK insert (row objects)',
        command: process.execPath,
        args: [join(root, 'bench', 'node', 'h2m_sdk.mjs'), uri, srv.token, 'bench_d', input],
        collection: 'bench_d',
      },
    ];
    // In the order given (the first of a round runs on a fresh server).
    const contenders = opts.contenders
      .split(',')
      .map((key) => all.find((c) => c.key === key))
      .filter((c) => c !== undefined)
      .map((c) => ({
        ...c,
        rows,
        check: () => {
          const n = Number(tool(srv, 'count', c.collection));
          if (n !== rows) throw new Error(`${c.label} left ${n} rows in ${c.collection}, ${rows} expected`);
        },
        cleanup: () => dropCollection(srv, c.collection, idle),
      }));
    const { runs, summary } = await runSeries(srv, contenders, { repeat: opts.repeat, idle, partial: partialWriter(`h2m-${kind}`) });
    const md = table(srv, summary, { ours: 'a', refs: ['b', 'c'], idle });
    tables.push(
      `### H2M, ${srv.name}, ${fmt(rows)} × ${opts.dim}${delayMs > 0 ? `, through a link of ${delayMs} ms each way` : ''}\n\n${md}`,
    );
    console.log(`\n${tables.at(-1)}\n`);
    results.servers.push({ kind, name: srv.name, rows, dim: opts.dim, cores: srv.cores, idle, delayMs: delayMs, runs, summary });
  } finally {
    await link?.close();
    await srv.server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
if (tables.length > 1) console.log(`\n${tables.join('\n\n')}\n`);
console.log(`raw numbers: ${writeResults('h2m', results)}`);
