/**
 * How many insert requests may be in flight at once. A fixed number, or (`concurrency: auto`) a
 * window that follows the server by how fast it acknowledges requests:
 *
 * - Each round (`ROUND_ACKS` acknowledgements, at least as many as the window allows requests)
 *   gives a rate: rows acknowledged per second of the clock, from the end of the round before.
 *   The clock, not the acknowledgement times: a client that shares its cores with the server
 *   slows the server by sending more, which only the clock shows.
 * - One more request in flight is kept only while it raises that rate by a tenth over one fewer.
 *   A server across a slow link (Zilliz Cloud from another region) acknowledges after the same
 *   wait however many requests are in flight, so the rate grows with the window; a server that
 *   is the limit (one on this machine) only makes each request wait longer, so the rate stays
 *   flat and the window goes back.
 * - A window that settled tries, every `REPROBE_ROUNDS` rounds and by turns, one more and one
 *   fewer, so a server or link whose pace changes is followed.
 *
 * Acknowledgement times alone (TCP Vegas's rule) cannot tell the two cases apart: a queue that is
 * always there looks like a long link. Never under two: one request at a time leaves the server
 * idle while the next is encoded.
 */

/** Upper bound of an adaptive window; also what a resumed run assumes was in flight (resume-plan.ts). */
export const AUTO_CONCURRENCY_MAX = 8;
/** Where an adaptive window starts, and its lower bound. */
const AUTO_LEAST = 2;
/** Gain in rate that is worth one more request in flight. */
const WORTH_ONE_MORE = 1.1;
/** Rounds at a settled window before a neighbour is tried. */
const REPROBE_ROUNDS = 8;
/** Acknowledgements a round holds at least: one insert's pace varies a lot on its own. */
const ROUND_ACKS = 6;

export type Concurrency = number | 'auto';

/** What the current window is being measured for. */
type Phase = 'growing' | 'shrinking' | 'settled';

export class SendWindow {
  private current: number;
  /** The rate last measured at each window size (rows acknowledged per ms). */
  private readonly rates = new Map<number, number>();
  private phase: Phase = 'growing';
  private roundStart: number | undefined;
  private roundRows = 0;
  private roundAcks = 0;
  private settledRounds = 0;
  private lastProbe: 'up' | 'down' = 'up';
  /** Acknowledgements received at each window size: where the window spent the run. */
  private readonly acksAt = new Map<number, number>();

  constructor(private readonly setting: Concurrency) {
    this.current = setting === 'auto' ? AUTO_LEAST : setting;
  }

  /** Requests that may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** Most requests this window can ever have in flight. */
  get most(): number {
    return this.setting === 'auto' ? AUTO_CONCURRENCY_MAX : this.setting;
  }

  /** A request of `rows` rows was acknowledged at `now` (ms, performance.now()'s clock). */
  acknowledged(rows: number, now: number = performance.now()): void {
    if (this.setting !== 'auto' || !Number.isFinite(now)) return;
    this.acksAt.set(this.current, (this.acksAt.get(this.current) ?? 0) + 1);
    // Rounds are timed from one acknowledgement to another: the first one only starts the clock
    // (before it the pipe was filling, which says nothing of the pace).
    if (this.roundStart === undefined) {
      this.roundStart = now;
      return;
    }
    this.roundRows += rows;
    if (++this.roundAcks < Math.max(ROUND_ACKS, this.current)) return;
    const n = this.current;
    this.rates.set(n, this.roundRows / Math.max(1e-3, now - this.roundStart));
    this.roundStart = now;
    this.roundRows = 0;
    this.roundAcks = 0;
    this.step(n);
  }

  /** For the log: `2–5 requests (mostly 4)`, or undefined for a fixed window or none sent. */
  describe(): string | undefined {
    if (this.setting !== 'auto' || this.acksAt.size === 0) return undefined;
    const sizes = [...this.acksAt.keys()];
    const mostly = [...this.acksAt].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    const least = Math.min(...sizes);
    const most = Math.max(...sizes);
    return `${least === most ? least : `${least}–${most}`} requests in flight (mostly ${mostly})`;
  }

  private step(n: number): void {
    const pays = (bigger: number) => {
      const big = this.rates.get(bigger);
      const small = this.rates.get(bigger - 1);
      return big !== undefined && (small === undefined || big >= small * WORTH_ONE_MORE);
    };
    const go = (to: number, phase: Phase) => {
      this.current = to;
      this.phase = phase;
      this.settledRounds = 0;
    };
    if (this.phase === 'growing') {
      if (!pays(n)) return go(n - 1, 'settled');
      return n < AUTO_CONCURRENCY_MAX ? go(n + 1, 'growing') : go(n, 'settled');
    }
    if (this.phase === 'shrinking') {
      if (pays(n + 1)) return go(n + 1, 'settled');
      return n > AUTO_LEAST ? go(n - 1, 'shrinking') : go(n, 'settled');
    }
    if (++this.settledRounds < REPROBE_ROUNDS) return;
    const up = n < AUTO_CONCURRENCY_MAX && (this.lastProbe === 'down' || n <= AUTO_LEAST);
    if (up || n > AUTO_LEAST) {
      this.lastProbe = up ? 'up' : 'down';
      return up ? go(n + 1, 'growing') : go(n - 1, 'shrinking');
    }
    this.settledRounds = 0;
  }
}

/** Bounds the resume plan: at most this many requests of the interrupted run were in flight. */
export function mostInFlight(setting: Concurrency): number {
  return new SendWindow(setting).most;
}
