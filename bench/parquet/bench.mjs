/**
 * Parquet library candidates for @milvusdm/writer-parquet and reader-parquet, measured on the
 * job they would do: ROWS × DIM float32 vectors (as list<float>, the layout Milvus bulk import
 * reads) plus an int64 id, written in row groups and read back row group by row group.
 *
 *   cd bench/parquet && npm install && node bench.mjs [rows=1000000] [dim=128]
 *
 * Each library writes and reads in its own child process (`node bench.mjs --one LIB write|read`),
 * so the peak RSS of each phase is that phase's alone. Every read sums the ids and the vector
 * bits and checks them against the values written: a library that is fast but wrong fails.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';

const GROUP = 100_000;

/** Rows [start, start + n): ids spread beyond 2^53, vectors from a cheap deterministic sequence. */
function rows(start, n, dim) {
  const ids = new BigInt64Array(n);
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    ids[i] = BigInt(start + i) * 9_007_199_254_740_993n;
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = Math.fround(((start + i) * 31 + j * 7) % 1000) / 1000 - 0.5;
  }
  return { ids, vectors };
}

/** Order-independent check of what was read: the sum of the ids and of the vectors' bit patterns. */
function checksum() {
  let ids = 0n;
  let bits = 0n;
  let count = 0;
  return {
    add(idArray, vectorArray) {
      for (const id of idArray) ids += BigInt(id);
      const u = new Uint32Array(vectorArray.buffer, vectorArray.byteOffset, vectorArray.length);
      let s = 0;
      for (let i = 0; i < u.length; i++) s += u[i];
      bits += BigInt(s);
      count += idArray.length;
    },
    value: () => ({ count, ids: ids.toString(), bits: bits.toString() }),
  };
}

function expected(total, dim) {
  const c = checksum();
  for (let s = 0; s < total; s += GROUP) {
    const { ids, vectors } = rows(s, Math.min(GROUP, total - s), dim);
    c.add(ids, vectors);
  }
  return c.value();
}

const libs = {
  'parquet-wasm': {
    async write(path, total, dim) {
      const arrow = await import('apache-arrow');
      const pw = await import('parquet-wasm/node');
      const listType = new arrow.List(new arrow.Field('element', new arrow.Float32(), false));
      const schema = new arrow.Schema([new arrow.Field('id', new arrow.Int64(), false), new arrow.Field('vector', listType, false)]);
      let start = 0;
      const batches = new ReadableStream({
        pull(controller) {
          if (start >= total) return controller.close();
          const n = Math.min(GROUP, total - start);
          const { ids, vectors } = rows(start, n, dim);
          start += n;
          const child = arrow.makeData({ type: new arrow.Float32(), length: n * dim, data: vectors });
          const offsets = Int32Array.from({ length: n + 1 }, (_, i) => i * dim);
          const list = arrow.makeData({ type: listType, length: n, valueOffsets: offsets, child });
          const id = arrow.makeData({ type: new arrow.Int64(), length: n, data: ids });
          const struct = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children: [id, list] });
          const table = new arrow.Table([new arrow.RecordBatch(schema, struct)]);
          for (const b of pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')).recordBatches()) controller.enqueue(b);
        },
      });
      const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(GROUP).setCompression(pw.Compression.UNCOMPRESSED).build();
      const bytes = await pw.transformParquetStream(batches, props);
      await pipeline(Readable.fromWeb(bytes), createWriteStream(path));
    },
    async read(path) {
      const arrow = await import('apache-arrow');
      const pw = await import('parquet-wasm/node');
      const file = await pw.ParquetFile.fromFile(await openAsBlob(path));
      const c = checksum();
      const groups = file.metadata().numRowGroups();
      for (let g = 0; g < groups; g++) {
        const table = arrow.tableFromIPC((await file.read({ rowGroups: [g], batchSize: GROUP })).intoIPCStream());
        for (const batch of table.batches) {
          const list = batch.getChild('vector').data[0];
          c.add(
            batch.getChild('id').data[0].values,
            list.children[0].values.subarray(list.valueOffsets[0], list.valueOffsets[list.length]),
          );
        }
      }
      return c.value();
    },
  },
  hyparquet: {
    async write(path, total, dim) {
      const { ParquetWriter } = await import('hyparquet-writer');
      const { fileWriter } = await import('hyparquet-writer/src/node.js');
      const schema = [
        { name: 'root', num_children: 2 },
        { name: 'id', type: 'INT64', repetition_type: 'REQUIRED' },
        { name: 'vector', repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
      ];
      const writer = new ParquetWriter({ writer: fileWriter(path), schema, codec: 'UNCOMPRESSED', statistics: false });
      for (let s = 0; s < total; s += GROUP) {
        const n = Math.min(GROUP, total - s);
        const { ids, vectors } = rows(s, n, dim);
        // hyparquet-writer takes one JS array per list row.
        const lists = Array.from({ length: n }, (_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim)));
        await writer.write({
          columnData: [
            { name: 'id', data: ids, type: 'INT64', nullable: false },
            { name: 'vector', data: lists },
          ],
          rowGroupSize: GROUP,
        });
      }
      await writer.finish();
    },
    async read(path) {
      const { parquetMetadataAsync, parquetRead } = await import('hyparquet');
      const { asyncBufferFromFile } = await import('hyparquet/src/node.js');
      const file = await asyncBufferFromFile(path);
      const meta = await parquetMetadataAsync(file);
      const c = checksum();
      let rowStart = 0;
      for (const group of meta.row_groups) {
        const n = Number(group.num_rows);
        await parquetRead({
          file,
          metadata: meta,
          rowStart,
          rowEnd: rowStart + n,
          onComplete(data) {
            const ids = new BigInt64Array(data.length);
            const dim = data[0]?.[1]?.length ?? 0;
            const vectors = new Float32Array(data.length * dim);
            data.forEach((row, i) => {
              ids[i] = row[0];
              vectors.set(row[1], i * dim);
            });
            c.add(ids, vectors);
          },
        });
        rowStart += n;
      }
      return c.value();
    },
  },
  duckdb: {
    async write(path, total, dim) {
      const duck = await import('@duckdb/node-api');
      const instance = await duck.DuckDBInstance.create(':memory:');
      const db = await instance.connect();
      // DuckDB takes rows from JS through its appender, one list value per row.
      await db.run(`CREATE TABLE t (id BIGINT NOT NULL, vector FLOAT[] NOT NULL)`);
      const appender = await db.createAppender('t');
      const listType = duck.LIST(duck.FLOAT);
      for (let s = 0; s < total; s += GROUP) {
        const n = Math.min(GROUP, total - s);
        const { ids, vectors } = rows(s, n, dim);
        for (let i = 0; i < n; i++) {
          appender.appendBigInt(ids[i]);
          appender.appendList(Array.from(vectors.subarray(i * dim, (i + 1) * dim)), listType);
          appender.endRow();
        }
      }
      appender.closeSync();
      await db.run(`COPY t TO '${path}' (FORMAT parquet, ROW_GROUP_SIZE ${GROUP}, COMPRESSION uncompressed)`);
      db.closeSync();
    },
    async read(path) {
      const duck = await import('@duckdb/node-api');
      const instance = await duck.DuckDBInstance.create(':memory:');
      const db = await instance.connect();
      const result = await db.stream(`SELECT id, vector FROM read_parquet('${path}')`);
      const c = checksum();
      for await (const chunk of result) {
        const [ids, lists] = chunk.getColumns();
        const dim = lists[0]?.items.length ?? 0;
        const vectors = new Float32Array(ids.length * dim);
        lists.forEach((l, i) => vectors.set(l.items, i * dim));
        c.add(BigInt64Array.from(ids), vectors);
      }
      db.closeSync();
      return c.value();
    },
  },
};

