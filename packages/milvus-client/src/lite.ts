/**
 * Milvus Lite for a local `uri`: as pymilvus does for a local database, milvusdm starts a
 * `milvus-lite server` on the folder for the length of the run and stops it afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { MilvusdmError, type Logger } from '@milvusdm/core';

export interface LiteServer {
  readonly address: string;
  readonly dataDir: string;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'Install Milvus Lite (pip install milvus-lite pymilvus) so that `milvus-lite` is on PATH, ' +
  'or set MILVUSDM_MILVUS_LITE to its path; or give a server address such as http://127.0.0.1:19530.';

/** The `milvus-lite` executable: $MILVUSDM_MILVUS_LITE, then PATH, then a .venv above the working directory. */
export function findMilvusLite(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | undefined {
  const explicit = env['MILVUSDM_MILVUS_LITE'];
  if (explicit) return existsSync(explicit) ? explicit : undefined;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'milvus-lite'))) return join(dir, 'milvus-lite');
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const candidate = join(dir, '.venv', 'bin', 'milvus-lite');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => ok(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      ok(true);
    });
    socket.once('error', () => ok(false));
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      ok();
    });
    // Milvus Lite ignores SIGINT when it runs in the background; SIGTERM stops it cleanly.
    child.kill('SIGTERM');
  });
}

/**
 * Why a Milvus Lite folder cannot be used, before anything is started: a source folder must
 * exist (reading an empty new database would be a silent "0 rows"); a target folder is
 * created, but only inside a folder that exists (a typo in a parent should not grow a tree).
 */
function folderProblem(dataDir: string, purpose: 'read' | 'write'): string | undefined {
  const isDir = (p: string) => {
    try {
      return statSync(p).isDirectory();
    } catch {
      return undefined;
    }
  };
  const here = isDir(dataDir);
  if (here === false) return `${dataDir} is a file, not a Milvus Lite folder`;
  if (here) return undefined;
  if (purpose === 'read') return `the Milvus Lite folder ${dataDir} does not exist`;
  if (!isDir(dirname(dataDir))) return `cannot create the Milvus Lite folder ${dataDir}: ${dirname(dataDir)} does not exist`;
  return undefined;
}

export async function startMilvusLite(
  dataDir: string,
  logger: Logger,
  what: string,
  timeoutMs = 120_000,
  purpose: 'read' | 'write' = 'write',
): Promise<LiteServer> {
  const problem = folderProblem(dataDir, purpose);
  if (problem) {
    throw new MilvusdmError('MDM_CONFIG', `${what}: ${problem}`, {
      exitCode: 2,
      hint: 'A uri without a scheme is a local folder for Milvus Lite; a server address looks like http://host:19530.',
    });
  }
  const command = findMilvusLite();
  if (!command) {
    throw new MilvusdmError('MDM_CONNECT', `${what} is a local folder (${dataDir}) and Milvus Lite is not installed`, {
      hint: INSTALL_HINT,
    });
  }
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  logger.info(`starting Milvus Lite on ${dataDir} (127.0.0.1:${port})`);
  // Its own process group, so a Ctrl-C in the terminal reaches us first and we stop it in order.
  const child = spawn(command, ['server', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      process.off('exit', killOnExit);
      const last = output.trim().split('\n').slice(-3).join(' | ');
      throw new MilvusdmError('MDM_CONNECT', `Milvus Lite on ${dataDir} exited at start (${child.exitCode ?? child.signalCode}): ${last}`);
    }
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      await stopChild(child, 5000);
      process.off('exit', killOnExit);
      throw new MilvusdmError('MDM_CONNECT', `Milvus Lite on ${dataDir} did not start listening within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${port}`,
    dataDir,
    async stop() {
      await stopChild(child, 15_000);
      process.off('exit', killOnExit);
      logger.debug(`Milvus Lite on ${dataDir} stopped`);
    },
  };
}
