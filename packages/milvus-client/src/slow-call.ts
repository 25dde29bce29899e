/**
 * A call that takes long is said so while it waits: a server that is busy (building an index,
 * flushing, or serving other clients) can take minutes to answer within the call's deadline,
 * and a run that prints nothing for that long looks hung, to a user and in a test's log alike.
 */
import type { Logger } from '@milvusdm/core';

/** How long a call runs before the first notice, and between notices. */
export const SLOW_CALL_NOTICE_MS = 30_000;

/**
 * Starts the notices for one call; the returned function stops them (call it when the call
 * settles). The timer does not hold the process open.
 */
export function noticeSlowCall(
  logger: Logger,
  what: string,
  server: string,
  deadlineMs: number,
  everyMs = SLOW_CALL_NOTICE_MS,
): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    const waited = Math.round((Date.now() - started) / 1000);
    logger.info(
      `still waiting for ${server} to answer: ${what} (${waited} s so far; the call's deadline is ${Math.round(deadlineMs / 1000)} s)`,
    );
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
