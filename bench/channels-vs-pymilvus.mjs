// The other channels side by side on one server, each against what a pymilvus user would write:
//   f2m    Faiss IndexIVFFlat → Milvus          vs faiss.read_index + its inverted lists + ORM insert
//   m2m1x  Milvus 1.x directory → Milvus        vs numpy read of the same .rv/.uid/deleted_docs + ORM insert
//                                                 (no pymilvus tool reads 1.x files: the raw bytes are the floor)
//   m2m    live collection → live collection    vs MilvusClient.query by key ranges + MilvusClient.insert
//   m2h    live collection → HDF5               vs MilvusClient.query by key ranges + h5py
//   dump   live collection → Parquet archive    vs MilvusClient.query by key ranges + pyarrow ParquetWriter
//   restore the archive's Parquet → a new collection  vs pyarrow row groups + ORM insert (numpy)
//          (dump and restore also report the raw data size: ids + vectors, rows × (8 + 4·dim) bytes)
// Same rules as h2m-vs-pymilvus.mjs: alternating order, every result checked outside the
// measurement, each contender's collection dropped before the next one runs.
//   node bench/channels-vs-pymilvus.mjs [--channels f2m,m2m1x,m2m,m2h,dump,restore] [--server lite|milvus23|both]
//     [--rows N] [--dim 128] [--repeat 2]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partialWriter, runSeries, serverRate, startServer, table, tool, waitQuiet, writeResults } from './harness.mjs';
import { args, cacheDir, cli, fmt, h5Input, python, requireSetup, root } from './lib.mjs';
import { milvus1xInput } from './milvus1x/input.mjs';

const opts = args({ channels: 'f2m,m2m1x,m2m,m2h', server: 'both', rows: 0, dim: 128, repeat: 2 });
requireSetup();
const kinds = opts.server === 'both' ? ['lite', 'milvus23'] : [opts.server];
const defaultRows = { lite: 200_000, milvus23: 1_000_000 };
const results = { date: new Date().toISOString(), options: opts, servers: [] };
const tables = [];
const pyScript = (name) => join(root, 'bench', 'python', name);

