import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileLock,
  MilvusdmError,
  OutputLocks,
  type ChannelContext,
  type DatasetWriter,
  type ColumnBatch,
  type WriteHooks,
} from '../src/index.js';

function lockPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'milvusdm-lock-')), 'out.h5.lock');
}

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

function warnings(): { warn: (m: string) => void; said: string[] } {
  const said: string[] = [];
  return { warn: (m) => said.push(m), said };
}

function refusal(fn: () => unknown): MilvusdmError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MilvusdmError);
    return e as MilvusdmError;
  }
  throw new Error('expected a refusal');
}

/** Sets the file's mtime `seconds` ago. */
function age(path: string, seconds: number): void {
  const t = new Date(Date.now() - seconds * 1000);
  utimesSync(path, t, t);
}

describe('FileLock', () => {
  it('is held by one run at a time: a second is refused, naming the holder and the file to delete', () => {
    const path = lockPath();
    const lock = FileLock.acquire(path, { what: 'writing /out/a.h5' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    const e = refusal(() => FileLock.acquire(path, { what: 'writing /out/a.h5' }));
    expect(e.code).toBe('MDM_LOCKED');
    expect(e.message).toMatch(
      new RegExp(
        `^another milvusdm run is writing /out/a.h5 \\(pid ${process.pid} on this host, started \\d{4}-\\d\\d-\\d\\dT[^)]+\\); this run was refused before writing$`,
      ),
    );
    expect(e.hint).toContain(`delete ${path}`);
    lock.release();
    expect(existsSync(path)).toBe(false);
    FileLock.acquire(path, { what: 'x' }).release();
  });

  it('is taken over, with a warning, when its holder on this host is no longer running', () => {
    const path = lockPath();
    const pid = deadPid();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
    const logger = warnings();
    const lock = FileLock.acquire(path, { what: 'x', logger });
    expect(logger.said).toEqual([`taking over the lock ${path}: its run (pid ${pid} on this host) is no longer running`]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('is taken over when its holder was killed but not yet reaped (a zombie)', async () => {
    if (!existsSync('/proc/self/stat')) return;
    const path = lockPath();
    // The child is killed; its parent (this process) does not reap it until the exit is handled.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    const pid = child.pid as number;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
      expect(refusal(() => FileLock.acquire(path, { what: 'x' })).code).toBe('MDM_LOCKED');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    // Wait for the zombie state without letting the event loop reap it.
    const until = Date.now() + 5000;
    while (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ') && Date.now() < until) spawnSync('sleep', ['0.02']);
    const logger = warnings();
    FileLock.acquire(path, { what: 'x', logger }).release();
    expect(logger.said).toEqual([`taking over the lock ${path}: its run (pid ${pid} on this host) is no longer running`]);
    await exited;
  });

  it('is taken over when its pid now belongs to another process (start tick differs)', () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', processStart: '1' }));
    const logger = warnings();
    if (!existsSync('/proc/self/stat')) {
      // No /proc: the pid alone decides, and it is alive.
      expect(refusal(() => FileLock.acquire(path, { what: 'x', logger })).code).toBe('MDM_LOCKED');
      return;
    }
    FileLock.acquire(path, { what: 'x', logger }).release();
    expect(logger.said).toEqual([`taking over the lock ${path}: pid ${process.pid} is now another process`]);
  });

  it('from another host: refused while its heartbeat is fresh, taken over once older than the stale timeout', () => {
    const path = lockPath();
    writeFileSync(path, JSON.stringify({ pid: 4242, host: 'elsewhere.example', started: '2026-01-01T00:00:00.000Z' }));
    const e = refusal(() => FileLock.acquire(path, { what: 'writing /out/a.h5', staleSeconds: 60 }));
    expect(e.message).toContain('(pid 4242 on elsewhere.example, started 2026-01-01T00:00:00.000Z)');
    expect(e.hint).toContain('taken over after 60 s without a heartbeat');
    age(path, 50);
    expect(refusal(() => FileLock.acquire(path, { what: 'x', staleSeconds: 60 })).code).toBe('MDM_LOCKED');
    age(path, 90);
    const logger = warnings();
    FileLock.acquire(path, { what: 'x', staleSeconds: 60, logger }).release();
    expect(logger.said).toEqual([`taking over the lock ${path}: its run (pid 4242 on elsewhere.example) has not renewed it for 90 s`]);
  });

  it('that names no holder (its run died before writing it) is refused while new, taken over after a few seconds', () => {
    const path = lockPath();
    writeFileSync(path, '');
    expect(refusal(() => FileLock.acquire(path, { what: 'x' })).message).toContain('(a holder its lock file does not name)');
    age(path, 10);
    const logger = warnings();
    FileLock.acquire(path, { what: 'x', logger }).release();
    expect(logger.said).toEqual([`taking over the lock ${path}: its lock file names no holder`]);
  });

  it('release leaves a lock that is no longer this process’s (taken over meanwhile)', () => {
    const path = lockPath();
    const lock = FileLock.acquire(path, { what: 'x' });
    const theirs = JSON.stringify({ pid: 4242, host: 'elsewhere.example', started: '2026-01-01T00:00:00.000Z' });
    writeFileSync(path, theirs);
    lock.release();
    expect(readFileSync(path, 'utf8')).toBe(theirs);
  });

  it('release never throws (it runs on every way out of a run): a lock file it cannot read is left to go stale', () => {
    const path = lockPath();
    const lock = FileLock.acquire(path, { what: 'x' });
    rmSync(path);
    mkdirSync(path); // reading it now fails (EISDIR)
    expect(() => lock.release()).not.toThrow();
    expect(existsSync(path)).toBe(true);
  });

  it('renews its heartbeat (the mtime) while held', async () => {
    const path = lockPath();
    // A 4 s stale timeout: a beat every second.
    const lock = FileLock.acquire(path, { what: 'x', staleSeconds: 4 });
    age(path, 100);
    const before = statSync(path).mtimeMs;
    await new Promise((r) => setTimeout(r, 1300));
    expect(statSync(path).mtimeMs).toBeGreaterThan(before + 90_000);
    lock.release();
  });

  it('whose folder cannot be made is one line naming the folder, as a writer names it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'milvusdm-lock-')), 'a-file');
    writeFileSync(file, '');
    const e = refusal(() => FileLock.acquire(join(file, 'sub', 'x.lock'), { what: 'x' }));
    expect(e.code).toBe('MDM_IO');
    expect(e.message).toBe(`cannot write ${file}/sub: a part of the path is not a folder`);
  });
});

describe('OutputLocks', () => {
  const context = (run?: ChannelContext['run']): ChannelContext => ({
    signal: new AbortController().signal,
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    baseDir: '/',
    redact: () => {},
    ...(run ? { run } : {}),
  });
  const hooks: WriteHooks = { committed: () => {} };
  async function* none(): AsyncIterable<ColumnBatch> {}

  it('holds `<output>.lock` from begin to the end of the write, failed or not', async () => {
    const output = lockPath().replace(/\.lock$/, '');
    // As a run gives it: with its settings (the lock on by default).
    const locks = new OutputLocks(context({ batchRows: 100 } as ChannelContext['run']));
    const writer = (fail: boolean): DatasetWriter => ({
      write: async () => {
        expect(existsSync(`${output}.lock`)).toBe(true);
        if (fail) throw new Error('write failed');
        return { rows: 0 };
      },
    });
    const ok = (await locks.guard(output, async () => writer(false))) as DatasetWriter;
    expect(existsSync(`${output}.lock`)).toBe(true);
    // Another run (here: another guard of the same process) is refused while it is held.
    await expect(new OutputLocks(context()).guard(output, async () => writer(false))).rejects.toMatchObject({ code: 'MDM_LOCKED' });
    await ok.write(none(), hooks);
    expect(existsSync(`${output}.lock`)).toBe(false);
    const failing = (await locks.guard(output, async () => writer(true))) as DatasetWriter;
    await expect(failing.write(none(), hooks)).rejects.toThrow('write failed');
    expect(existsSync(`${output}.lock`)).toBe(false);
  });

  it('releases at once when the dataset is skipped or the writer cannot be opened, and on releaseAll', async () => {
    const output = lockPath().replace(/\.lock$/, '');
    const locks = new OutputLocks(context());
    expect(await locks.guard(output, async () => ({ skipped: 'exists' }))).toEqual({ skipped: 'exists' });
    expect(existsSync(`${output}.lock`)).toBe(false);
    await expect(
      locks.guard(output, async () => {
        throw new Error('cannot open');
      }),
    ).rejects.toThrow('cannot open');
    expect(existsSync(`${output}.lock`)).toBe(false);
    await locks.guard(output, async () => ({ write: async () => ({ rows: 0 }) }));
    expect(existsSync(`${output}.lock`)).toBe(true);
    locks.releaseAll();
    expect(existsSync(`${output}.lock`)).toBe(false);
  });

  it('takes no lock with run: {lock: false}', async () => {
    const output = lockPath().replace(/\.lock$/, '');
    await new OutputLocks(context({ batchRows: 100, lock: false } as ChannelContext['run'])).guard(output, async () => ({
      write: async () => ({ rows: 0 }),
    }));
    expect(existsSync(`${output}.lock`)).toBe(false);
  });
});
