import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@milvusdm/core';
import { noticeSlowCall } from '../src/slow-call.js';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug() {}, info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

describe('a call that takes long', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is announced every 30 s while it waits, naming the call, the server and the deadline, and no more once stopped', () => {
    vi.useFakeTimers();
    const logger = recordingLogger();
    const stop = noticeSlowCall(logger, 'flush "c"', '127.0.0.1:19530', 120_000);
    vi.advanceTimersByTime(29_999);
    expect(logger.lines).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(30_000);
    expect(logger.lines).toEqual([
      `still waiting for 127.0.0.1:19530 to answer: flush "c" (30 s so far; the call's deadline is 120 s)`,
      `still waiting for 127.0.0.1:19530 to answer: flush "c" (60 s so far; the call's deadline is 120 s)`,
    ]);
    stop();
    vi.advanceTimersByTime(120_000);
    expect(logger.lines).toHaveLength(2);
  });

  it('says nothing of a call that answers in time', () => {
    vi.useFakeTimers();
    const logger = recordingLogger();
    noticeSlowCall(logger, 'list collections', 'lite', 120_000)();
    vi.advanceTimersByTime(600_000);
    expect(logger.lines).toEqual([]);
  });
});
