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
    // Stopped before the test's own limit (600 s), so that a run that hangs fails the test with
    // what it printed rather than with a bare timeout.
    timeoutMs: options.timeoutMs ?? 540_000,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
}
