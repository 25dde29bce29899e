/**
 * The live reader reads as of a timestamp the server allocated when its pass began (a
 * Customized read at that point) instead of Strong's wait for the next time tick per request.
 * That is only sound if such a read waits for every write acknowledged before the timestamp was
 * taken: this pins it on Milvus 2.3, with rows read the moment their insert is acknowledged —
 * a read that did not wait (Bounded, Eventually, a stale timestamp) misses them.
 */
import { describe, expect, inject, it } from 'vitest';
import { silentLogger, type ColumnBatch } from '@milvusdm/core';
import { MilvusCollection, MilvusConnection, countRows, readTimestamp, sendBatch } from '@milvusdm/milvus-client';
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

const context = () => ({ signal: new AbortController().signal, logger: silentLogger, baseDir: tempDir(), redact: () => {} });

describe('reads as of a read point', () => {
  it('Milvus 2.3: a count at a fresh read point sees every row acknowledged before it, every time', async () => {
    const uri = inject('milvus23Uri');
    expect(uri, 'Milvus 2.3 is needed for this test').not.toBe('');
    const conn = await MilvusConnection.open({ uri, token: inject('milvus23Token') }, context(), 'test');
    const name = uniqueName('readpoint');
    const collection = new MilvusCollection(conn, name);
    try {
      await collection.create({
        fields: [
          { name: 'id', type: 'int64', isPrimaryKey: true },
          { name: 'v', type: 'float_vector', dim: 4 },
        ],
      });
      await collection.createIndex('v', 'AUTOINDEX', 'L2');
      await collection.load();
      let rows = 0;
      for (let round = 0; round < 8; round++) {
        await sendBatch(conn, { collection: name }, batch(rows, 500), { upsert: false });
        rows += 500;
        const at = await readTimestamp(conn);
        // On Milvus 2.3 the read point is the server's own timestamp (not a Strong fallback).
        expect(at?.timestamp).toBeGreaterThan(0n);
        expect(await countRows(conn, name, '', undefined, at), `round ${round}`).toBe(rows);
      }
    } finally {
      await collection.drop().catch(() => {});
      await conn.close();
    }
  });

  it('Milvus Lite 3.2: no read point is taken (its reads stay Strong)', async () => {
    const conn = await MilvusConnection.open({ uri: inject('milvusLiteUri') }, context(), 'test');
    try {
      expect(await readTimestamp(conn)).toBeUndefined();
    } finally {
      await conn.close();
    }
  });
});
