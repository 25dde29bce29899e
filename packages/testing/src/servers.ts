/**
 * Real Milvus-protocol servers for the tests: Milvus Lite 3 (pip milvus-lite) and Milvus 2.3
 * standalone (pip milvus, embedded etcd). Each runs in its own process group so stopping it
 * also stops the server binary the Python launcher starts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { freePort } from '@milvusdm/milvus-client';
import { join } from 'node:path';
import { milvus23Bin, milvusLite25Bin, milvusLite25Lib, milvusLiteBin } from './paths.js';

export interface RunningServer {
  readonly name: string;
  /** `http://127.0.0.1:PORT` */
  readonly uri: string;
  readonly port: number;
  /** `user:password` when the server checks credentials. */
  readonly token?: string;
  /** The server's process group (its launcher and what it starts): for tests that pause it. */
  readonly processGroup?: number;
  stop(): Promise<void>;
}

/** Milvus's default root credentials, as a token. */
export const MILVUS23_TOKEN = 'root:Milvus';

// One port helper for the repository: the Milvus Lite launcher's.
export { freePort };

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

async function waitForPort(child: ChildProcess, port: number, timeoutMs: number, name: string, log: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} during start-up; see ${log}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs / 1000} s; see ${log}`);
}

function stopGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((ok) => {
    const pid = child.pid!;
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      // The launcher may exit before the server it started: stop the rest of the group too.
      setTimeout(() => {
        kill('SIGKILL');
        ok();
      }, 500);
    });
    kill('SIGTERM');
  });
}

/**
 * Reports on stderr, with the end of its log, a server that exits before it was stopped: a
 * shared test server that dies takes every later test on it down with "connection refused",
 * and its log goes with the run's temporary folder. Returns what `stop` calls first.
 */
function reportUnexpectedExit(child: ChildProcess, name: string, log: string): () => void {
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    let tail: string;
    try {
      tail = readFileSync(log, 'utf8').split('\n').slice(-80).join('\n');
    } catch (e) {
      tail = `(cannot read it: ${String(e)})`;
    }
    process.stderr.write(
      `\n${name} (pid ${child.pid}) exited before it was stopped (${signal ? `signal ${signal}` : `exit code ${code}`}); the end of ${log}:\n${tail}\n`,
    );
  });
  return () => {
    stopping = true;
  };
}

function missing(bin: string): Error {
  return new Error(`${bin} is missing: run scripts/setup-python.sh (the README's test command does it)`);
}

/** Threads of a test Milvus Lite server (see startMilvusLite). */
const LITE_WORKERS = 40;

