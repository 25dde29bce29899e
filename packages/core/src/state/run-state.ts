/**
 * The resume state of one job: per dataset, what is durably written (the reader's cursor of the
 * last committed batch, rows committed) and the writer's token. One small JSON file, replaced
 * atomically (temporary file, fsync, rename, fsync of the folder), so a kill -9 or a power cut
 * leaves either the old state or the new one, never a torn file.
 *
 * Writes are synchronous: when the runner decides to record, the hook returns only once the state
 * is on disk. It records about once a second and at least every `recordEveryRows` rows, so
 * fsync costs little and the rows a crash can leave unrecorded stay bounded.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { MilvusdmError, errorMessage } from '../errors.js';
import { writeFullySync } from '../io/write-fully.js';

export const STATE_VERSION = 1;

export interface DatasetState {
  /** writing: begun, maybe partly written; done: every row written; skipped: the mode skipped it. */
  status: 'writing' | 'done' | 'skipped';
  /** The writer's resume token, as returned by `begin`. */
  token?: unknown;
  /** Cursor of the last committed batch that carried one (where reading resumes). */
  cursor?: unknown;
  /** Rows of the source up to `cursor`. */
  rowsAtCursor: number;
  /**
   * Source rows up to `cursor`: `rowsAtCursor` plus the rows the run's screen skipped there
   * (on_invalid: skip, duplicates, existing_keys: skip). Absent in states of older versions.
   */
  sourceRowsAtCursor?: number;
  /** Rows committed in all (at least rowsAtCursor: slices of the next batch may be committed too). */
  rows: number;
  skipped?: string;
}

export interface RunState {
  version: number;
  /** sha256 of the job file's text (or of the job spec when there is no file). */
  jobHash: string;
  /** The output folder name of a legacy M2H run, reused so a resumed run continues the same files. */
  runId?: string;
  /** What the source looked like when the run started. */
  fingerprint: unknown;
  /**
   * The state is saved at least every this many committed rows (and at most about once a
   * second otherwise): commits beyond what it records can reach at most this far.
   */
  recordEveryRows: number;
  startedAt: string;
  updatedAt: string;
  /**
   * Set when every dataset is written. The caller removes the state once it has reported the
   * result; a run killed in between leaves a finished state, and the same job run again then
   * finds everything done instead of a target it would take for someone else's.
   */
  finishedAt?: string;
  datasets: Record<string, DatasetState>;
}

/** The state at `path`, or undefined when there is none. An unreadable state is an error, not a fresh start. */
export function readRunState(path: string): RunState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MilvusdmError('MDM_RESUME', `${path}: cannot read the resume state (${errorMessage(e)})`);
  }
  let state: RunState;
  try {
    state = JSON.parse(text) as RunState;
  } catch (e) {
    throw new MilvusdmError('MDM_RESUME', `${path}: the resume state is not valid JSON (${errorMessage(e)})`, {
      hint: 'Run again with --restart to start over (delete what the interrupted run wrote, or use mode: overwrite).',
    });
  }
  if (state?.version !== STATE_VERSION || typeof state.datasets !== 'object' || state.datasets === null) {
    throw new MilvusdmError('MDM_RESUME', `${path}: not a milvusdm resume state of version ${STATE_VERSION}`, {
      hint: 'Run again with --restart to start over.',
    });
  }
  return state;
}

/** Replaces the state file atomically and durably. */
export function writeRunState(path: string, state: RunState): void {
  const temp = `${path}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFullySync(fd, Buffer.from(JSON.stringify(state)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncFolder(dirname(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' ? 'permission denied' : errorMessage(e);
    throw new MilvusdmError('MDM_RESUME', `${path}: cannot write the resume state (${why})`, {
      cause: e,
      hint: 'Set run.state_dir to a writable folder with free space; what is written so far stays resumable.',
    });
  }
}

/** Makes a rename durable; folders cannot be fsynced on every platform, which only weakens power-cut safety. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (e.g. Windows); the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function removeRunState(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.tmp`, { force: true });
}
