/** Running the Python reference tools (h5py, pymilvus, faiss) that tests check our output against. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pythonToolsDir, venvPython } from './paths.js';
import { runProcess, type ProcessResult } from './run-process.js';

export type PythonResult = ProcessResult;

export function runPythonRaw(script: string, args: readonly string[], timeoutMs = 600_000): Promise<PythonResult> {
  if (!existsSync(venvPython)) throw new Error(`${venvPython} is missing: run scripts/setup-python.sh`);
  const path = script.includes('/') ? script : join(pythonToolsDir, script);
  return runProcess(venvPython, [path, ...args], { timeoutMs });
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
