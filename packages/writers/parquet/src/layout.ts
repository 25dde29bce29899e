/**
 * Where the writer puts a dataset and what it records in each file, shared by the sink and
 * the read-back: `<dir>/<collection>/<partition>/part-NNNNN.parquet`, with the folder written
 * as `<partition>.partial` and renamed once every part of it is complete. A dataset read from
 * one of several databases (`source.databases`: its schema names the database) goes one level
 * deeper, `<dir>/<database>/<collection>/<partition>`, so same-named collections of two
 * databases stay apart.
 */
import { join, resolve } from 'node:path';
import type { DatasetInfo } from '@milvusdm/core';

const SAFE = /[^A-Za-z0-9_.-]/g;

/** Key-value metadata keys; the reader looks for the same. */
export const META = {
  schema: 'milvusdm.schema',
  collection: 'milvusdm.collection',
  partition: 'milvusdm.partition',
  writeId: 'milvusdm.write_id',
  firstRow: 'milvusdm.first_row',
} as const;

export function datasetFolder(dir: string, baseDir: string, dataset: DatasetInfo): string {
  const partition = dataset.partition ?? '_default';
  const database = dataset.schema.database;
  return join(
    resolve(baseDir, dir),
    ...(database !== undefined ? [database.replace(SAFE, '_')] : []),
    dataset.collection.replace(SAFE, '_'),
    partition.replace(SAFE, '_'),
  );
}

export function partName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.parquet`;
}

export const PART_FILE = /^part-(\d{5,})\.parquet$/;
