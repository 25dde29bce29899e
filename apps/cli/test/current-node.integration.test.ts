/**
 * The CLI under a current Node LTS (24, installed into .venv by bootstrap: the machine's own Node
 * is 20), and Node's on-disk compile cache (src/compile-cache.ts): filled by a first run, used by
 * the next; under Node 20, which has no such cache, nothing is written.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBin, currentNodeBin, dumpH5, runProcess, seedDir, tempDir, writeJob } from '@milvusdm/testing';

const seedFloat = join(seedDir, 'float_example.h5');
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
const nodeHasCompileCache = major > 22 || (major === 22 && minor >= 1);

/** Each `[compile cache] …` debug line Node prints for a module, by what happened to its entry. */
function cacheEvents(stderr: string): { missing: number; accepted: number } {
  const lines = stderr.split('\n').filter((l) => l.startsWith('[compile cache]'));
  return {
    missing: lines.filter((l) => / was not initialized, initializing/.test(l)).length,
    accepted: lines.filter((l) => / was accepted, keeping/.test(l)).length,
  };
}

function h5Under(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.h5'))
    .map((f) => join(dir, f));
}

describe('the CLI under Node 24', { timeout: 240_000 }, () => {
  it('migrates the seed file bit for bit, and keeps compiled code for the next run', async () => {
    expect(existsSync(currentNodeBin), `${currentNodeBin} is missing: run bash scripts/bootstrap.sh`).toBe(true);
    const tmp = tempDir();
    const out = tempDir();
    const job = writeJob({ source: { type: 'hdf5', path: seedFloat }, target: { type: 'hdf5', dir: out, existing: 'overwrite' } });
    // Node reports each module's cache entry on stderr with this (--quiet leaves nothing else there).
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
    delete env['NODE_COMPILE_CACHE'];
    delete env['NODE_DISABLE_COMPILE_CACHE'];
    const run = () =>
      runProcess(currentNodeBin, [cliBin, 'run', job, '--quiet', '--log-dir', tempDir()], { cwd: tmp, env, timeoutMs: 120_000 });

    const first = await run();
    expect(first.code, first.stderr.slice(-2000)).toBe(0);
    // The CLI, yargs, the core, zod, the plugins, h5wasm: hundreds of modules, none cached yet.
    expect(cacheEvents(first.stderr).missing).toBeGreaterThan(100);
    expect(readdirSync(join(tmp, 'node-compile-cache')).length).toBe(1);

    const second = await run();
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    const again = cacheEvents(second.stderr);
    expect(again.accepted).toBeGreaterThan(100);
    expect(again.missing).toBeLessThan(5);

    const [written] = h5Under(out);
    expect(h5Under(out)).toHaveLength(1);
    const [source, target] = await Promise.all([dumpH5(seedFloat), dumpH5(written!)]);
    // float64 in the seed file, float32 in Milvus's layout: as numpy converts them.
    expect(Buffer.from(target.datasets['embeddings']!.raw).equals(Buffer.from(source.datasets['embeddings']!.float32!))).toBe(true);
    expect(Buffer.from(target.datasets['ids']!.int64!).equals(Buffer.from(source.datasets['ids']!.int64!))).toBe(true);
    expect(target.datasets['ids']!.shape).toEqual([5000]);
  });

  // This repository's Node (the CI's) is 20; on 22.1 and later the first case covers the cache.
  it.skipIf(nodeHasCompileCache)('runs under Node 20, which has no compile cache, and writes none', async () => {
    const tmp = tempDir();
    const r = await runProcess(process.execPath, [cliBin, 'plugins'], {
      cwd: tmp,
      env: { ...process.env, TMPDIR: tmp },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(tmp, 'node-compile-cache'))).toBe(false);
  });
});
