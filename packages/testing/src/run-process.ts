/** Runs a program to completion and collects what it printed. */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number; uid?: number; gid?: number },
): Promise<ProcessResult> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Past its time the program is stopped as Ctrl-C would (SIGTERM), then killed if it still
    // does not exit; what it printed is kept, with a line saying so, for the failing test to show.
    let timedOut = false;
    const killer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    }, options.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(killer);
      fail(e);
    });
    child.once('close', (code) => {
      clearTimeout(killer);
      if (timedOut) stderr += `\n[runProcess: ${command} did not exit within ${options.timeoutMs / 1000} s and was stopped]\n`;
      ok({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** How long a program stopped for taking too long has to exit before it is killed. */
const KILL_GRACE_MS = 15_000;
