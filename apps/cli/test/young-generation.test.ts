/**
 * The young generation held at its cap (src/young-generation.ts): the setting read from the
 * environment, and — in fresh Node processes, since what is checked is V8's own sizing — that
 * the young generation stops growing at the cap with it and grows past it without.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { youngGenerationCap } from '../src/young-generation.js';

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const moduleUrl = pathToFileURL(join(cliDir, 'dist', 'young-generation.js')).href;

/**
 * Allocates like a pipeline that keeps a few batches of objects alive for a while (so V8 grows
 * its young generation), yielding between rounds so the observer runs; prints the largest size
 * the young generation reached and the size at which it was capped.
 */
function largestYoungGeneration(capMiB: number, workerAtRound = -1): { largest: number; cappedAt: number | null } {
  const script = `
    const { Worker } = await import('node:worker_threads');
    const { capYoungGeneration, youngGenerationBytes } = await import(${JSON.stringify(moduleUrl)});
    let cappedAt = null;
    capYoungGeneration(${capMiB} ? ${capMiB} * 2 ** 20 : undefined, (bytes) => { cappedAt = bytes; });
    const live = [];
    let largest = 0;
    for (let round = 0; round < 400; round++) {
      // A worker thread (its isolate resets V8's flags) started part way, as the key worker is.
      if (round === ${workerAtRound}) new Worker('setTimeout(() => {}, 200)', { eval: true }).unref();
      const batch = [];
      for (let i = 0; i < 2000; i++) batch.push({ round, i, text: 'row ' + i });
      live.push(batch);
      if (live.length > 20) live.shift();
      largest = Math.max(largest, youngGenerationBytes());
      await new Promise((ok) => setImmediate(ok));
    }
    console.log(JSON.stringify({ largest, cappedAt }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
}

describe('the young generation kept small', () => {
  it('reads MILVUSDM_YOUNG_GENERATION_MIB: 4 MiB by default, 0 for V8’s own sizing, refuses nonsense', () => {
    expect(youngGenerationCap({}, [])).toBe(4 * 2 ** 20);
    expect(youngGenerationCap({ MILVUSDM_YOUNG_GENERATION_MIB: '' }, [])).toBe(4 * 2 ** 20);
    expect(youngGenerationCap({ MILVUSDM_YOUNG_GENERATION_MIB: '8' })).toBe(8 * 2 ** 20);
    expect(youngGenerationCap({ MILVUSDM_YOUNG_GENERATION_MIB: '0' })).toBeUndefined();
    expect(() => youngGenerationCap({ MILVUSDM_YOUNG_GENERATION_MIB: 'lots' })).toThrow(
      /^MILVUSDM_YOUNG_GENERATION_MIB: expected a number of MiB/,
    );
    expect(() => youngGenerationCap({ MILVUSDM_YOUNG_GENERATION_MIB: '-1' })).toThrow(/MILVUSDM_YOUNG_GENERATION_MIB/);
    // A size given to Node itself wins.
    expect(youngGenerationCap({}, ['--max-semi-space-size=32'])).toBeUndefined();
    expect(youngGenerationCap({ NODE_OPTIONS: '--max_semi_space_size=8' }, [])).toBeUndefined();
    expect(youngGenerationCap({ NODE_OPTIONS: '--max-old-space-size=4096' }, [])).toBe(4 * 2 ** 20);
  });

  it('stops growing at the cap, and grows past it without one', () => {
    const free = largestYoungGeneration(0);
    const capped = largestYoungGeneration(4);
    expect(free.cappedAt).toBeNull();
    expect(free.largest).toBeGreaterThan(8 * 2 ** 20);
    expect(capped.cappedAt).not.toBeNull();
    expect(capped.cappedAt!).toBeGreaterThanOrEqual(4 * 2 ** 20);
    // The observer runs after a collection, so one more doubling may slip in before it does.
    expect(capped.largest).toBeLessThanOrEqual(2 * capped.cappedAt!);
    expect(capped.largest).toBeLessThan(free.largest);
  });

  it('holds the cap after a worker thread starts (making its isolate resets V8’s flags)', () => {
    const capped = largestYoungGeneration(4, 150);
    expect(capped.cappedAt).not.toBeNull();
    expect(capped.largest).toBeLessThanOrEqual(2 * capped.cappedAt!);
  });

  it('a bad setting is one line and exit code 2 from the CLI', () => {
    const r = spawnSync(process.execPath, [join(cliDir, 'dist', 'bin.js'), 'plugins'], {
      encoding: 'utf8',
      env: { ...process.env, MILVUSDM_YOUNG_GENERATION_MIB: 'lots' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error MDM_CONFIG: MILVUSDM_YOUNG_GENERATION_MIB: expected a number of MiB (0 for V8\'s own sizing), got "lots"',
    );
  });
});
