/**
 * The fault policy around one insert (or upsert) batch, reusable by any writer:
 *
 * - a failure that proves the request was not applied (no connection could be made, the server
 *   said "rate limit" or "not ready") is retried with backoff and jitter;
 * - "message too large" (the channel's or the server's limit) splits the batch in halves and
 *   sends each, down to single rows;
 * - a failure after the request may have reached the server (connection lost in flight, no
 *   answer before the deadline) is NOT retried for an insert — Milvus inserts are not
 *   idempotent, a repeat could double rows — but fails with a resumable error that says which
 *   rows are in doubt. An upsert replaces by key, so repeating it is safe and it is retried.
 */
import { MilvusdmError, errorMessage, sliceBatch, type ColumnBatch } from '@milvusdm/core';
import type { MilvusConnection } from './connection.js';
import { insertBatch, type InsertTarget } from './data-path.js';
import { classifyFailure, withRetry, type FailureKind } from './retry.js';

/** A batch whose outcome is unknown: it may or may not be stored. Resume must reconcile it. */
export class InsertInDoubtError extends MilvusdmError {
  readonly inDoubtRows: number;
  readonly resumable = true;

  constructor(what: string, rows: number, kind: FailureKind, cause: unknown) {
    const why = kind === 'timeout' ? 'no answer before the deadline' : 'the connection was lost while it was being sent';
    super(
      'MDM_TARGET',
      `${what}: ${why} (${errorMessage(cause)}); ${rows} row(s) of that batch may or may not be stored, so it is not sent again`,
      {
        cause,
        hint: 'Nothing before that batch is in doubt. Run the same job again to resume once the server is back.',
      },
    );
    this.inDoubtRows = rows;
  }
}

export interface SendOptions {
  readonly upsert: boolean;
  /** Told when a batch is split because the server found it too large. */
  readonly onSplit?: (rows: number, into: number) => void;
}

function describe(target: InsertTarget, upsert: boolean): string {
  return `${upsert ? 'upsert' : 'insert'} into "${target.collection}"${target.partition ? ` partition "${target.partition}"` : ''}`;
}

/** Sends one batch under the policy above; resolves once every row is acknowledged. */
export async function sendBatch(
  connection: MilvusConnection,
  target: InsertTarget,
  batch: ColumnBatch,
  options: SendOptions,
): Promise<void> {
  const what = describe(target, options.upsert);
  try {
    await withRetry(() => insertBatch(connection, target, batch, options.upsert), {
      idempotent: options.upsert,
      policy: connection.retryPolicy,
      signal: connection.abortSignal,
      onRetry: connection.retryLogger(what),
    });
  } catch (e) {
    const kind = classifyFailure(e);
    if (kind === 'too-large') {
      if (batch.numRows <= 1) {
        throw new MilvusdmError('MDM_TARGET', `${what}: a single row is larger than the server accepts (${errorMessage(e)})`, { cause: e });
      }
      // Nothing of a too-large request was applied: send it again in halves.
      const half = Math.ceil(batch.numRows / 2);
      options.onSplit?.(batch.numRows, 2);
      await sendBatch(connection, target, sliceBatch(batch, 0, half), options);
      await sendBatch(connection, target, sliceBatch(batch, half, batch.numRows), options);
      return;
    }
    if (!options.upsert && (kind === 'lost-in-flight' || kind === 'timeout')) throw new InsertInDoubtError(what, batch.numRows, kind, e);
    throw e;
  }
}
