import { describe, expect, it } from 'vitest';
import type { DatasetInfo, RunEvent } from '@milvusdm/core';
import { ProgressView, formatDuration } from '../src/progress-view.js';

function fakeStream(tty: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: tty, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

const dataset = { key: 'c/_default', collection: 'c', schema: { fields: [] }, origin: 'x' } as DatasetInfo;
const progress = (rows: number, rate: number, eta?: number): RunEvent => ({
  type: 'progress',
  dataset,
  overall: { rows, totalRows: 1000, rate, etaSeconds: eta, elapsedSeconds: 1 },
});

describe('ProgressView', () => {
  it('redraws one line in place on a terminal: bar, rows, rate, ETA', () => {
    let now = 0;
    const { writes, stream } = fakeStream(true);
    const view = new ProgressView(
      'human',
      stream,
      () => {},
      () => now,
    );
    view.handle(progress(250, 5000, 0.15));
    now += 50;
    view.handle(progress(300, 5000, 0.14)); // throttled: under 100 ms
    now += 100;
    view.handle(progress(500, 5000, 65));
    expect(writes).toEqual([
      '\r[######..................] 250/1,000 rows  5,000 rows/s  ETA 0s\x1b[K',
      '\r[############............] 500/1,000 rows  5,000 rows/s  ETA 1m05s\x1b[K',
    ]);
    view.clear();
    expect(writes.at(-1)).toBe('\r\x1b[K');
  });

  it('prints whole lines, at most every 5 s, when the output is not a terminal', () => {
    let now = 0;
    const { writes, stream } = fakeStream(false);
    const view = new ProgressView(
      'human',
      stream,
      () => {},
      () => now,
    );
    view.handle(progress(100, 10));
    now += 1000;
    view.handle(progress(200, 10));
    now += 5000;
    view.handle(progress(300, 10, 70));
    expect(writes).toHaveLength(2);
    expect(writes[1]).toMatch(/300\/1,000 rows {2}10 rows\/s {2}ETA 1m10s\n$/);
  });

  it('emits JSON events, progress at most once a second', () => {
    let now = 0;
    const events: Record<string, unknown>[] = [];
    const view = new ProgressView(
      'json',
      fakeStream(false).stream,
      (e) => events.push(e),
      () => now,
    );
    view.handle(progress(100, 10, 90));
    view.handle(progress(200, 10, 80));
    now += 1000;
    view.handle(progress(300, 10, 70));
    expect(events).toEqual([
      { event: 'progress', key: 'c/_default', rows: 100, total_rows: 1000, rate: 10, eta_seconds: 90 },
      { event: 'progress', key: 'c/_default', rows: 300, total_rows: 1000, rate: 10, eta_seconds: 70 },
    ]);
  });

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(65), formatDuration(3725), formatDuration(Infinity)]).toEqual(['5s', '1m05s', '1h02m', '?']);
  });
});
