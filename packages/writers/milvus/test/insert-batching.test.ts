/**
 * The Milvus writer's pure parts: how batches are cut into insert requests and reported as
 * committed, and whether a source fits a collection. `insertAll` takes the function that sends
 * a request, so here it is given one that records what it was sent (in memory: no server).
 */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, Column, ColumnBatch } from '@milvusdm/core';
import { insertAll } from '../src/insert-stream.js';
import { schemaProblems, schemaToCreate } from '../src/schema-fit.js';

const DIM = 8;

function batch(start: number, rows: number): ColumnBatch {
  const ids = BigInt64Array.from({ length: rows }, (_, i) => BigInt(start + i) * 1_000_000_007n + 2n ** 60n);
  const vec = Float32Array.from({ length: rows * DIM }, (_, i) => start * DIM + i);
  return {
    numRows: rows,
    columns: new Map<string, Column>([
      ['id', { type: 'int64', values: ids }],
      ['embedding', { type: 'float_vector', dim: DIM, values: vec }],
    ]),
    cursor: { row: start + rows },
  };
}

async function* from(batches: readonly ColumnBatch[]) {
  for (const b of batches) yield b;
}

const idsOf = (bs: readonly ColumnBatch[]) => bs.flatMap((b) => Array.from(b.columns.get('id')!.values as BigInt64Array));
const vecOf = (bs: readonly ColumnBatch[]) => bs.flatMap((b) => Array.from(b.columns.get('embedding')!.values as Float32Array));

describe('milvus writer: insert requests', () => {
  it('sends every row exactly once, in order, each request under the row and byte limits', async () => {
    const input = [batch(0, 1000), batch(1000, 1), batch(1001, 0), batch(1001, 333), batch(1334, 2500)];
    const sent: ColumnBatch[] = [];
    const committed: ColumnBatch[] = [];
    const rowBytes = 8 + DIM * 4;
    const rows = await insertAll(
      from(input),
      async (b) => void sent.push(b),
      { maxBytes: rowBytes * 300, maxRows: 256, concurrency: 3 },
      { committed: (b) => committed.push(b) },
    );
    expect(rows).toBe(3834);
    for (const b of sent) {
      expect(b.numRows).toBeGreaterThan(0);
      expect(b.numRows).toBeLessThanOrEqual(256);
    }
    expect(idsOf(sent)).toEqual(idsOf(input));
    expect(vecOf(sent)).toEqual(vecOf(input));
    expect(committed.map((b) => b.numRows)).toEqual(sent.map((b) => b.numRows));
  });

  it('keeps each batch cursor on the request that ends the batch, so a resume never skips rows', async () => {
    const input = [batch(0, 600), batch(600, 100)];
    const committed: ColumnBatch[] = [];
    await insertAll(
      from(input),
      async () => {},
      { maxBytes: 1 << 30, maxRows: 250, concurrency: 2 },
      { committed: (b) => committed.push(b) },
    );
    expect(committed.map((b) => [b.numRows, b.cursor])).toEqual([
      [250, undefined],
      [250, undefined],
      [100, { row: 600 }],
      [100, { row: 700 }],
    ]);
  });

  it('reports commits strictly in order even when later requests finish first', async () => {
    const input = Array.from({ length: 8 }, (_, i) => batch(i * 10, 10));
    const committed: number[] = [];
    let n = 0;
    await insertAll(
      from(input),
      (b) => new Promise<void>((r) => setTimeout(r, (8 - n++) * 3)).then(() => void b),
      { maxBytes: 1 << 30, maxRows: 10, concurrency: 4 },
      { committed: (b) => committed.push(Number((b.columns.get('id')!.values as BigInt64Array)[0]! - 2n ** 60n) / 1_000_000_007) },
    );
    expect(committed).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
  });

  it('a failed request stops the stream: nothing after it is committed, and the error surfaces', async () => {
    const input = Array.from({ length: 6 }, (_, i) => batch(i * 10, 10));
    const committed: number[] = [];
    let calls = 0;
    const send = async () => {
      calls++;
      if (calls === 3) throw new Error('server refused batch 3');
    };
    await expect(
      insertAll(from(input), send, { maxBytes: 1 << 30, maxRows: 10, concurrency: 1 }, { committed: (b) => committed.push(b.numRows) }),
    ).rejects.toThrow('server refused batch 3');
    expect(committed).toEqual([10, 10]);
    expect(calls).toBe(3);
  });

  it('a failure of the source commits, in order, the requests in flight that landed, and none after one that failed', async () => {
    async function* failing(after: number) {
      for (let i = 0; i < after; i++) yield batch(i * 10, 10);
      throw new Error('bad row in the source');
    }
    const committed: number[] = [];
    const slow = () => new Promise<void>((r) => setTimeout(r, 5));
    await expect(
      insertAll(failing(3), slow, { maxBytes: 1 << 30, maxRows: 10, concurrency: 4 }, { committed: (b) => committed.push(b.numRows) }),
    ).rejects.toThrow('bad row in the source');
    expect(committed).toEqual([10, 10, 10]);

    // The second of three in flight fails: the first is committed, the third is not.
    const after: number[] = [];
    let n = 0;
    const secondFails = () => (++n === 2 ? Promise.reject(new Error('refused')) : slow());
    await expect(
      insertAll(failing(3), secondFails, { maxBytes: 1 << 30, maxRows: 10, concurrency: 4 }, { committed: (b) => after.push(b.numRows) }),
    ).rejects.toThrow(/refused|bad row/);
    expect(after).toEqual([10]);
  });

  it('never has more requests in flight than asked', async () => {
    let inFlight = 0;
    let most = 0;
    const send = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    };
    await insertAll(
      from(Array.from({ length: 12 }, (_, i) => batch(i, 1))),
      send,
      { maxBytes: 1 << 30, maxRows: 10, concurrency: 3 },
      { committed: () => {} },
    );
    expect(most).toBe(3);
  });
});

