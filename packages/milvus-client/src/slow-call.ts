/**
 * A call that takes long is said so while it waits: a server that is busy (building an index,
 * flushing, or serving other clients) can take minutes to answer within the call's deadline,
 * and a run that prints nothing for that long looks hung, to a user and in a test's log alike.
 *
 * One line for the whole connection, not one per call: a writer keeps many inserts in flight,
 * and a stalled server would otherwise get a line for each of them every time.
 */
import type { Logger } from '@milvusdm/core';

/** How long a call waits before it is said so, and how long between two such lines. */
export const SLOW_CALL_NOTICE_MS = 30_000;

interface Waiting {
  readonly what: string;
  readonly since: number;
  readonly deadlineMs: number;
}

export class SlowCallWatch {
  private readonly waiting = new Set<Waiting>();
  private timer: NodeJS.Timeout | undefined;
  private lastNotice = 0;

  constructor(
    private readonly logger: Logger,
    /** The server, as messages name it. */
    private readonly server: string,
    private readonly noticeMs = SLOW_CALL_NOTICE_MS,
  ) {}

  /** Watches one call; the returned function ends the watch (call it when the call settles). */
  start(what: string, deadlineMs: number): () => void {
    const call: Waiting = { what, since: Date.now(), deadlineMs };
    this.waiting.add(call);
    if (!this.timer) {
      // Checked several times per notice period, so a call is named soon after its 30 s.
      this.timer = setInterval(() => this.check(), Math.max(1, Math.floor(this.noticeMs / 6)));
      this.timer.unref();
    }
    return () => {
      this.waiting.delete(call);
      if (this.waiting.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private check(): void {
    const now = Date.now();
    if (now - this.lastNotice < this.noticeMs) return;
    let oldest: Waiting | undefined;
    for (const call of this.waiting) if (!oldest || call.since < oldest.since) oldest = call;
    if (!oldest || now - oldest.since < this.noticeMs) return;
    this.lastNotice = now;
    const others = this.waiting.size - 1;
    const waited = Math.round((now - oldest.since) / 1000);
    this.logger.info(
      `still waiting for ${this.server} to answer: ${oldest.what} (${waited} s so far; the call's deadline is ${Math.round(oldest.deadlineMs / 1000)} s)` +
        (others > 0 ? `, and ${others} other call${others === 1 ? '' : 's'}` : ''),
    );
  }
}