function faissInput(rows, dim) {
  const nlist = Math.max(16, Math.round(Math.sqrt(rows)));
  mkdirSync(cacheDir, { recursive: true });
  const index = join(cacheDir, `faiss-ivfflat-${rows}x${dim}-nlist${nlist}.index`);
  if (!existsSync(index)) {
    console.log(`writing ${index} with faiss (once)…`);
    const made = spawnSync(
      python,
      [
        join(root, 'packages', 'readers', 'faiss', 'test', 'python', 'make_index.py'),
        `${index}.partial`,
        '--kind',
        'ivfflat',
        '--n',
        String(rows),
        '--d',
        String(dim),
        '--nlist',
        String(nlist),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (made.status !== 0) throw new Error('writing the index with faiss failed');
    spawnSync('mv', [`${index}.partial`, index]);
  }
  return index;
}

const yaml = (o) => JSON.stringify(o); // JSON is YAML

/** Each channel: its contenders (a = milvusdm, b = the reference) given a server and a work dir. */
const channels = {
  async f2m(srv, work, rows) {
    const index = faissInput(rows, opts.dim);
    const job = join(work, 'f2m.yaml');
    writeFileSync(
      job,
      yaml({
        source: { type: 'faiss', path: index },
        target: { type: 'milvus', uri: srv.uri, token: srv.token, collection: 'bench_a', index: 'auto', metric: 'L2' },
        run: { batch_rows: 10000 },
      }),
    );
    return [
      {
        key: 'a',
        label: 'milvusdm run (faiss → milvus)',
        command: process.execPath,
        args: [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')],
        collection: 'bench_a',
      },
      {
        key: 'b',
        label: 'faiss read_index + ORM insert (numpy)',
        command: python,
        args: [pyScript('f2m_pymilvus.py'), srv.uri, srv.token, 'bench_b', index],
        collection: 'bench_b',
      },
    ].map((c) => intoCollection(srv, c, rows));
  },
  async m2m1x(srv, work, rows) {
    const { built } = await milvus1xInput({ rows, dim: opts.dim });
    const job = join(work, 'm2m1x.yaml');
    writeFileSync(
      job,
      yaml({
        source: { type: 'milvus1x', path: built.root, collections: ['bench1x'] },
        target: { type: 'milvus', uri: srv.uri, token: srv.token, collection: 'bench_a', index: 'auto', metric: 'L2' },
        run: { batch_rows: 10000 },
      }),
    );
    const segments = join(work, 'segments.json');
    writeFileSync(segments, JSON.stringify(built.segments));
    return [
      {
        key: 'a',
        label: 'milvusdm run (milvus1x → milvus)',
        command: process.execPath,
        args: [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')],
        collection: 'bench_a',
      },
      {
        key: 'b',
        label: 'numpy read of .rv/.uid/deleted_docs + ORM insert',
        command: python,
        args: [pyScript('m2m1x_pymilvus.py'), srv.uri, srv.token, 'bench_b', String(opts.dim), segments],
        collection: 'bench_b',
      },
    ].map((c) => intoCollection(srv, c, built.liveRows));
  },
  async m2m(srv, work, rows) {
    const range = await sourceCollection(srv, rows);
    const job = join(work, 'm2m.yaml');
    writeFileSync(
      job,
      yaml({
        source: { type: 'milvus', uri: srv.uri, token: srv.token, collection: 'bench_src' },
        target: { type: 'milvus', uri: srv.uri, token: srv.token, collection: 'bench_a', index: 'auto', metric: 'L2' },
        run: { batch_rows: 10000 },
      }),
    );
    return [
      {
        key: 'a',
        label: 'milvusdm run (milvus → milvus)',
        command: process.execPath,
        args: [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')],
        collection: 'bench_a',
      },
      {
        key: 'b',
        label: 'MilvusClient.query by key ranges + insert',
        command: python,
        args: [pyScript('m2m_live_pymilvus.py'), srv.uri, srv.token, 'bench_src', 'bench_b', ...range],
        collection: 'bench_b',
      },
    ].map((c) => ({ ...intoCollection(srv, c, rows), cleanup: () => (tool(srv, 'drop', c.collection), tool(srv, 'load', 'bench_src')) }));
  },
  async m2h(srv, work, rows) {
    const range = await sourceCollection(srv, rows);
    const job = join(work, 'm2h.yaml');
    const outA = join(work, 'out-a');
    const outB = join(work, 'out-b.h5');
    const h5A = join(outA, 'bench_src', '_default.h5');
    writeFileSync(
      job,
      yaml({
        source: { type: 'milvus', uri: srv.uri, token: srv.token, collection: 'bench_src' },
        target: { type: 'hdf5', dir: outA, h2m_yaml: false },
        run: { batch_rows: 10000 },
      }),
    );
    const h5Check = (file) => () => {
      const [n, d] = tool(srv, 'h5rows', file).split(' ').map(Number);
      if (n !== rows || d !== opts.dim) throw new Error(`${file} holds ${n} × ${d}, ${rows} × ${opts.dim} expected`);
    };
    const clean = (file) => () => (rmSync(file, { recursive: true, force: true }), tool(srv, 'load', 'bench_src'));
    return [
      {
        key: 'a',
        label: 'milvusdm run (milvus → hdf5)',
        command: process.execPath,
        args: [cli, 'run', job, '--quiet', '--log-dir', join(work, 'logs')],
        rows,
        check: h5Check(h5A),
        cleanup: clean(outA),
      },
      {
        key: 'b',
        label: 'MilvusClient.query by key ranges + h5py',
        command: python,
        args: [pyScript('m2h_live_pymilvus.py'), srv.uri, srv.token, 'bench_src', outB, ...range],
        rows,
        check: h5Check(outB),
        cleanup: clean(outB),
      },
    ];
  },
  async dump(srv, work, rows) {
    const range = await sourceCollection(srv, rows);
    const outA = join(work, 'dump-a');
    const outB = join(work, 'dump-b.parquet');
    const parquetCheck = (path) => () => {
      const n = Number(tool(srv, 'parquet_rows', ...parquetFiles(path)));
      if (n !== rows) throw new Error(`${path} holds ${n} rows, ${rows} expected`);
      archiveBytes.set(path === outA ? 'a' : 'b', bytesUnder(path));
    };
    const clean = (path) => () => (rmSync(path, { recursive: true, force: true }), tool(srv, 'load', 'bench_src'));
    return [
      {
        key: 'a',
        label: 'milvusdm dump (archive: manifest + Parquet)',
        command: process.execPath,
        args: [
          cli,
          'dump',
          '--from',
          srv.uri,
          '--token',
          srv.token,
          '--to',
          outA,
          '--collections',
          'bench_src',
          '--quiet',
          '--log-dir',
          join(work, 'logs'),
        ],
        rows,
        check: parquetCheck(outA),
        cleanup: clean(outA),
      },
      {
        key: 'b',
        label: 'MilvusClient.query by key ranges + pyarrow ParquetWriter',
        command: python,
        args: [pyScript('dump_pymilvus.py'), srv.uri, srv.token, 'bench_src', outB, ...range],
        rows,
        check: parquetCheck(outB),
        cleanup: clean(outB),
      },
    ];
  },
  async restore(srv, work, rows) {
    await sourceCollection(srv, rows);
    // The archive both contenders restore: made once by milvusdm dump, not measured.
    const archive = join(work, 'restore-archive');
    if (!existsSync(archive)) {
      console.log('  dumping bench_src once into the archive both contenders restore (not measured)…');
      const r = spawnSync(
        process.execPath,
        [
          cli,
          'dump',
          '--from',
          srv.uri,
          '--token',
          srv.token,
          '--to',
          archive,
          '--collections',
          'bench_src',
          '--quiet',
          '--log-dir',
          join(work, 'logs'),
        ],
        { stdio: 'inherit' },
      );
      if (r.status !== 0) throw new Error('the archive for the restore benchmark could not be made');
      tool(srv, 'load', 'bench_src');
    }
    archiveBytes.set('archive', bytesUnder(archive));
    return [
      {
        key: 'a',
        label: 'milvusdm restore (insert)',
        command: process.execPath,
        args: [
          cli,
          'restore',
          '--from',
          archive,
          '--to',
          srv.uri,
          '--token',
          srv.token,
          '--rename',
          'bench_src=bench_a',
          '--quiet',
          '--log-dir',
          join(work, 'logs'),
        ],
        collection: 'bench_a',
      },
      {
        key: 'b',
        label: 'pyarrow row groups + ORM insert (numpy)',
        command: python,
        args: [pyScript('restore_pymilvus.py'), srv.uri, srv.token, 'bench_b', String(opts.dim), ...parquetFiles(archive)],
        collection: 'bench_b',
      },
    ].map((c) => intoCollection(srv, c, rows));
  },
};

/** A contender that writes a collection: counted after its run, dropped before the next. */
function intoCollection(srv, c, rows) {
  return {
    ...c,
    rows,
    check: () => {
      const n = Number(tool(srv, 'count', c.collection));
      if (n !== rows) throw new Error(`${c.label} left ${n} rows in ${c.collection}, ${rows} expected`);
    },
    cleanup: () => tool(srv, 'drop', c.collection),
  };
}

/** Bytes of the archives and files the dump and restore channels measured, for the raw-size comparison. */
const archiveBytes = new Map();

/** The Parquet files under a folder (or the file itself), in name order. */
function parquetFiles(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => join(path, f));
}

/** Bytes of a file, or of every file under a folder. */
function bytesUnder(path) {
  if (!statSync(path).isDirectory()) return statSync(path).size;
  return readdirSync(path, { recursive: true })
    .map((f) => join(path, String(f)))
    .filter((f) => statSync(f).isFile())
    .reduce((n, f) => n + statSync(f).size, 0);
}

/** What dump and restore move against the raw size of the data: MB/s of ids + vectors, and the files' size. */
function rawSizeLines(channel, summary, rows) {
  const raw = rows * (8 + 4 * opts.dim);
  const mb = (b) => fmt(b / 1e6, 1);
  const lines = [`raw data (int64 ids + float32 vectors): ${mb(raw)} MB`];
  for (const c of summary) {
    const files = channel === 'dump' ? archiveBytes.get(c.key) : archiveBytes.get('archive');
    lines.push(
      `${c.key} ${c.label}: ${mb(raw / c.seconds.median)} MB/s of raw data (median)${files ? `; ${channel === 'dump' ? 'wrote' : 'read'} ${mb(files)} MB of files, ${fmt(files / raw, 2)}× the raw size` : ''}`,
    );
  }
  return lines.join('\n');
}

/** The live source (loaded, flushed), built once per server; returns its key bounds and step. */
const sources = new Map();
async function sourceCollection(srv, rows) {
  if (!sources.has(srv)) {
    const input = h5Input(rows, opts.dim);
    console.log(`  building the source collection bench_src (${fmt(rows)} rows, not measured)…`);
    const n = Number(tool(srv, 'source', 'bench_src', input));
    if (n !== rows) throw new Error(`the source collection holds ${n} rows, ${rows} expected`);
    // write_h5.py's ids: a permutation of 0 … rows-1, times 7919, minus 10^17: each step of
    // 7919 × 10,000 holds exactly 10,000 keys.
    const low = -(10n ** 17n);
    sources.set(srv, [String(low), String(low + 7919n * BigInt(rows)), String(7919 * 10_000)]);
  }
  return sources.get(srv);
}

for (const kind of kinds) {
  const rows = opts.rows || defaultRows[kind];
  const work = mkdtempSync(join(tmpdir(), 'milvusdm-bench-'));
  const srv = await startServer(kind, work);
  try {
    await waitQuiet(srv, 0.05, kind === 'milvus23' ? 60 : 10);
    const idle = await serverRate(srv, 5);
    for (const channel of opts.channels.split(',')) {
      if (!channels[channel]) throw new Error(`unknown channel ${channel}: use f2m, m2m1x, m2m, m2h, dump, restore`);
      const contenders = await channels[channel](srv, work, rows);
      console.log(`\n${channel.toUpperCase()} of ${fmt(contenders[0].rows)} × ${opts.dim} float32 on ${srv.name}, ${opts.repeat} rounds`);
      const { runs, summary } = await runSeries(srv, contenders, {
        repeat: opts.repeat,
        idle,
        partial: partialWriter(`${channel}-${kind}`),
      });
      const sizes = channel === 'dump' || channel === 'restore' ? `\n\n${rawSizeLines(channel, summary, contenders[0].rows)}` : '';
      tables.push(
        `### ${channel.toUpperCase()}, ${srv.name}, ${fmt(contenders[0].rows)} × ${opts.dim}\n\n${table(srv, summary, { ours: 'a', refs: ['b'], idle })}${sizes}`,
      );
      results.servers.push({
        channel,
        kind,
        name: srv.name,
        rows: contenders[0].rows,
        dim: opts.dim,
        cores: srv.cores,
        idle,
        runs,
        summary,
      });
    }
  } finally {
    await srv.server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
console.log(`\n${tables.join('\n\n')}\n`);
console.log(`raw numbers: ${writeResults('channels', results)}`);
