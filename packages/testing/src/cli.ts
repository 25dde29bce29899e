/** Running the real `milvusdm` command, as a user would, and capturing what it prints. */
import { cliBin } from './paths.js';
import { runProcess, type ProcessResult } from './run-process.js';

export type CliResult = ProcessResult;

/** `uid`/`gid` run the command as another user (as root, the only way to meet "permission denied"). */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; uid?: number; gid?: number } = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [cliBin, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    timeoutMs: options.timeoutMs ?? 600_000,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
}
