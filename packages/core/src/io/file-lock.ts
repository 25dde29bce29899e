/**
 * A lock file that says "this process is writing X", so that two runs never write the same
 * output file, or run the same job, at once. Without it the second of two runs took the first's
 * `.partial` output for an interrupted run's and wrote into it: the first reported every row
 * written over a file that held fewer.
 *
 * The file is created with O_EXCL, so exactly one of two runs creates it, and names its holder
 * (pid, host, start time, and on Linux the process's start tick, which tells a reused pid from
 * the holder). A lock left by a run that died (kill -9, a power cut) is taken over, with a
 * warning: on the same host once its process is gone; from another host (a shared folder) once
 * its heartbeat — the file's mtime, renewed while it is held — is older than the stale timeout.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { MilvusdmError, errorMessage, systemError, systemReason } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeFullySync } from './write-fully.js';

/** Who holds a lock, as its file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot), where there is one. */
  readonly processStart?: string;
}

export interface FileLockOptions {
  /** What the holder is doing, for messages: `running the job /jobs/a.yaml`, `writing /out/c/_default.h5`. */
  readonly what: string;
  /** A holder on another host whose heartbeat is older than this is taken for gone. Default 600. */
  readonly staleSeconds?: number;
  /** Told when a stale lock is taken over. */
  readonly logger?: Pick<Logger, 'warn'>;
}

const DEFAULT_STALE_SECONDS = 600;
/** A lock file that names no holder (its run died between creating and writing it) is stale after this. */
const UNNAMED_STALE_MS = 5_000;

export class FileLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    readonly path: string,
    private readonly text: string,
    heartbeatMs: number,
    /** The first folder the lock created for itself, removed again on release if left empty. */
    private readonly createdDir: string | undefined,
  ) {
    this.timer = setInterval(() => this.beat(), heartbeatMs);
    this.timer.unref();
  }

  /** Takes the lock at `path` or throws MDM_LOCKED naming its holder. */
  static acquire(path: string, options: FileLockOptions): FileLock {
    const staleSeconds = options.staleSeconds ?? DEFAULT_STALE_SECONDS;
    const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), ...processStartOf('self') };
    const text = JSON.stringify(me);
    let seen: SeenLock | undefined;
    // A few rounds: a lock can be released, or taken over by a third run, between two steps.
    for (let attempt = 0; attempt < 4; attempt++) {
      const created = tryCreate(path, text);
      if (created) return new FileLock(path, text, Math.max(1_000, Math.min(60_000, (staleSeconds * 1000) / 4)), created.dir);
      seen = readLock(path);
      if (!seen) continue;
      const stale = staleness(seen, staleSeconds);
      if (!stale) break;
      // Removed only if it is still the lock judged stale: a run that took it over meanwhile keeps it.
      if (readLock(path)?.text !== seen.text) continue;
      options.logger?.warn(`taking over the lock ${path}: ${stale}`);
      rmSync(path, { force: true });
    }
    const who = seen?.holder ? describeHolder(seen.holder) : 'a holder its lock file does not name';
    throw new MilvusdmError('MDM_LOCKED', `another milvusdm run is ${options.what} (${who}); this run was refused before writing`, {
      hint: `Wait for it to finish. If no such run is alive, delete ${path} (a lock from another host is taken over after ${staleSeconds} s without a heartbeat).`,
    });
  }

  /**
   * Removes the lock file if it is still this process's. Never throws: it runs on every way out
   * of a run, and must not hide why the run stopped (a lock it cannot remove goes stale).
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      if (readLock(this.path)?.text === this.text) rmSync(this.path, { force: true });
    } catch {
      return;
    }
    // A run refused or failed before writing leaves no folder behind that only its lock needed.
    if (this.createdDir) {
      for (let dir = dirname(this.path); dir.length >= this.createdDir.length; dir = dirname(dir)) {
        try {
          rmdirSync(dir);
        } catch {
          break; // not empty (the output is there), or gone
        }
      }
    }
  }

  /** Renews the heartbeat (the mtime); best effort: a missed beat only ages the lock. */
  private beat(): void {
    const now = new Date();
    try {
      utimesSync(this.path, now, now);
    } catch {
      // Removed or unreachable: nothing to renew.
    }
  }
}

/** Creates the lock file holding `text` (and the first folder it had to create); undefined when one exists. */
function tryCreate(path: string, text: string): { dir: string | undefined } | undefined {
  let fd: number;
  let dir: string | undefined;
  try {
    dir = mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    // Named as any writer names a folder it cannot make: the first one missing, which is the one
    // refused (Node's error names the deepest one asked for).
    const code = systemError(e)?.code;
    throw new MilvusdmError('MDM_IO', `cannot write ${firstMissing(dirname(path))}: ${code ? systemReason(code) : errorMessage(e)}`, {
      cause: e,
    });
  }
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw lockFailure(path, e);
  }
  try {
    writeFullySync(fd, Buffer.from(text));
  } catch (e) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw lockFailure(path, e);
  }
  closeSync(fd);
  return { dir };
}

/** The outermost folder of `dir` that does not exist (`dir` itself when its parent does). */
function firstMissing(dir: string): string {
  let d = dir;
  while (dirname(d) !== d && !existsSync(dirname(d))) d = dirname(d);
  return d;
}

function lockFailure(path: string, e: unknown): MilvusdmError {
  const code = systemError(e)?.code;
  return new MilvusdmError('MDM_IO', `cannot create the lock file ${path}: ${code ? systemReason(code) : errorMessage(e)}`, { cause: e });
}

interface SeenLock {
  readonly text: string;
  readonly holder: LockHolder | undefined;
  readonly mtimeMs: number;
}

function readLock(path: string): SeenLock | undefined {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    const text = readFileSync(path, 'utf8');
    return { text, holder: parseHolder(text), mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MilvusdmError('MDM_IO', `cannot read the lock file ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const h = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(h.pid) || typeof h.host !== 'string' || typeof h.started !== 'string') return undefined;
    return {
      pid: h.pid as number,
      host: h.host,
      started: h.started,
      ...(typeof h.processStart === 'string' ? { processStart: h.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host === hostname() ? 'this host' : h.host}, started ${h.started}`;
}

/** Why the lock seen is stale, or undefined when its holder may be alive. */
function staleness(seen: SeenLock, staleSeconds: number, now = Date.now()): string | undefined {
  const { holder } = seen;
  if (!holder) return now - seen.mtimeMs > UNNAMED_STALE_MS ? 'its lock file names no holder' : undefined;
  if (holder.host === hostname()) {
    if (!processAlive(holder.pid)) return `its run (pid ${holder.pid} on this host) is no longer running`;
    const start = processStartOf(String(holder.pid)).processStart;
    if (holder.processStart !== undefined && start !== undefined && start !== holder.processStart)
      return `pid ${holder.pid} is now another process`;
    return undefined;
  }
  const age = (now - seen.mtimeMs) / 1000;
  return age > staleSeconds ? `its run (pid ${holder.pid} on ${holder.host}) has not renewed it for ${Math.round(age)} s` : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, but another user's.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (killed, not yet reaped by its parent) still answers kill(0), but runs nothing.
  return procStat(String(pid))?.[0] !== 'Z';
}

/** The process's start tick from /proc (Linux); nothing elsewhere. */
function processStartOf(pid: string): { processStart?: string } {
  const start = procStat(pid)?.[22 - 3];
  return start ? { processStart: start } : {};
}

/** Fields 3 and on of /proc/<pid>/stat (state first), or undefined without /proc. */
function procStat(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name before them is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}
