/**
 * The Python reference tools run with pymilvus 2.5 (the `.venv-lite25` venv): the client that
 * writes and reads float16, bfloat16 and sparse vectors on Milvus Lite 2.5.1.
 */
import { lite25Python } from './paths.js';
import { runPythonWith } from './python.js';

export async function runLite25Python<T = Record<string, unknown>>(
  script: string,
  args: readonly string[],
  timeoutMs = 600_000,
): Promise<T> {
  const r = await runPythonWith(lite25Python, script, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.code}):\n${r.stderr.slice(-3000)}`);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`${script} printed no JSON:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  }
}
