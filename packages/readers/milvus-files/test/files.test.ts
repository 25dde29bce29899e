/** The segment file formats: headers, deleted_docs, in-place compaction, and the checks at open. */
import { appendFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHeader, readPayloadHeader } from '../dist/files/header.js';
import { DeletedRowsBuilder, isDeleted, readDeletedRows } from '../dist/files/deleted-docs.js';
import { compactRows } from '../dist/files/reader.js';
import { checkSegment } from '../dist/files/segment.js';
import { buildMilvus1xDir } from '@milvusdm/milvus1x-testing';
import type { MetaSegment } from '@milvusdm/reader-milvus-meta';
import { removeScratch, scratch } from './helpers.js';

afterAll(removeScratch);

function u64(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

function int32s(...values: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

describe('segment file header', () => {
  it('accepts exactly header + announced bytes', () => {
    expect(checkHeader('/f.uid', 8 + 80_000, u64(80_000))).toEqual({ path: '/f.uid', size: 80_008, payloadBytes: 80_000 });
    expect(checkHeader('/d', 8, u64(0)).payloadBytes).toBe(0);
  });

  it('reports a cut-off file, extra bytes, and a file too short for its header', () => {
    expect(() => checkHeader('/f.rv', 8 + 100, u64(4096))).toThrow(
      '/f.rv is short: its header announces 4096 bytes but only 100 follow (truncated?)',
    );
    expect(() => checkHeader('/f.rv', 8 + 100, u64(96))).toThrow('/f.rv has 4 bytes more than the 96 its header announces');
    expect(() => checkHeader('/f.rv', 5, new Uint8Array(8))).toThrow('/f.rv is 5 bytes, too short to hold its 8-byte header');
    // A header of 2^64 − 1 must not be taken for a small number.
    expect(() => checkHeader('/f.rv', 16, u64(0xffffffffffffffffn))).toThrow('announces 18446744073709551615 bytes');
  });

  it('reads the header from disk and names a missing file', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'a.uid'), Buffer.concat([u64(16), Buffer.alloc(16)]));
    expect(await readPayloadHeader(join(dir, 'a.uid'))).toMatchObject({ size: 24, payloadBytes: 16 });
    await expect(readPayloadHeader(join(dir, 'b.uid'))).rejects.toMatchObject({ path: join(dir, 'b.uid'), problem: 'is missing' });
  });
});

describe('deleted_docs', () => {
  it('collapses repeats and ignores order: offsets appended in batches', () => {
    const b = new DeletedRowsBuilder(10);
    b.add(int32s(1, 4, 7));
    b.add(int32s(9, 1, 0));
    b.add(int32s(4, 4));
    const r = b.result();
    expect(r).toMatchObject({ count: 5, entries: 8, outOfRange: 0 });
    expect([...Array(10).keys()].filter((k) => isDeleted(r.bitmap, k))).toEqual([0, 1, 4, 7, 9]);
  });

  it('ignores offsets outside the segment, negative ones included, and counts them', () => {
    const b = new DeletedRowsBuilder(3);
    b.add(int32s(2, 3, -1, 2_000_000_000));
    expect(b.result()).toMatchObject({ count: 1, entries: 4, outOfRange: 3 });
  });

  it('reads offsets past the first chunk, and refuses a file of partial offsets', async () => {
    const dir = scratch();
    // 1.5 M offsets (6 MB): more than one 4 MB read.
    const offsets = Int32Array.from({ length: 1_500_000 }, (_, i) => (i * 7) % 1_000_003);
    writeFileSync(join(dir, 'deleted_docs'), Buffer.concat([u64(offsets.byteLength), Buffer.from(offsets.buffer)]));
    const r = await readDeletedRows(await readPayloadHeader(join(dir, 'deleted_docs')), 1_000_003);
    expect(r).toMatchObject({ entries: 1_500_000, outOfRange: 0, count: 1_000_003 });
    writeFileSync(join(dir, 'bad'), Buffer.concat([u64(6), Buffer.alloc(6)]));
    await expect(readDeletedRows(await readPayloadHeader(join(dir, 'bad')), 10)).rejects.toThrow(
      'holds 6 bytes of offsets, not a whole number of 4-byte int32 offsets',
    );
  });
});

describe('compactRows', () => {
  it('keeps the live rows in order, ids and vectors together, block offsets included', () => {
    const b = new DeletedRowsBuilder(20);
    b.add(int32s(10, 11, 14, 19));
    const bitmap = b.result().bitmap;
    // Block of rows 10..19: ids 10..19 (one byte each for clarity), vectors 2 bytes per row.
    const ids = new Uint8Array(new BigInt64Array(Array.from({ length: 10 }, (_, i) => BigInt(10 + i))).buffer);
    const vectors = Uint8Array.from({ length: 20 }, (_, i) => 20 + i);
    const kept = compactRows(bitmap, 10, 10, ids, vectors, 2);
    expect(kept).toBe(6);
    expect([...new BigInt64Array(ids.buffer, 0, kept)]).toEqual([12n, 13n, 15n, 16n, 17n, 18n]);
    expect([...vectors.subarray(0, 12)]).toEqual([24, 25, 26, 27, 30, 31, 32, 33, 34, 35, 36, 37]);
  });

  it('returns 0 for a block whose every row is deleted', () => {
    const b = new DeletedRowsBuilder(4);
    b.add(int32s(0, 1, 2, 3));
    expect(compactRows(b.result().bitmap, 0, 4, new Uint8Array(32), new Uint8Array(4), 1)).toBe(0);
  });
});

