/**
 * Inserting and querying rows as columns: requests encoded straight from typed arrays, answers
 * decoded straight into them, and every answer's status and row count checked.
 */
import { MilvusdmError, type Column, type ColumnBatch } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';
import { serverInfo } from './server-info.js';
import { ServerRefusal, isSuccess } from './status.js';
import type { DecodedField } from './wire/field-data-decode.js';
import {
  decodeAllocTimestamp,
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
  const verb = upsert ? 'upsert' : 'insert';
  const where = `${verb} into "${target.collection}"${target.partition ? ` partition "${target.partition}"` : ''}`;
  // The request is written into a reused buffer (RequestBuffers), given back only once the call
  // has settled: gRPC reads it until then (it copies it into its own frame, after some awaits).
  const buffers = connection.requestBuffers;
  const request = encodeInsertRequest(
    {
      ...(connection.database ? { database: connection.database } : {}),
      collection: target.collection,
      ...(target.partition ? { partition: target.partition } : {}),
      numRows: batch.numRows,
      columns,
    },
    (bytes) => buffers.take(bytes),
  );
  let sent: Buffer;
  try {
    sent = await connection.raw(upsert ? 'Upsert' : 'Insert', request, where);
  } finally {
    buffers.give(request);
  }
  const answer = decodeMutationResult(sent);
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

/**
 * What a read must have seen: every write the server applied up to `timestamp` (from
 * readTimestamp), instead of Strong's every write up to the moment of each request — which on
 * Milvus 2.x costs a wait for the next time tick (~0.2 s) per request.
 */
export interface ReadPoint {
  readonly timestamp: bigint;
}

/** The query fields that make a request wait for `at` (Strong without it). */
export function readConsistency(at: ReadPoint | undefined): Pick<QueryRequestFields, 'consistency' | 'guaranteeTimestamp'> {
  return at ? { consistency: 'Customized', guaranteeTimestamp: at.timestamp } : { consistency: 'Strong' };
}

/**
 * A timestamp from the server's own clock (AllocTimestamp, Milvus 2.3+): reads that wait for it
 * see every write acknowledged before this call, as a Strong read at this moment would.
 * Undefined on Milvus Lite (its Strong reads wait for no time tick; Lite 3.2 answers
 * AllocTimestamp, but what it makes of a guarantee timestamp is not documented: it stays Strong)
 * and where the server has no such call; reads then stay Strong.
 */
export async function readTimestamp(connection: MilvusConnection): Promise<ReadPoint | undefined> {
  const { version } = await serverInfo(connection);
  // Milvus Lite 3 calls itself milvus_lite-3.x; Lite 2.x's local engine has no GetVersion. (Not
  // any version with "lite" in it: the PyPI Milvus 2.3.5 standalone server calls itself v2.3.5-lite.)
  if (!version || /^milvus_lite-/i.test(version)) return undefined;
  const where = `ask ${connection.display} for a timestamp`;
  let answer: ReturnType<typeof decodeAllocTimestamp>;
  try {
    answer = decodeAllocTimestamp(await connection.rawWithRetry('AllocTimestamp', new Uint8Array(0), where, true));
  } catch (e) {
    if (e instanceof MilvusdmError && /does not implement|empty answer/.test(e.message)) return undefined;
    throw e;
  }
  if (!answer.status || !isSuccess(answer.status) || answer.timestamp === 0n) return undefined;
  return { timestamp: answer.timestamp };
}

/** Rows matching `expr` (empty = all), counted by the server (Strong, or as of `at`). */
export async function countRows(
  connection: MilvusConnection,
  collection: string,
  expr: string,
  partitions?: readonly string[],
  at?: ReadPoint,
): Promise<number> {
  const fields = await queryColumns(connection, {
    collection,
    expr,
    outputFields: ['count(*)'],
    ...(partitions ? { partitions } : {}),
    ...readConsistency(at),
  });
  const column: Column | undefined = fields.find((f) => f.name === 'count(*)')?.column;
  if (!column || column.type !== 'int64' || column.values.length !== 1) {
    throw new MilvusdmError('MDM_TARGET', `count rows of "${collection}": unexpected answer from ${connection.display}`);
  }
  return Number(column.values[0]);
}
