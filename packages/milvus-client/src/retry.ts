/**
 * What a failed Milvus call means for trying again, and trying again with backoff.
 *
 * The distinction that matters is whether the request may have reached the server: a read can
 * always be repeated, but an insert that may have been applied must not be (Milvus inserts are
 * not idempotent — a repeat doubles rows), so only failures that prove the request was not
 * applied are retried for it.
 */
import { MilvusdmError, errorMessage } from '@milvusdm/core';

export type FailureKind =
  /** The request never left: no connection could be made (refused, reconnecting). Safe to repeat. */
  | 'not-sent'
  /** The server answered that it refused the request for now (rate limit, not ready). Safe to repeat. */
  | 'refused-for-now'
  /** The request was too big for the server or the channel; nothing was applied. Send it smaller. */
  | 'too-large'
  /** The connection broke while the request was out: it may or may not have been applied. */
  | 'lost-in-flight'
  /** No answer within the deadline: it may or may not have been applied. */
  | 'timeout'
  /** Anything else: a real refusal or a bug. Never repeated. */
  | 'permanent';

interface Facts {
  readonly grpcCode: number | undefined;
  readonly text: string;
  /** The server marked its refusal as worth repeating. */
  readonly retriable: boolean;
}

/**
 * The gRPC status code and the words of a failure, looking through wrapped causes. Only a
 * gRPC call error (it carries `details` and `metadata`) gives a gRPC code: Milvus status
 * objects also have a numeric `code`, from another numbering.
 */
function factsOf(e: unknown): Facts {
  let grpcCode: number | undefined;
  let retriable = false;
  const texts: string[] = [];
  for (let cur: unknown = e, depth = 0; cur && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const c = cur as { code?: unknown; details?: unknown; metadata?: unknown; serverReason?: unknown; retriable?: unknown };
    if (grpcCode === undefined && typeof c.code === 'number' && 'details' in c && 'metadata' in c) grpcCode = c.code;
    if (c.retriable === true) retriable = true;
    if (typeof c.serverReason === 'string') texts.push(c.serverReason);
    texts.push(errorMessage(cur));
  }
  return { grpcCode, text: texts.join(' | '), retriable };
}

const GRPC = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, CANCELLED: 1 } as const;

/** Words of a channel that could not connect at all: the request was never written. */
const NOT_CONNECTED =
  /no connection established|ECONNREFUSED|connection refused|failed to connect|name resolution failed|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|channel.*(shut ?down|closed)/i;
/** gRPC's own words (Go: "grpc: received message larger than max"; C++/JS: "Received message larger than max"). */
const TOO_LARGE = /message larger than max|message too large|(message|request) (size )?(is )?too large|message (size|length) exceeds/i;
const RATE_LIMITED = /rate ?limit|too many requests|quota exceeded|deny to write|memory quota|RateLimit/i;
const NOT_READY =
  /not ready|NotReadyServe|server (is )?(stopping|restarting|initializing|starting)|is not healthy|service unavailable|node not found|no available (shard|node)/i;

export function classifyFailure(e: unknown): FailureKind {
  if (e instanceof MilvusdmError && e.code === 'MDM_ABORTED') return 'permanent';
  const { grpcCode, text, retriable } = factsOf(e);
  if (TOO_LARGE.test(text)) return 'too-large';
  if (RATE_LIMITED.test(text)) return 'refused-for-now';
  if (grpcCode === GRPC.UNAVAILABLE) return NOT_CONNECTED.test(text) ? 'not-sent' : 'lost-in-flight';
  if (grpcCode === GRPC.DEADLINE_EXCEEDED) return 'timeout';
  if (retriable || NOT_READY.test(text)) return 'refused-for-now';
  if (grpcCode === GRPC.RESOURCE_EXHAUSTED) return 'refused-for-now';
  return 'permanent';
}

/** Whether a call may be repeated after this kind of failure. */
export function mayRetry(kind: FailureKind, idempotent: boolean): boolean {
  if (kind === 'not-sent' || kind === 'refused-for-now') return true;
  if (kind === 'lost-in-flight' || kind === 'timeout') return idempotent;
  return false;
}

export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  /** First delay; each later one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Defaults: 6 retries, 0.5 s doubling to at most 8 s, "full jitter" (a random delay between
 * zero and the cap, so clients that failed together do not come back together). The worst
 * case waits about 0.5+1+2+4+8+8 = 23.5 s — long enough for a Milvus Lite or a standalone
 * server to restart, short enough that a server that is gone is reported within half a minute.
 */
export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseDelayMs: 500, maxDelayMs: 8000 };

/** The delay before retry number `attempt` (0-based): uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(random() * cap);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((ok, fail) => {
    if (signal?.aborted) return fail(abortError(signal));
    const onAbort = () => {
      clearTimeout(timer);
      fail(abortError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      ok();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortError(signal: AbortSignal): MilvusdmError {
  return new MilvusdmError('MDM_ABORTED', `stopped: ${errorMessage(signal.reason ?? 'interrupted')}`);
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  /** Whether repeating the call cannot change the outcome (reads, checks). */
  readonly idempotent: boolean;
  readonly signal?: AbortSignal | undefined;
  /** Told before each wait, e.g. to log "retrying in 2.1 s". */
  readonly onRetry?: (failure: unknown, kind: FailureKind, attempt: number, delayMs: number) => void;
}

/**
 * Runs `call`, repeating it with exponential backoff and jitter while its failures are
 * transient and repeating is safe; the last failure is thrown as it is otherwise.
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const kind = classifyFailure(e);
      if (attempt >= policy.retries || options.signal?.aborted || !mayRetry(kind, options.idempotent)) throw e;
      const delay = backoffDelay(policy, attempt);
      options.onRetry?.(e, kind, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
