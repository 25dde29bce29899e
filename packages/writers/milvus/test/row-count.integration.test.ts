/**
 * The writer proves its row counts with the servers' statistics instead of loading the target
 * (see byStatistics in sink.ts). These tests pin what each server's statistics count, against
 * count(*) on a loaded collection, so a server that changes its answer is caught here:
 *
 * - Milvus Lite 3.2 and 2.5: live rows, as count(*) (a repeated request shows as count(*) shows it);
 * - Milvus 2.3: after a flush, every row inserted — a doubled request counts twice, as in
 *   count(*), but a deleted row stays counted, which is why the writer uses statistics there only
 *   in a collection it created and never deleted from or upserted into.
 */
import { describe, expect, inject, it } from 'vitest';
import { silentLogger, type ColumnBatch } from '@milvusdm/core';
import { MilvusCollection, MilvusConnection, sendBatch } from '@milvusdm/milvus-client';
import { tempDir, uniqueName } from '@milvusdm/testing';

function batch(from: number, rows: number): ColumnBatch {
  const ids = new BigInt64Array(rows);
  const v = new Float32Array(rows * 4);
  for (let i = 0; i < rows; i++) {
    ids[i] = BigInt(from + i);
    v.set([i, 1, 2, 3], i * 4);
  }
  return {
    numRows: rows,
    columns: new Map([
      ['id', { type: 'int64', values: ids }],
      ['v', { type: 'float_vector', dim: 4, values: v }],
    ]),
  } as ColumnBatch;
}

interface Server {
  name: string;
  uri: () => string;
  token: () => string;
  index: string;
  /** Statistics count live rows (deletes applied), as count(*) does. */
  live: boolean;
}

const servers: Server[] = [
  { name: 'Milvus Lite 3.2', uri: () => inject('milvusLiteUri'), token: () => '', index: 'AUTOINDEX', live: true },
  { name: 'Milvus Lite 2.5', uri: () => inject('milvusLite25Uri'), token: () => '', index: 'FLAT', live: true },
  { name: 'Milvus 2.3', uri: () => inject('milvus23Uri'), token: () => inject('milvus23Token'), index: 'AUTOINDEX', live: false },
];

describe('statistics row counts, against count(*)', () => {
  for (const server of servers) {
    it(`${server.name}: a doubled request shows as count(*) shows it; deletes as the server applies them`, async () => {
      const uri = server.uri();
      expect(uri, `${server.name} is needed for this test`).not.toBe('');
      const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: tempDir(), redact: () => {} };
      const conn = await MilvusConnection.open({ uri, ...(server.token() ? { token: server.token() } : {}) }, context, 'test');
      const name = uniqueName('stats');
      const collection = new MilvusCollection(conn, name);
      try {
        await collection.create({
          fields: [
            { name: 'id', type: 'int64', isPrimaryKey: true },
            { name: 'v', type: 'float_vector', dim: 4 },
          ],
        });
        const stats = async () => {
          await collection.flush();
          return collection.statisticsRows();
        };
        expect(await stats()).toBe(0);
        await sendBatch(conn, { collection: name }, batch(0, 100), { upsert: false });
        expect(await stats()).toBe(100);
        // The same request twice (a bug that doubles rows): counted as count(*) counts it.
        await sendBatch(conn, { collection: name }, batch(0, 100), { upsert: false });
        await sendBatch(conn, { collection: name }, batch(100, 7), { upsert: false });
        const afterDouble = await stats();
        await collection.createIndex('v', server.index, 'L2');
        await collection.load();
        const counted = await collection.count();
        expect(afterDouble).toBe(counted);
        await conn.sdk('Delete', { collection_name: name, expr: 'id in [100, 101, 102]' }, 'delete', { idempotent: false });
        const afterDelete = await stats();
        const countedAfterDelete = await collection.count();
        expect(countedAfterDelete).toBe(counted - 3);
        // Live statistics follow the delete; Milvus 2.3's keep counting the deleted rows.
        expect(afterDelete).toBe(server.live ? countedAfterDelete : afterDouble);
      } finally {
        await collection.drop().catch(() => undefined);
        await conn.close();
      }
    });
  }
});
