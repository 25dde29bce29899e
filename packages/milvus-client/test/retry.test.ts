import { describe, expect, it } from 'vitest';
import { MilvusdmError } from '@milvusdm/core';
import { DEFAULT_RETRY, backoffDelay, classifyFailure, mayRetry, withRetry } from '../src/retry.js';
import { ServerRefusal } from '../src/status.js';
import { uriProblem } from '../src/connection-options.js';

/** The shape grpc-js gives a failed call: an Error with code, details and metadata. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('classifying failures', () => {
  it('tells a request that never left from one lost in flight', () => {
    expect(classifyFailure(grpcError(14, 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:19530'))).toBe('not-sent');
    expect(classifyFailure(grpcError(14, 'Connection dropped'))).toBe('lost-in-flight');
    expect(classifyFailure(grpcError(14, 'read ECONNRESET'))).toBe('lost-in-flight');
    expect(classifyFailure(grpcError(4, 'Deadline exceeded after 120.001s'))).toBe('timeout');
  });
  it('looks through the wrapping error to the gRPC cause', () => {
    const wrapped = new MilvusdmError('MDM_CONNECT', 'cannot reach Milvus', { cause: grpcError(14, 'No connection established') });
    expect(classifyFailure(wrapped)).toBe('not-sent');
  });
  it('sees "message too large" in gRPC and server words', () => {
    expect(classifyFailure(grpcError(8, 'grpc: received message larger than max (70000000 vs. 67108864)'))).toBe('too-large');
    expect(classifyFailure(grpcError(8, 'Received message larger than max (5000000 vs. 4194304)'))).toBe('too-large');
  });
  it('treats rate limits and "not ready" answers as refused for now, and other refusals as final', () => {
    expect(classifyFailure(new ServerRefusal('MDM_TARGET', 'insert', { code: 8, reason: 'rate limit exceeded[rate=1000]' }))).toBe(
      'refused-for-now',
    );
    expect(classifyFailure(new ServerRefusal('MDM_TARGET', 'insert', { code: 1, reason: 'proxy not healthy', retriable: true }))).toBe(
      'refused-for-now',
    );
    expect(
      classifyFailure(
        new ServerRefusal('MDM_TARGET', 'insert', { code: 1100, reason: 'the length (70) of varchar field exceeds max length (64)' }),
      ),
    ).toBe('permanent');
    // Milvus status codes are not gRPC codes: status code 14 is "request limit", not UNAVAILABLE.
    expect(classifyFailure({ error_code: 'UnexpectedError', code: 14, reason: 'collection not found[collection=x]' })).toBe('permanent');
  });
  it('repeats an insert only when it provably was not applied', () => {
    expect(mayRetry('not-sent', false)).toBe(true);
    expect(mayRetry('refused-for-now', false)).toBe(true);
    expect(mayRetry('lost-in-flight', false)).toBe(false);
    expect(mayRetry('timeout', false)).toBe(false);
    expect(mayRetry('lost-in-flight', true)).toBe(true);
    expect(mayRetry('permanent', true)).toBe(false);
  });
});

describe('backoff', () => {
  it('doubles its cap up to the maximum, with jitter below the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(DEFAULT_RETRY, a, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelay(DEFAULT_RETRY, 3, () => 0)).toBe(0);
    expect(backoffDelay(DEFAULT_RETRY, 3, () => 0.5)).toBe(2000);
  });
  it('retries passing failures, gives up after the limit, and never repeats a lost insert', async () => {
    const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw grpcError(14, 'No connection established');
        return 'ok';
      },
      { idempotent: false, policy },
    );
    expect([value, calls]).toEqual(['ok', 3]);

    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw grpcError(14, 'No connection established');
        },
        { idempotent: true, policy },
      ),
    ).rejects.toThrow(/No connection established/);
    expect(calls).toBe(4);

    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw grpcError(14, 'Connection dropped');
        },
        { idempotent: false, policy },
      ),
    ).rejects.toThrow(/Connection dropped/);
    expect(calls).toBe(1);
  });
  it('stops waiting at once when aborted', async () => {
    const controller = new AbortController();
    const p = withRetry(
      async () => {
        throw grpcError(14, 'No connection established');
      },
      { idempotent: true, policy: { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 }, signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 10);
    await expect(p).rejects.toMatchObject({ code: 'MDM_ABORTED' });
  });
});

describe('uri schemes', () => {
  it('accepts what milvusdm speaks and names the scheme it does not', () => {
    for (const ok of ['http://h:1', 'https://h', 'grpc://h:1', 'grpcs://h', 'tcp://h:1', 'file:///x', 'h:19530', './milvus', '/srv/m'])
      expect(uriProblem(ok)).toBeUndefined();
    expect(uriProblem('ftp://h:21')).toMatch(/unsupported scheme "ftp:\/\/"/);
    expect(uriProblem('s3://bucket/x')).toMatch(/unsupported scheme "s3:\/\/"/);
  });
});
