/**
 * Shows a run's progress: on a terminal, one line redrawn in place (rows, rate, ETA); when the
 * output is a file or pipe, a line every few seconds; in --json mode, one JSON object per event.
 */
import type { RunEvent } from '@milvusdm/core';
import type { ConsoleMode } from './logging.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function bar(fraction: number, width = 24): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}

export class ProgressView {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly mode: ConsoleMode,
    private readonly stream: NodeJS.WriteStream,
    private readonly writeJson: (event: Record<string, unknown>) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  handle(event: RunEvent): void {
    if (this.mode === 'json') {
      if (event.type === 'progress') {
        const t = this.now();
        if (t - this.lastDraw < 1000) return;
        this.lastDraw = t;
      }
      this.writeJson(toJson(event));
      return;
    }
    if (this.mode === 'quiet') return;
    if (event.type === 'progress') {
      const t = this.now();
      // Redraw at most 10 times a second on a terminal, every 5 s elsewhere.
      if (t - this.lastDraw < (this.tty ? 100 : 5000)) return;
      this.lastDraw = t;
      const s = event.overall;
      const total = s.totalRows;
      const head =
        total !== undefined
          ? `${bar(total === 0 ? 1 : s.rows / total)} ${integer.format(s.rows)}/${integer.format(total)} rows`
          : `${integer.format(s.rows)} rows`;
      const line = `${head}  ${integer.format(s.rate)} rows/s  ${s.etaSeconds !== undefined ? `ETA ${formatDuration(s.etaSeconds)}` : `elapsed ${formatDuration(s.elapsedSeconds)}`}`;
      if (this.tty) {
        this.stream.write(`\r${line}\x1b[K`);
        this.drawn = true;
      } else this.stream.write(`${line}\n`);
    } else if (event.type === 'dataset-done' || event.type === 'done') {
      this.clear();
    }
  }

  /** Removes the in-place line so a log message starts on a clean line. */
  clear(): void {
    if (this.drawn) {
      this.stream.write('\r\x1b[K');
      this.drawn = false;
    }
  }
}

function toJson(event: RunEvent): Record<string, unknown> {
  switch (event.type) {
    case 'plan':
      return {
        event: 'plan',
        datasets: event.datasets.map((d) => ({ key: d.key, origin: d.origin, rows: d.rows })),
        total_rows: event.totalRows,
      };
    case 'dataset-start':
      return { event: 'dataset-start', key: event.dataset.key, origin: event.dataset.origin, index: event.index, count: event.count };
    case 'dataset-skip':
      return { event: 'dataset-skip', key: event.dataset.key, reason: event.reason };
    case 'progress':
      return {
        event: 'progress',
        key: event.dataset.key,
        rows: event.overall.rows,
        total_rows: event.overall.totalRows,
        rate: Math.round(event.overall.rate),
        eta_seconds: event.overall.etaSeconds === undefined ? null : Math.round(event.overall.etaSeconds),
      };
    case 'dataset-done':
      return { event: 'dataset-done', key: event.dataset.key, rows: event.rows, seconds: event.seconds };
    case 'done':
      return { event: 'done', rows: event.summary.rows, seconds: event.summary.seconds, datasets: event.summary.datasets };
  }
}
