/**
 * The test process's client of python/fork_server.py: Python tools run as children forked from
 * one server that has imported numpy, h5py and pymilvus already, instead of a new interpreter
 * importing them each time (about a second of CPU per tool, hundreds of tools per suite).
 *
 * What a tool sees is what `python tool.py args` would give it: its own process, argv, working
 * directory and environment (this process's, at the time of the call), its exit code and output.
 * One server per test process, started at the first tool and never keeping the process alive on
 * its own. `MILVUSDM_TEST_PYTHON_FORK=0` runs every tool as a new interpreter instead.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ProcessResult } from './run-process.js';

interface Call {
  readonly out: string;
  readonly err: string;
  pid?: number;
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
  done(result: ProcessResult): void;
  failed(error: Error): void;
}

type Answer = { id: number; pid: number } | { id: number; code: number };

export class PythonForkServer {
  private readonly child: ChildProcessByStdio<Writable, Readable, null>;
  private readonly calls = new Map<number, Call>();
  private readonly scratch = mkdtempSync(join(tmpdir(), 'milvusdm-pyfork-'));
  private nextId = 1;
  private gone: Error | undefined;

  constructor(python: string, serverScript: string) {
    this.child = spawn(python, [serverScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.answered(JSON.parse(line) as Answer));
    const stop = (error: Error) => {
      this.gone ??= error;
      for (const [id, call] of this.calls) {
        this.settle(id, call);
        call.failed(new Error(`the Python fork server stopped: ${error.message}`));
      }
      rmSync(this.scratch, { recursive: true, force: true });
    };
    this.child.once('error', stop);
    // A write to a server that has just died fails with EPIPE: its exit, reported above, says why.
    this.child.stdin.on('error', () => {});
    this.child.once('exit', (code, signal) => stop(new Error(`it exited (${signal ?? code})`)));
    this.idle();
  }

  /** Whether calls can still be made (the server has not stopped). */
  get usable(): boolean {
    return this.gone === undefined;
  }

  run(script: string, args: readonly string[], timeoutMs: number): Promise<ProcessResult> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise((done, failed) => {
      const call: Call = { out: join(this.scratch, `${id}.out`), err: join(this.scratch, `${id}.err`), done, failed };
      if (this.calls.size === 0) this.busy();
      this.calls.set(id, call);
      call.timer = setTimeout(() => {
        // As spawn's `timeout` does: the tool is stopped, and its result is what it left.
        call.timedOut = true;
        if (call.pid !== undefined) process.kill(call.pid, 'SIGTERM');
      }, timeoutMs);
      const request = { id, script, args, cwd: process.cwd(), env: process.env, out: call.out, err: call.err };
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  private answered(answer: Answer): void {
    const call = this.calls.get(answer.id);
    if (!call) return;
    if ('pid' in answer) {
      call.pid = answer.pid;
      if (call.timedOut) process.kill(answer.pid, 'SIGTERM');
      return;
    }
    this.settle(answer.id, call);
    const read = (file: string) => {
      try {
        return readFileSync(file, 'utf8');
      } catch {
        return '';
      }
    };
    const result = { code: answer.code < 0 ? -1 : answer.code, stdout: read(call.out), stderr: read(call.err) };
    rmSync(call.out, { force: true });
    rmSync(call.err, { force: true });
    call.done(result);
  }

  private settle(id: number, call: Call): void {
    clearTimeout(call.timer);
    this.calls.delete(id);
    if (this.calls.size === 0) this.idle();
  }

  /** Referenced only while a tool runs: an idle server never keeps the test process alive. */
  private busy(): void {
    this.child.ref();
    (this.child.stdout as Readable & { ref?: () => void }).ref?.();
  }

  private idle(): void {
    this.child.unref();
    (this.child.stdout as Readable & { unref?: () => void }).unref?.();
    (this.child.stdin as Writable & { unref?: () => void }).unref?.();
  }
}
