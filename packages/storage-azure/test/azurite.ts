/**
 * A real Azure Blob Storage service for the tests: Azurite, Microsoft's own emulator (npm's
 * `azurite`, a devDependency of this package), started on a free port with its data in a temporary
 * folder and the emulator's well-known account, which checks every request's Shared Key signature.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { freePort, tempDir } from '@milvusdm/testing';

/** Azurite's account, documented by Microsoft and the same in every copy of the emulator. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** The blob service URL of the account: http://127.0.0.1:PORT/devstoreaccount1. */
  readonly accountUrl: string;
  readonly log: string;
  stop(): Promise<void>;
}

function open(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startAzurite(): Promise<Azurite> {
  const require = createRequire(import.meta.url);
  const bin = join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  const dir = tempDir('azurite-');
  const port = await freePort();
  const log = join(dir, 'azurite.log');
  const fd = openSync(log, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [
      bin,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      dir,
      // The SDK may be newer than the emulator's list of service versions.
      '--skipApiVersionCheck',
      '--silent',
      '--disableTelemetry',
    ],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  const deadline = Date.now() + 60_000;
  while (!(await open(port))) {
    if (child.exitCode !== null) throw new Error(`Azurite exited (${child.exitCode}); see ${log}`);
    if (Date.now() > deadline) throw new Error(`Azurite did not open its port in 60 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    accountUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      // A process ended by a signal has no exit code, only a signal code.
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}
