/**
 * Filter expressions built from key values are escaped: against a real server, keys made of
 * quotes, backslashes, line breaks and would-be clauses each match exactly themselves — never
 * every row, never a parse error.
 */
import { describe, expect, inject, it } from 'vitest';
import { silentLogger, type ColumnBatch } from '@milvusdm/core';
import { MilvusCollection, MilvusConnection, countRows, rangeExpr, sendBatch } from '@milvusdm/milvus-client';
import { runPython, tempDir, uniqueName } from '@milvusdm/testing';

const NASTY = [
  'plain',
  'x" || pk != "',
  'a\\" or 1==1 or "',
  '\\',
  '"',
  "it's",
  'line1\nline2',
  'tab\there',
  'cr\rlf',
  'ctl\u0001',
  'uni\u00e9\u{1F600}',
  '"")',
  'pk >= ""',
];

describe('key expressions against injection (Milvus Lite)', () => {
  it('every nasty varchar key matches exactly itself', async () => {
    const uri = inject('milvusLiteUri');
    const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: tempDir(), redact: () => {} };
    const conn = await MilvusConnection.open({ uri }, context, 'test');
    const name = uniqueName('inject');
    try {
      const collection = new MilvusCollection(conn, name);
      await collection.create({
        fields: [
          { name: 'pk', type: 'varchar', maxLength: 64, isPrimaryKey: true },
          { name: 'v', type: 'float_vector', dim: 2 },
        ],
      });
      const batch: ColumnBatch = {
        numRows: NASTY.length,
        columns: new Map([
          ['pk', { type: 'varchar', values: NASTY }],
          ['v', { type: 'float_vector', dim: 2, values: new Float32Array(NASTY.length * 2).fill(0.5) }],
        ]),
      };
      await sendBatch(conn, { collection: name }, batch, { upsert: false });
      await collection.createIndex('v', 'AUTOINDEX', 'L2');
      await collection.load();
      // An independent count (pymilvus) first: every key stored once.
      const state = await runPython<Record<string, { rows: number }>>('target_state.py', ['--uri', uri, name]);
      expect(state[name]!.rows).toBe(NASTY.length);
      for (const key of NASTY) {
        const expr = rangeExpr('pk', { lower: { value: key, inclusive: true }, upper: { value: key, inclusive: true } });
        expect(await countRows(conn, name, expr), `${JSON.stringify(key)} → ${expr}`).toBe(1);
      }
    } finally {
      await new MilvusCollection(conn, name).drop().catch(() => undefined);
      await conn.close();
    }
  });
});
