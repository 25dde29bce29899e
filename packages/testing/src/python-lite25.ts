/**
 * The Python reference tools run with pymilvus 2.5 (the `.venv-lite25` venv): the client that
 * writes and reads float16, bfloat16 and sparse vectors on Milvus Lite 2.5.1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lite25Python, pythonToolsDir } from './paths.js';
import { runProcess } from './run-process.js';

export async function runLite25Python<T = Record<string, unknown>>(
  script: string,
  args: readonly string[],
  timeoutMs = 600_000,
): Promise<T> {
  if (!existsSync(lite25Python)) throw new Error(`${lite25Python} is missing: run scripts/setup-python.sh`);
  const r = await runProcess(lite25Python, [join(pythonToolsDir, script), ...args], { timeoutMs });
  if (r.code !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${script} printed no JSON:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
}
