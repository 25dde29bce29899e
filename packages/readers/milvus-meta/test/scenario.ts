/**
 * One set of meta rows, written to SQLite by the unit tests and to MySQL by the integration
 * tests, and the assertions both stores must pass on it.
 */
import { expect } from 'vitest';
import type { MetaStore } from '../dist/index.js';
import type { MetaRows, TableFileRow, TableRow } from '@milvusdm/milvus1x-testing';

const BIG = '1678354366132931000';
const P1 = '1678354366132932000';
const P2 = '1678354366132933000';
const PDROP = '1678354366132934000';
export const IDS = { BIG, P1, P2, PDROP };

function table(t: Partial<TableRow> & Pick<TableRow, 'table_id'>): TableRow {
  return {
    state: 0,
    dimension: 128,
    created_on: 1678354366132931,
    flag: 2,
    index_file_size: 1024 * 1048576,
    engine_type: 1,
    index_params: '{}',
    metric_type: 1,
    owner_table: '',
    partition_tag: '',
    version: '1.1.1',
    flush_lsn: 0,
    ...t,
  };
}

let next = 0n;
function file(table_id: string, file_type: number, f: Partial<TableFileRow> = {}): TableFileRow {
  const id = (9_000_000_000_000_000_000n + next++ * 1000n).toString();
  return {
    table_id,
    segment_id: id,
    engine_type: 1,
    file_id: id,
    file_type,
    file_size: 10_320_000,
    row_count: 10_000,
    updated_time: 1678354366132931,
    created_on: 1678354366132931,
    date: 1230309,
    flush_lsn: 0,
    ...f,
  };
}

const backup = file('books', 7, { segment_id: '9100000000000000001', file_id: '9100000000000000001', row_count: 9_990 });

export const ROWS: MetaRows = {
  tables: [
    table({ table_id: 'books', engine_type: 2, index_params: '{"nlist":1024}' }),
    table({ table_id: P1, owner_table: 'books', partition_tag: 'p1', flag: 0 }),
    table({ table_id: P2, owner_table: 'books', partition_tag: 'p2', flag: 0 }),
    table({ table_id: PDROP, owner_table: 'books', partition_tag: 'gone', flag: 0, state: 1 }),
    table({ table_id: 'bits', dimension: 512, metric_type: 4, engine_type: 9, flag: 1 }),
    table({ table_id: 'old', state: 1 }),
    table({ table_id: 'weird', metric_type: 0, flag: 0 }),
  ],
  files: [
    file('books', 0),
    file('books', 1, { segment_id: BIG, file_id: BIG, row_count: 7 }),
    file('books', 2),
    file('books', 3, { segment_id: backup.segment_id, file_size: 123 }),
    file('books', 4),
    file('books', 5),
    file('books', 6),
    backup,
    file(P1, 1),
    file(PDROP, 1),
    file('old', 1),
    file('bits', 7),
  ],
};

/** The assertions every MetaStore must pass on ROWS. */
export async function checkScenario(store: MetaStore): Promise<void> {
  const collections = await store.collections();
  // Dropped "old" and the partitions are not collections.
  expect(collections.map((c) => c.tableId)).toEqual(['bits', 'books', 'weird']);
  const books = collections.find((c) => c.tableId === 'books')!;
  expect(books).toMatchObject({
    dimension: 128,
    metric: 'L2',
    binary: false,
    engineType: 2,
    indexParams: '{"nlist":1024}',
    idMode: 'user',
    ownerTable: '',
    partitionTag: '',
    state: 0,
  });
  expect(books.indexFileSize).toBe(1024 * 1048576);
  expect(collections.find((c) => c.tableId === 'bits')).toMatchObject({ dimension: 512, metric: 'JACCARD', binary: true, idMode: 'auto' });
  expect(collections.find((c) => c.tableId === 'weird')).toMatchObject({ metric: undefined, idMode: 'unset' });

  const partitions = await store.partitions('books');
  expect(partitions.map((p) => [p.tableId, p.partitionTag])).toEqual([
    [P1, 'p1'],
    [P2, 'p2'],
  ]);
  // 19-digit table ids come back as the exact strings.
  expect(typeof partitions[0]!.tableId).toBe('string');

  const live = await store.liveSegments('books');
  expect(live.map((s) => s.fileType)).toEqual([1, 2, 7]);
  expect(live[0]).toMatchObject({ segmentId: BIG, fileId: BIG, tableId: 'books', rowCount: 7, fileSize: 10_320_000 });
  expect(live[2]!.segmentId).toBe('9100000000000000001');
  expect(typeof live[0]!.rowId).toBe('string');
  expect((await store.liveSegments(P1)).length).toBe(1);
  expect(await store.liveSegments(P2)).toEqual([]);

  const counts = await store.fileTypeCounts('books');
  expect(Object.fromEntries(counts)).toEqual({ 0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1 });

  expect(await store.table('old')).toMatchObject({ state: 1 });
  expect(await store.table('nope')).toBeUndefined();
  expect((await store.droppedTables()).map((t) => t.tableId)).toEqual([PDROP, 'old']);

  // Values are bound, never spliced into the SQL.
  expect(await store.partitions("books' OR '1'='1")).toEqual([]);
  expect(await store.liveSegments("x') OR 1=1 OR ('")).toEqual([]);

  // A snapshot returns what its reads return.
  const both = await store.snapshot(async () => [(await store.collections()).length, (await store.partitions('books')).length]);
  expect(both).toEqual([3, 2]);
}
