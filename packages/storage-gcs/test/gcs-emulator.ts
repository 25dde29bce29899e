/**
 * A Google Cloud Storage service for the tests: PyPI's `gcp-storage-emulator` (pure Python; it
 * serves the JSON API's media, multipart and resumable uploads), in a venv of its own, `.venv-gcs`
 * at the repository root, made by scripts/setup-python.sh from tools/python/requirements-gcs.txt,
 * or here on first use. Started on a free port, in memory, with one bucket; its request log is
 * kept so that a test can count the chunks of a resumable upload.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot, tempDir } from '@milvusdm/testing';

export const emulatorBin = join(repoRoot, '.venv-gcs', 'bin', 'gcp-storage-emulator');

export function ensureEmulator(): void {
  if (existsSync(emulatorBin)) return;
  const venv = join(repoRoot, '.venv-gcs');
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', join(repoRoot, 'tools', 'python', 'requirements-gcs.txt')]],
  ] as const) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
  }
}

export interface GcsEmulator {
  readonly endpoint: string;
  /** The emulator's request log so far: one line per request. */
  requests(): string[];
  stop(): Promise<void>;
}

function open(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startGcsEmulator(bucket: string): Promise<GcsEmulator> {
  ensureEmulator();
  const dir = tempDir('gcs-emulator-');
  const port = await freePort();
  const log = join(dir, 'emulator.log');
  const fd = openSync(log, 'a');
  const child: ChildProcess = spawn(
    emulatorBin,
    ['start', '--host', '127.0.0.1', '--port', String(port), '--in-memory', '--default-bucket', bucket],
    // Its working folder is where it would keep files on disk; unbuffered so the log is current.
    { cwd: dir, detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  );
  const deadline = Date.now() + 60_000;
  while (!(await open(port))) {
    if (child.exitCode !== null) throw new Error(`gcp-storage-emulator exited (${child.exitCode}); see ${log}`);
    if (Date.now() > deadline) throw new Error(`gcp-storage-emulator did not open its port in 60 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => /^"[A-Z]+ \//.test(line)),
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
