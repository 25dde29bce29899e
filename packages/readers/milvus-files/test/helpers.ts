/** Shared by the milvus1x tests: the standard 1.x directory, a channel context, reading everything. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelContext, ColumnBatch, ReaderSource } from '@milvusdm/core';
import type { DirSpec } from '@milvusdm/milvus1x-testing';

export interface Names {
  readonly float: string;
  readonly binary: string;
  readonly dropped: string;
}

/**
 * A directory with what a real 1.x instance accumulates: a float collection with partitions
 * (one empty, one whose rows were all deleted, one dropped), segments in every file_type
 * state, an index beside a BACKUP segment and another being built beside a TO_INDEX one,
 * superseded segments with and without their files, deletes appended in batches (unsorted,
 * repeated, one beyond the segment); a binary collection with generated ids; a dropped
 * collection; and a stray folder no meta row names.
 */
export function scenario(names: Names = { float: 'books', binary: 'bits', dropped: 'old' }, extra: Partial<DirSpec> = {}): DirSpec {
  return {
    collections: [
      {
        name: names.float,
        dim: 16,
        metric: 'IP',
        engineType: 2,
        indexParams: '{"nlist":16}',
        segments: [
          {
            rows: 300,
            type: 'RAW',
            deletes: [
              [0, 5, 17],
              [120, 299, 5],
              [17, 4000],
            ],
          },
          { rows: 257, type: 'BACKUP', deletes: [[1, 2, 3, 255, 256]] },
          { rows: 120, type: 'TO_INDEX', indexInProgress: true },
          { rows: 64, type: 'TO_DELETE' },
          { rows: 64, type: 'TO_DELETE', filesRemoved: true },
          { rows: 33, type: 'NEW' },
          { rows: 40, type: 'NEW_MERGE' },
        ],
        partitions: [
          {
            tag: 'partition_1',
            segments: [
              { rows: 150, type: 'RAW', deletes: [[10, 11], [10]] },
              { rows: 90, type: 'BACKUP' },
            ],
          },
          { tag: 'partition_2', segments: [{ rows: 77, type: 'TO_INDEX', deletes: [[76], [0], [76]] }] },
          { tag: 'empty_p', segments: [] },
          {
            tag: 'all_deleted',
            segments: [
              {
                rows: 5,
                type: 'RAW',
                deletes: [
                  [0, 1, 2],
                  [3, 4, 0],
                ],
              },
            ],
          },
          { tag: 'dropped_p', dropped: true, segments: [{ rows: 20, type: 'RAW' }] },
        ],
      },
      {
        name: names.binary,
        dim: 128,
        metric: 'HAMMING',
        ids: 'auto',
        segments: [
          { rows: 200, type: 'RAW', deletes: [[3], [3], [0, 199]] },
          { rows: 100, type: 'BACKUP' },
        ],
        partitions: [{ tag: 'bp', segments: [{ rows: 50, type: 'TO_INDEX' }] }],
      },
      { name: names.dropped, dim: 8, metric: 'L2', dropped: true, segments: [{ rows: 10, type: 'RAW' }] },
    ],
    strayFolder: true,
    ...extra,
  };
}

export interface Logged {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
}

export function testContext(baseDir: string): ChannelContext & { logs: Logged[]; secrets: string[] } {
  const logs: Logged[] = [];
  const secrets: string[] = [];
  const log = (level: Logged['level']) => (message: string) => void logs.push({ level, message });
  return {
    signal: new AbortController().signal,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    baseDir,
    redact: (s) => void (s && secrets.push(s)),
    logs,
    secrets,
  };
}

const dirs: string[] = [];
/** A fresh folder, removed by removeScratch() (call it in afterAll) unless MILVUSDM_KEEP_TMP=1. */
export function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'milvusdm-1x-'));
  dirs.push(d);
  return d;
}
export function removeScratch(): void {
  if (process.env['MILVUSDM_KEEP_TMP'] === '1') return;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface ReadBack {
  readonly ids: BigInt64Array;
  readonly vectors: Uint8Array;
  readonly batches: ColumnBatch[];
}

function concat<T extends BigInt64Array | Uint8Array>(parts: T[], make: (n: number) => T): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p as never, at);
    at += p.length;
  }
  return out;
}

function bytesOf(a: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Every row of every dataset, vectors as raw bytes (bit-exact comparison). */
export async function readAll(
  source: ReaderSource,
  batchRows = 10_000,
  resumeFrom?: unknown,
  only?: string,
): Promise<Map<string, ReadBack>> {
  const out = new Map<string, ReadBack>();
  for (const d of source.datasets) {
    if (only && d.key !== only) continue;
    const ids: BigInt64Array[] = [];
    const vectors: Uint8Array[] = [];
    const batches: ColumnBatch[] = [];
    for await (const b of d.batches({ batchRows, resumeFrom })) {
      batches.push(b);
      const id = b.columns.get('id')!;
      const v = b.columns.get('embedding')!;
      ids.push(id.values as BigInt64Array);
      vectors.push(bytesOf(v.values as Float32Array | Uint8Array).slice());
    }
    out.set(d.key, { ids: concat(ids, (n) => new BigInt64Array(n)), vectors: concat(vectors, (n) => new Uint8Array(n)), batches });
  }
  return out;
}

export function expectedBytes(v: Float32Array | Uint8Array | undefined): Uint8Array {
  return v ? bytesOf(v) : new Uint8Array(0);
}