async function one(lib, phase, path, total, dim) {
  const t0 = performance.now();
  const result = phase === 'write' ? await libs[lib].write(path, total, dim) : await libs[lib].read(path);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), result }) + '\n');
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--one') return one(args[1], args[2], args[3], Number(args[4]), Number(args[5]));
  const total = Number(args[0] ?? 1_000_000);
  const dim = Number(args[1] ?? 128);
  const only = args[2] ? [args[2]] : Object.keys(libs);
  const want = expected(total, dim);
  // Beside the script, not in /tmp: a 1M-row file is 170 MB and /tmp may be a small tmpfs or cleaned.
  const dir = mkdtempSync(join(import.meta.dirname, '.tmp-'));
  console.log(`${total} rows × ${dim} float32 + int64 id, row groups of ${GROUP}, uncompressed; node ${process.version}`);
  console.log('| library | write s | write peak RSS MB | read s | read peak RSS MB | file MB | exact |');
  console.log('|---|---|---|---|---|---|---|');
  try {
    for (const lib of only) {
      const path = join(dir, `${lib}.parquet`);
      const phase = (p) => {
        const r = spawnSync(process.execPath, [import.meta.filename, '--one', lib, p, path, String(total), String(dim)], {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        });
        if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
        return JSON.parse(r.stdout.trim().split('\n').pop());
      };
      const w = phase('write');
      const r = w.error ? { error: 'not written' } : phase('read');
      const size = w.error ? '-' : (statSync(path).size / 2 ** 20).toFixed(0);
      const exact = r.result ? JSON.stringify(r.result) === JSON.stringify(want) : false;
      const cell = (x, k) => (x.error ? `failed: ${x.error.slice(0, 80)}` : k === 'seconds' ? x.seconds.toFixed(1) : String(x.peakRssMb));
      console.log(
        `| ${lib} | ${cell(w, 'seconds')} | ${cell(w, 'rss')} | ${cell(r, 'seconds')} | ${cell(r, 'rss')} | ${size} | ${exact} |`,
      );
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
