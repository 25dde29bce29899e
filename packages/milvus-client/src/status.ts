/**
 * Checking what Milvus answered. The Node SDK turns an UNIMPLEMENTED answer into an empty
 * success object, so "no status at all" is treated as a refusal, never as success. A refusal
 * keeps the server's own reason (one line) and whether the server called it retriable.
 */
import { MilvusdmError, type ErrorCode } from '@milvusdm/core';

export interface StatusLike {
  readonly error_code?: string | number;
  readonly code?: number;
  readonly reason?: string;
  readonly detail?: string;
  readonly retriable?: boolean;
}

/** A request the server answered with a failure status. */
export class ServerRefusal extends MilvusdmError {
  /** The server's reason as it sent it, for classifying the failure (rate limit, not ready…). */
  readonly serverReason: string;
  readonly retriable: boolean;

  constructor(code: ErrorCode, what: string, status: StatusLike) {
    const reason = statusReason(status);
    super(code, `${what}: ${reason}`);
    this.serverReason = reason;
    this.retriable = status.retriable === true;
  }
}

/** The server's words for a failure status, on one line. */
export function statusReason(status: StatusLike): string {
  const text = status.reason || status.detail || `error ${String(status.error_code ?? status.code)} without a reason`;
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function statusOf(response: unknown): StatusLike | undefined {
  if (response === null || typeof response !== 'object') return undefined;
  const r = response as { status?: StatusLike; error_code?: unknown };
  if (r.status && typeof r.status === 'object') return r.status;
  if ('error_code' in r) return r as StatusLike;
  return undefined;
}

/** Whether a thrown value is a status object (the SDK throws those as they are, not as Errors). */
export function isStatusObject(e: unknown): e is StatusLike {
  return typeof e === 'object' && e !== null && !(e instanceof Error) && ('error_code' in e || 'reason' in e);
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
  if (!isSuccess(status)) throw new ServerRefusal(code, what, status);
  return response;
}
