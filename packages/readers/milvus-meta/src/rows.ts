/**
 * Turning raw result rows into typed records. Drivers hand back numbers, bigints or strings
 * depending on the backend and column type; ids must come out as exact strings and counts as
 * safe integers, or the row is reported, never silently rounded.
 */
import { MilvusdmError } from '@milvusdm/core';
import { idModeOf, isBinaryMetricCode, metricName } from './enums.js';
import type { MetaSegment, MetaTable } from './types.js';

type Raw = Record<string, unknown>;

/** A text column (ids included): strings as they are, integers in exact decimal. */
export function textOf(row: Raw, column: string): string {
  const v = row[column];
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw new MilvusdmError('MDM_SOURCE', `meta column ${column} holds ${typeof v} ${String(v)}, expected text`);
}

/** An integer column that must fit a JS number exactly (dimensions, codes, counts, sizes). */
export function intOf(row: Raw, column: string, where: string): number {
  const v = row[column];
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) n = Number(v.trim());
  else if (v === null || v === undefined) n = 0;
  else n = NaN;
  if (!Number.isSafeInteger(n) || (typeof v === 'bigint' && BigInt(n) !== v)) {
    throw new MilvusdmError('MDM_SOURCE', `${where}: meta column ${column} holds ${String(v)}, expected an integer`);
  }
  return n;
}

export function tableOf(row: Raw): MetaTable {
  const tableId = textOf(row, 'table_id');
  const where = `Tables row "${tableId}"`;
  const metricType = intOf(row, 'metric_type', where);
  const flag = intOf(row, 'flag', where);
  return {
    tableId,
    state: intOf(row, 'state', where),
    dimension: intOf(row, 'dimension', where),
    metricType,
    metric: metricName(metricType),
    binary: isBinaryMetricCode(metricType),
    engineType: intOf(row, 'engine_type', where),
    indexParams: textOf(row, 'index_params') || '{}',
    indexFileSize: intOf(row, 'index_file_size', where),
    flag,
    idMode: idModeOf(flag),
    ownerTable: textOf(row, 'owner_table'),
    partitionTag: textOf(row, 'partition_tag'),
    version: textOf(row, 'version'),
    createdOn: intOf(row, 'created_on', where),
  };
}

export function segmentOf(row: Raw): MetaSegment {
  const rowId = textOf(row, 'id');
  const where = `TableFiles row ${rowId}`;
  return {
    rowId,
    tableId: textOf(row, 'table_id'),
    segmentId: textOf(row, 'segment_id'),
    fileId: textOf(row, 'file_id'),
    fileType: intOf(row, 'file_type', where),
    fileSize: intOf(row, 'file_size', where),
    rowCount: intOf(row, 'row_count', where),
    engineType: intOf(row, 'engine_type', where),
    createdOn: intOf(row, 'created_on', where),
    updatedTime: intOf(row, 'updated_time', where),
  };
}

export function countsOf(rows: readonly Raw[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const row of rows) out.set(intOf(row, 'file_type', 'TableFiles'), intOf(row, 'n', 'TableFiles'));
  return out;
}