export async function startMilvusLite(dataDir: string, options: { logDir?: string } = {}): Promise<RunningServer> {
  if (!existsSync(milvusLiteBin)) throw missing(milvusLiteBin);
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  // With a separate log folder, `dataDir` itself is the data folder: how milvusdm runs Milvus
  // Lite on a local-folder uri, so a test can open the same folder independently afterwards.
  const log = join(options.logDir ?? dataDir, 'server.log');
  const fd = openSync(log, 'a');
  const data = options.logDir ? dataDir : join(dataDir, 'data');
  // Milvus Lite answers calls from a pool of 10 threads (its default), and some calls hold one
  // for minutes: a load waits for index builds, a flush or rename for pending segments. Three
  // test files share this server at a time, each with requests in flight; a larger pool keeps one
  // file's long calls from holding every other file's calls in the server's queue.
  const args = ['server', '--data-dir', data, '--host', '127.0.0.1', '--port', String(port), '--max-workers', String(LITE_WORKERS)];
  const child = spawn(milvusLiteBin, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  const expectExit = reportUnexpectedExit(child, 'Milvus Lite 3.2.2', log);
  await waitForPort(child, port, 120_000, 'Milvus Lite', log);
  return {
    name: 'Milvus Lite 3.2.2',
    uri: `http://127.0.0.1:${port}`,
    port,
    ...(child.pid !== undefined ? { processGroup: child.pid } : {}),
    stop: () => {
      expectExit();
      return stopGroup(child, 15_000);
    },
  };
}

/**
 * Milvus 2.3 standalone with embedded etcd. Every port, etcd's included, is a free one picked
 * here, so several servers (tests, benchmarks) can run side by side on one machine.
 */
export async function startMilvus23(dataDir: string): Promise<RunningServer> {
  if (!existsSync(milvus23Bin)) throw missing(milvus23Bin);
  await mkdir(dataDir, { recursive: true });
  const ports = await Promise.all(Array.from({ length: 11 }, () => freePort()));
  const [proxy, internal, root, queryCoord, queryNode, indexCoord, indexNode, dataCoord, dataNode, etcd, etcdPeer] = ports as [
    number,
    ...number[],
  ];
  const log = join(dataDir, 'server.log');
  const fd = openSync(log, 'a');
  const args = [
    '--data',
    dataDir,
    '--proxy-port',
    String(proxy),
    '--proxy-internal-port',
    String(internal),
    '--root-coord-port',
    String(root),
    '--query-coord-port',
    String(queryCoord),
    '--query-node-port',
    String(queryNode),
    '--index-coord-port',
    String(indexCoord),
    '--index-node-port',
    String(indexNode),
    '--data-coord-port',
    String(dataCoord),
    '--data-node-port',
    String(dataNode),
    '--etcd-port',
    String(etcd),
    // Authentication on, as on a production server: tests connect as root:Milvus.
    '--authorization-enabled',
    'true',
  ];
  // The embedded etcd also listens on a peer port, 2380 unless its own config file says
  // otherwise (that file then sets the client port too); Milvus reads its path from
  // ETCD_CONFIG_PATH.
  const etcdConfig = join(dataDir, 'embed-etcd.yaml');
  const peer = `http://127.0.0.1:${etcdPeer}`;
  const client = `http://127.0.0.1:${etcd}`;
  const etcdYaml = [
    `listen-client-urls: ${client}`,
    `advertise-client-urls: ${client}`,
    `listen-peer-urls: ${peer}`,
    `initial-advertise-peer-urls: ${peer}`,
    `initial-cluster: default=${peer}`,
  ];
  await writeFile(etcdConfig, etcdYaml.join('\n') + '\n');
  const env = { ...process.env, ETCD_CONFIG_PATH: etcdConfig };
  const child = spawn(milvus23Bin, args, { detached: true, stdio: ['ignore', fd, fd], env });
  const expectExit = reportUnexpectedExit(child, 'Milvus 2.3.5', log);
  await waitForPort(child, proxy, 240_000, 'Milvus 2.3', log);
  return {
    name: 'Milvus 2.3.5',
    uri: `http://127.0.0.1:${proxy}`,
    port: proxy,
    token: MILVUS23_TOKEN,
    stop: () => {
      expectExit();
      return stopGroup(child, 30_000);
    },
  };
}

/**
 * Milvus Lite 2.5.1's engine run directly as a TCP server (`milvus DB_FILE ADDRESS LOG_LEVEL`):
 * it stores float16, bfloat16, sparse and binary vectors, which Milvus Lite 3.2 refuses. It has
 * no partitions, and indexes only with FLAT (BIN_FLAT) and SPARSE_INVERTED_INDEX.
 */
export async function startMilvusLite25(dataDir: string): Promise<RunningServer> {
  if (!existsSync(milvusLite25Bin)) throw missing(milvusLite25Bin);
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const log = join(dataDir, 'server.log');
  const fd = openSync(log, 'a');
  const env = { ...process.env, LD_LIBRARY_PATH: [milvusLite25Lib, process.env['LD_LIBRARY_PATH']].filter(Boolean).join(':') };
  const child = spawn(milvusLite25Bin, [join(dataDir, 'lite25.db'), `127.0.0.1:${port}`, 'ERROR'], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env,
  });
  await waitForPort(child, port, 120_000, 'Milvus Lite 2.5', log);
  return { name: 'Milvus Lite 2.5.1', uri: `http://127.0.0.1:${port}`, port, stop: () => stopGroup(child, 15_000) };
}
