/**
 * Vitest global set-up of the integration project: starts the Milvus servers once for all test
 * files and hands their addresses to the tests (`inject('milvusLiteUri')`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { MilvusConnection } from '@milvusdm/milvus-client';
import { silentLogger } from '@milvusdm/core';
import { existsSync } from 'node:fs';
import { milvusLite25Bin } from './paths.js';
import { startMilvus23, startMilvusLite, startMilvusLite25, type RunningServer } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    milvusLiteUri: string;
    /** Empty when MILVUSDM_SKIP_MILVUS23=1 (local runs only; CI always starts it). */
    milvus23Uri: string;
    /** Credentials of the Milvus 2.3 server (authentication is on), as `user:password`. */
    milvus23Token: string;
    /** Milvus Lite 2.5.1 (float16, bfloat16, sparse vectors); empty when `.venv-lite25` is not set up. */
    milvusLite25Uri: string;
  }
}

/** A server is ready when it answers a call, not when its port opens. */
async function waitUntilAnswering(server: RunningServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const context = { signal: new AbortController().signal, logger: silentLogger, baseDir: process.cwd(), redact() {} };
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const conn = await MilvusConnection.open(
        { uri: server.uri, timeout: 10, ...(server.token ? { token: server.token } : {}) },
        context,
        'test',
      );
      await conn.close();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`${server.name} at ${server.uri} never answered: ${String(last)}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = await mkdtemp(join(tmpdir(), 'milvusdm-servers-'));
  const skip23 = process.env['MILVUSDM_SKIP_MILVUS23'] === '1';
  const started: RunningServer[] = [];
  try {
    const [lite, m23] = await Promise.all([
      startMilvusLite(join(base, 'lite')).then((s) => (started.push(s), s)),
      skip23 ? Promise.resolve(undefined) : startMilvus23(join(base, 'milvus23')).then((s) => (started.push(s), s)),
    ]);
    await waitUntilAnswering(lite, 120_000);
    if (m23) await waitUntilAnswering(m23, 240_000);
    project.provide('milvusLiteUri', lite.uri);
    project.provide('milvus23Uri', m23?.uri ?? '');
    project.provide('milvus23Token', m23?.token ?? '');
    // Light (one process, no etcd); started whenever its venv exists, which scripts/setup-python.sh makes.
    const lite25 = existsSync(milvusLite25Bin)
      ? await startMilvusLite25(join(base, 'lite25')).then((s) => (started.push(s), s))
      : undefined;
    if (lite25) await waitUntilAnswering(lite25, 120_000);
    project.provide('milvusLite25Uri', lite25?.uri ?? '');
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return async () => {
    await Promise.all(started.map((s) => s.stop()));
    await rm(base, { recursive: true, force: true });
  };
}
