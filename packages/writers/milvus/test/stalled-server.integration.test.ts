/**
 * A server that stops answering for a while mid-run (a stalled VM, a long pause, a server busy
 * building indexes): the run says what it is waiting for instead of printing nothing, and
 * carries on when the server answers again, every row exact.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, runPython, seedDir, startMilvusLite, tempDir, uniqueName, writeJob, type RunningServer } from '@milvusdm/testing';

const seedFloat = join(seedDir, 'float_example.h5');

/** Resolves once `read()` matches `pattern`, or fails after `ms`. */
async function waitFor(read: () => string, pattern: RegExp, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!pattern.test(read())) {
    if (Date.now() > until) throw new Error(`not seen within ${ms / 1000} s: ${pattern}\n${read()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a server that stops answering for a while', () => {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    // A server of its own: it is paused.
    server = await startMilvusLite(tempDir('milvusdm-stall-lite-'));
  }, 120_000);
  afterAll(async () => {
    if (server?.processGroup) process.kill(-server.processGroup, 'SIGCONT');
    await server?.stop();
  });

  it('is said to be awaited (which call, how long, the deadline) and the run goes on when it answers, every row exact', async () => {
    const uri = server!.uri;
    const group = server!.processGroup!;
    const collection = uniqueName('stall');
    // 5,000 rows at 1,000 rows/s: the server is paused while rows are being written.
    const job = writeJob({
      source: { type: 'hdf5', path: seedFloat },
      target: { type: 'milvus', uri, collection },
      run: { batch_rows: 250, max_rows_per_second: 1000 },
    });
    const run = runCliProcess(['run', job, '--log-dir', tempDir()]);
    let paused = false;
    try {
      await waitFor(run.stderr, /creating AUTOINDEX index/, 60_000);
      await new Promise((r) => setTimeout(r, 1500));
      process.kill(-group, 'SIGSTOP');
      paused = true;
      await waitFor(
        run.stderr,
        new RegExp(`still waiting for 127\\.0\\.0\\.1:${server!.port} to answer: .+ \\(3\\d s so far; the call's deadline is 120 s\\)`),
        50_000,
      );
    } finally {
      if (paused) process.kill(-group, 'SIGCONT');
    }
    const exit = await run.exit;
    expect(exit.code, run.stderr()).toBe(0);
    expect(await runPython('verify_milvus.py', ['--uri', uri, '--collection', collection, '--h5', seedFloat])).toMatchObject({
      ok: true,
      counted: 5000,
    });
  });
});
