import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@milvusdm/core';
import { SlowCallWatch } from '../src/slow-call.js';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

describe('calls that take long', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are said so every 30 s while one waits, naming the call, the server and the deadline; no more once answered', () => {
    const logger = recordingLogger();
    const watch = new SlowCallWatch(logger, '127.0.0.1:19530');
    const stop = watch.start('flush "c"', 120_000);
    vi.advanceTimersByTime(29_000);
    expect(logger.lines).toEqual([]);
    vi.advanceTimersByTime(31_000);
    expect(logger.lines).toEqual([
      `still waiting for 127.0.0.1:19530 to answer: flush "c" (30 s so far; the call's deadline is 120 s)`,
      `still waiting for 127.0.0.1:19530 to answer: flush "c" (60 s so far; the call's deadline is 120 s)`,
    ]);
    stop();
    vi.advanceTimersByTime(120_000);
    expect(logger.lines).toHaveLength(2);
  });

  it('are one line for the connection, naming the oldest and counting the others', () => {
    const logger = recordingLogger();
    const watch = new SlowCallWatch(logger, 'milvus:19530');
    const stops = [watch.start('load "c"', 600_000)];
    vi.advanceTimersByTime(10_000);
    for (let i = 0; i < 16; i++) stops.push(watch.start('insert into "c"', 120_000));
    vi.advanceTimersByTime(20_000);
    expect(logger.lines).toEqual([
      `still waiting for milvus:19530 to answer: load "c" (30 s so far; the call's deadline is 600 s), and 16 other calls`,
    ]);
    stops[0]!();
    vi.advanceTimersByTime(30_000);
    expect(logger.lines.at(-1)).toBe(
      `still waiting for milvus:19530 to answer: insert into "c" (50 s so far; the call's deadline is 120 s), and 15 other calls`,
    );
  });

  it('say nothing of calls that answer in time, and leave no timer behind', () => {
    const logger = recordingLogger();
    const watch = new SlowCallWatch(logger, 'lite');
    for (let i = 0; i < 100; i++) watch.start('list collections', 120_000)();
    vi.advanceTimersByTime(600_000);
    expect(logger.lines).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
