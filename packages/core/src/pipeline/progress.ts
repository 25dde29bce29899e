/**
 * Counts rows as they are committed and derives a rate and an ETA from a sliding window,
 * so one slow batch at the start does not distort the estimate for the whole run.
 */
export interface ProgressSnapshot {
  readonly rows: number;
  readonly totalRows: number | undefined;
  /** Rows per second over the recent window. */
  readonly rate: number;
  /** Seconds left at the current rate, when the total is known. */
  readonly etaSeconds: number | undefined;
  readonly elapsedSeconds: number;
}

export class ProgressTracker {
  private rows = 0;
  private readonly started: number;
  private readonly samples: { t: number; rows: number }[] = [];

  constructor(
    private totalRows: number | undefined,
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
    this.samples.push({ t: this.started, rows: 0 });
  }

  setTotal(total: number | undefined): void {
    this.totalRows = total;
  }

  add(rows: number): void {
    this.rows += rows;
    const t = this.now();
    this.samples.push({ t, rows: this.rows });
    while (this.samples.length > 2 && t - this.samples[1]!.t > this.windowMs) this.samples.shift();
  }

  snapshot(): ProgressSnapshot {
    const t = this.now();
    const first = this.samples[0]!;
    const span = (t - first.t) / 1000;
    const rate = span > 0 ? (this.rows - first.rows) / span : 0;
    const left = this.totalRows === undefined ? undefined : Math.max(0, this.totalRows - this.rows);
    return {
      rows: this.rows,
      totalRows: this.totalRows,
      rate,
      etaSeconds: left === undefined || rate <= 0 ? undefined : left / rate,
      elapsedSeconds: (t - this.started) / 1000,
    };
  }
}
