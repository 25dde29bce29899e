/**
 * Checking what Milvus answered. The Node SDK turns an UNIMPLEMENTED answer into an empty
 * success object, so "no status at all" is treated as a refusal, never as success.
 */
import { MilvusdmError, type ErrorCode } from '@milvusdm/core';

export interface StatusLike {
  readonly error_code?: string | number;
  readonly code?: number;
  readonly reason?: string;
  readonly detail?: string;
}

function statusOf(response: unknown): StatusLike | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const r = response as { status?: StatusLike; error_code?: unknown };
  if (r.status && typeof r.status === 'object') return r.status;
  if ('error_code' in r) return r as StatusLike;
  return undefined;
}

export function isSuccess(status: StatusLike): boolean {
  const ok = status.error_code === undefined || status.error_code === 'Success' || status.error_code === 0;
  return ok && (status.code === undefined || status.code === 0);
}

/**
 * Throws unless `response` carries a success status. `what` names the operation and target,
 * e.g. `create collection "books"`.
 */
export function ensureOk<T>(response: T, what: string, code: ErrorCode = 'MDM_TARGET'): T {
  const status = statusOf(response);
  if (!status) {
    throw new MilvusdmError(code, `${what}: the server does not implement this operation (empty answer)`);
  }
  if (!isSuccess(status)) {
    const reason = status.reason || status.detail || String(status.error_code);
    throw new MilvusdmError(code, `${what}: ${reason}`);
  }
  return response;
}