describe('milvus writer: does the source fit the collection', () => {
  const source: CollectionSchema = {
    fields: [
      { name: 'id', type: 'int64', isPrimaryKey: true },
      { name: 'embedding', type: 'float_vector', dim: 8 },
      { name: 'title', type: 'varchar', maxLength: 64 },
    ],
  };

  it('accepts the same schema', () => {
    expect(schemaProblems(source, source)).toEqual([]);
  });

  it('names a dimension or type that differs, a missing column and a target field left empty', () => {
    const target: CollectionSchema = {
      fields: [
        { name: 'id', type: 'int64', isPrimaryKey: true },
        { name: 'embedding', type: 'float_vector', dim: 16 },
        { name: 'year', type: 'int32' },
      ],
    };
    const problems = schemaProblems(source, target);
    expect(problems).toContain('field "embedding" is float_vector(8) at the source but float_vector(16) in the collection');
    expect(problems).toContain('source field "title" (varchar) has no column in the collection');
    expect(problems).toContain('collection field "year" (int32) has no source column and cannot be empty');
    expect(problems).toHaveLength(3);
  });

  it('a dynamic-field collection takes extra columns; a nullable one may stay empty', () => {
    const target: CollectionSchema = {
      enableDynamicField: true,
      fields: [source.fields[0]!, source.fields[1]!, { name: 'year', type: 'int32', nullable: true }],
    };
    expect(schemaProblems(source, target)).toEqual([]);
  });

  it('ids: server-assigned on one side only, or another key name, is refused', () => {
    const auto: CollectionSchema = { fields: [{ ...source.fields[0]!, autoId: true }, source.fields[1]!, source.fields[2]!] };
    expect(schemaProblems(source, auto)).toEqual([
      'the source carries ids, but the collection generates its own keys (autoID on) and would not keep them',
    ]);
    expect(schemaProblems(auto, source)).toEqual([
      'the source carries no ids, but the collection\'s key "id" is not generated by Milvus (autoID off)',
    ]);
    expect(schemaProblems(auto, auto)).toEqual([]);
    const renamed: CollectionSchema = { fields: [{ name: 'pk', type: 'int64', isPrimaryKey: true }, source.fields[1]!, source.fields[2]!] };
    expect(schemaProblems(source, renamed)[0]).toBe('the source key is "id", the collection\'s primary key is "pk"');
  });

  it('binary and float vectors of the same dim do not fit each other', () => {
    const bin: CollectionSchema = { fields: [source.fields[0]!, { name: 'embedding', type: 'binary_vector', dim: 8 }, source.fields[2]!] };
    expect(schemaProblems(source, bin)).toEqual([
      'field "embedding" is float_vector(8) at the source but binary_vector(8) in the collection',
    ]);
  });

  it("the job's metric goes on the vector field only; the rest of the schema is kept", () => {
    const made = schemaToCreate(source, 'COSINE');
    expect(made.fields.map((f) => f.metric)).toEqual([undefined, 'COSINE', undefined]);
    expect(made.fields.map(({ metric: _m, ...f }) => f)).toEqual(source.fields);
    expect(schemaToCreate(source, undefined)).toBe(source);
  });
});
