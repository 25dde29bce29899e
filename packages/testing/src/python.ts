/** Running the Python reference tools (h5py, pymilvus, faiss) that tests check our output against. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pythonToolsDir, venvPython } from './paths.js';
import { PythonForkServer } from './python-fork-server.js';
import { runProcess, type ProcessResult } from './run-process.js';

export type PythonResult = ProcessResult;

const forkServers = new Map<string, PythonForkServer>();

/** `python`'s fork server in this process (python-fork-server.ts), started again if it stopped; none when turned off. */
function pythonForkServer(python: string): PythonForkServer | undefined {
  if (process.env['MILVUSDM_TEST_PYTHON_FORK'] === '0') return undefined;
  let server = forkServers.get(python);
  if (!server?.usable) {
    server = new PythonForkServer(python, join(pythonToolsDir, 'fork_server.py'));
    forkServers.set(python, server);
  }
  return server;
}

/** Runs `script` (a tool's file name, or a path) with `python` (the main venv's by default), as `python script args` would. */
export function runPythonWith(python: string, script: string, args: readonly string[], timeoutMs = 600_000): Promise<PythonResult> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run scripts/setup-python.sh`);
  const path = resolve(script.includes('/') ? script : join(pythonToolsDir, script));
  const server = pythonForkServer(python);
  return server ? server.run(path, args, timeoutMs) : runProcess(python, [path, ...args], { timeoutMs });
}

export function runPythonRaw(script: string, args: readonly string[], timeoutMs = 600_000): Promise<PythonResult> {
  return runPythonWith(venvPython, script, args, timeoutMs);
}

/** Runs a tool that prints one JSON document; fails the test with its stderr otherwise. */
export async function runPython<T = Record<string, unknown>>(script: string, args: readonly string[], timeoutMs?: number): Promise<T> {
  const r = await runPythonRaw(script, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${script} printed no JSON:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
}
