/**
 * Inserting and querying rows as columns: requests encoded straight from typed arrays, answers
 * decoded straight into them, and every answer's status and row count checked.
 */
import { MilvusdmError, type Column, type ColumnBatch } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';
import { ServerRefusal, isSuccess } from './status.js';
import type { DecodedField } from './wire/field-data-decode.js';
import {
  decodeMutationResult,
  decodeQueryResults,
  encodeInsertRequest,
  encodeQueryRequest,
  type InsertColumn,
  type QueryRequestFields,
  type StatusMessage,
} from './wire/requests.js';

function failIfBad(status: StatusMessage | undefined, what: string): void {
  if (!status) throw new MilvusdmError('MDM_TARGET', `${what}: the server does not implement this operation (empty answer)`);
  if (!isSuccess(status)) throw new ServerRefusal('MDM_TARGET', what, status);
}

export interface InsertTarget {
  readonly collection: string;
  readonly partition?: string;
  /** Array fields need their element type on the wire. */
  readonly elementTypes?: ReadonlyMap<string, string>;
  /** Name of the column that carries dynamic-field JSON, when the collection has one. */
  readonly dynamicColumn?: string;
}

/**
 * Inserts (or upserts) one batch; resolves once Milvus acknowledged every row. One request, no
 * retry: see sendBatch for the policy around it.
 */
export async function insertBatch(connection: MilvusConnection, target: InsertTarget, batch: ColumnBatch, upsert: boolean): Promise<void> {
  const columns: InsertColumn[] = [];
  for (const [name, column] of batch.columns) {
    const elementType = target.elementTypes?.get(name);
    columns.push({
      name,
      column,
      ...(elementType ? { elementType } : {}),
      ...(name === target.dynamicColumn ? { isDynamic: true } : {}),
    });
  }
  const request = encodeInsertRequest({
    ...(connection.database ? { database: connection.database } : {}),
    collection: target.collection,
    ...(target.partition ? { partition: target.partition } : {}),
    numRows: batch.numRows,
    columns,
  });
  const verb = upsert ? 'upsert' : 'insert';
  const where = `${verb} into "${target.collection}"${target.partition ? ` partition "${target.partition}"` : ''}`;
  const answer = decodeMutationResult(await connection.raw(upsert ? 'Upsert' : 'Insert', request, where));
  failIfBad(answer.status, where);
  const acknowledged = upsert ? answer.upsertCount : answer.insertCount;
  if (acknowledged !== BigInt(batch.numRows)) {
    throw new MilvusdmError('MDM_TARGET', `${where}: sent ${batch.numRows} rows, the server acknowledged ${acknowledged}`);
  }
}

/** Runs a query and returns its fields as decoded columns. */
export async function queryColumns(connection: MilvusConnection, request: QueryRequestFields): Promise<DecodedField[]> {
  const where = `query "${request.collection}"`;
  const bytes = encodeQueryRequest({ ...request, ...(connection.database ? { database: connection.database } : {}) });
  // A query only reads: any passing failure (server restarting, lost answer) may be repeated.
  const answer = decodeQueryResults(await connection.rawWithRetry('Query', bytes, where, true));
  failIfBad(answer.status, where);
  return [...answer.fields];
}

/** Rows matching `expr` (empty = all), counted by the server. */
export async function countRows(
  connection: MilvusConnection,
  collection: string,
  expr: string,
  partitions?: readonly string[],
): Promise<number> {
  const fields = await queryColumns(connection, {
    collection,
    expr,
    outputFields: ['count(*)'],
    ...(partitions ? { partitions } : {}),
    consistency: 'Strong',
  });
  const column: Column | undefined = fields.find((f) => f.name === 'count(*)')?.column;
  if (!column || column.type !== 'int64' || column.values.length !== 1) {
    throw new MilvusdmError('MDM_TARGET', `count rows of "${collection}": unexpected answer from ${connection.display}`);
  }
  return Number(column.values[0]);
}