describe('checkSegment', () => {
  async function oneSegment(spec: Parameters<typeof buildMilvus1xDir>[1]['collections'][number]['segments']) {
    const built = await buildMilvus1xDir(scratch(), {
      collections: [{ name: 'c', dim: 4, metric: 'L2', segments: spec ?? [] }],
      meta: 'none',
    });
    const seg = built.segments[0]!;
    const row = built.meta.files.find((f) => f.segment_id === seg.segmentId)!;
    const meta: MetaSegment = {
      rowId: '1',
      tableId: row.table_id,
      segmentId: row.segment_id,
      fileId: row.file_id,
      fileType: row.file_type,
      fileSize: row.file_size,
      rowCount: row.row_count,
      engineType: 1,
      createdOn: 0,
      updatedTime: 0,
    };
    return { seg, meta, check: () => checkSegment(seg.dir, meta, 16) };
  }

  it('counts written, deleted and live rows', async () => {
    const { check } = await oneSegment([
      {
        rows: 10,
        type: 'RAW',
        deletes: [
          [1, 2],
          [2, 30],
        ],
      },
    ]);
    expect(await check()).toMatchObject({ rows: 10, deletedRows: 2, outOfRangeDeletes: 1, liveRows: 8 });
  });

  it('finds raw files not named after the segment, and reads a segment without deleted_docs as undeleted', async () => {
    const { check } = await oneSegment([{ rows: 10, type: 'RAW', fileName: 'legacy', noDeletedDocs: true }]);
    const c = await check();
    expect(c.rv.path.endsWith('/legacy.rv')).toBe(true);
    expect(c).toMatchObject({ liveRows: 10, deletedDocs: undefined });
  });

  it('refuses a folder with several .rv files and none named after the segment', async () => {
    const { seg, check } = await oneSegment([{ rows: 10, type: 'RAW', fileName: 'a' }]);
    writeFileSync(join(seg.dir, 'b.rv'), u64(0));
    await expect(check()).rejects.toThrow(`${seg.dir} holds several .rv files (a.rv, b.rv) and none is named ${seg.segmentId}.rv`);
  });

  it('names a missing folder, a missing .uid, a short .rv, and .rv/.uid row counts that disagree', async () => {
    const a = await oneSegment([{ rows: 10, type: 'RAW' }]);
    rmSync(a.seg.uid);
    await expect(a.check()).rejects.toThrow(`${a.seg.uid} is missing`);
    rmSync(a.seg.dir, { recursive: true });
    await expect(a.check()).rejects.toThrow(`${a.seg.dir} is missing (the segment folder the meta names)`);

    const b = await oneSegment([{ rows: 10, type: 'RAW' }]);
    truncateSync(b.seg.rv, 8 + 16 * 10 - 3);
    await expect(b.check()).rejects.toThrow(`${b.seg.rv} is short: its header announces 160 bytes but only 157 follow (truncated?)`);

    const c = await oneSegment([{ rows: 10, type: 'RAW' }]);
    writeFileSync(c.seg.rv, Buffer.concat([u64(16 * 9), Buffer.alloc(16 * 9)]));
    await expect(c.check()).rejects.toThrow(`${c.seg.rv} holds 9 vectors of 16 bytes but ${c.seg.uid} holds 10 ids`);
    writeFileSync(c.seg.rv, Buffer.concat([u64(150), Buffer.alloc(150)]));
    await expect(c.check()).rejects.toThrow(`${c.seg.rv} holds 150 bytes, not a whole number of 16-byte vectors`);

    const d = await oneSegment([{ rows: 10, type: 'RAW' }]);
    appendFileSync(d.seg.uid, Buffer.alloc(1));
    await expect(d.check()).rejects.toThrow(`${d.seg.uid} has 1 bytes more than the 80 its header announces`);
    writeFileSync(d.seg.uid, Buffer.concat([u64(12), Buffer.alloc(12)]));
    await expect(d.check()).rejects.toThrow(`${d.seg.uid} holds 12 bytes of ids, not a whole number of 8-byte ids`);
  });

  it('accepts the single .rv present when the name differs from both the segment and file id', async () => {
    const { seg, check } = await oneSegment([{ rows: 3, type: 'RAW' }]);
    for (const ext of ['.rv', '.uid']) renameSync(join(seg.dir, `${seg.segmentId}${ext}`), join(seg.dir, `renamed${ext}`));
    expect(readdirSync(seg.dir).sort()).toEqual(['bloom_filter', 'deleted_docs', 'renamed.rv', 'renamed.uid']);
    expect((await check()).liveRows).toBe(3);
  });
});
