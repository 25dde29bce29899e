/**
 * Errors with stable codes. The CLI prints `code: message` and the hint, and maps the error to
 * an exit code: 2 for a bad job file or usage, 1 for a run that failed.
 *
 * Check errors by `code`, not `instanceof`: a third-party plugin may bundle its own copy of core.
 */

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

/** Every code milvusdm raises, with what it means. Codes never change once published. */
export const ERROR_CODES = {
  MDM_CONFIG: 'The job file or a command-line option is invalid.',
  MDM_JOB_FILE: 'The job file cannot be read or parsed.',
  MDM_PLUGIN_NOT_FOUND: 'No installed plugin provides the requested channel type.',
  MDM_PLUGIN_LOAD: 'A plugin package was found but could not be loaded.',
  MDM_PLUGIN_INVALID: 'A plugin package does not export a valid milvusdm plugin.',
  MDM_SOURCE: 'The source could not be read (missing, truncated or malformed input).',
  MDM_SCHEMA_MISMATCH: 'The source does not fit the target (dimension, vector type, fields).',
  MDM_TARGET: 'The target refused an operation or did not do what was asked.',
  MDM_CONNECT: 'A server could not be reached or refused the credentials.',
  MDM_BATCH_INVALID: 'A reader produced a batch that does not match its own schema (a plugin bug).',
  MDM_ABORTED: 'The run was interrupted.',
  MDM_UNSUPPORTED: 'The input uses a feature milvusdm does not support.',
  MDM_VERIFY: 'What was written does not match what was read.',
  MDM_INTERNAL: 'Something milvusdm did not foresee failed (a bug: please report it with the log file).',
  MDM_IO: 'A local file or folder could not be read or written (permissions, missing folder, full disk).',
  MDM_INVALID_DATA: 'A source value the target cannot store (NaN, infinity, too long, a duplicate or existing key).',
  MDM_LOCKED: 'Another run is writing the same target.',
  MDM_RESUME: 'An interrupted run cannot be resumed as it is (the job, the source or the target changed since).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorOptions {
  readonly hint?: string | undefined;
  readonly exitCode?: number | undefined;
  readonly cause?: unknown;
}

export class MilvusdmError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? (code === 'MDM_CONFIG' || code === 'MDM_JOB_FILE' ? EXIT_USAGE : EXIT_RUN_FAILED);
  }
}

/** A bad job file, bad option or bad usage: exit code 2. */
export class ConfigError extends MilvusdmError {
  constructor(message: string, options: Omit<ErrorOptions, 'exitCode'> = {}) {
    super('MDM_CONFIG', message, { ...options, exitCode: EXIT_USAGE });
  }
}

export function isMilvusdmError(e: unknown): e is MilvusdmError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (e as { code: string }).code.startsWith('MDM_') &&
    typeof (e as { exitCode?: unknown }).exitCode === 'number'
  );
}

/** What a Node system error's code means, in words (the code alone, `EACCES`, tells a user little). */
const SYSTEM_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  EIO: 'input/output error',
  EFBIG: 'file too large for the file system',
};

/** A system error code in words (`ENOSPC` → "no space left on the device"); the code itself when it has none. */
export function systemReason(code: string): string {
  return SYSTEM_REASONS[code] ?? code;
}

/** Calls that change the file system: a failure there is "cannot write". */
const WRITE_CALLS = new Set([
  'mkdir',
  'write',
  'rename',
  'unlink',
  'rmdir',
  'rm',
  'copyfile',
  'symlink',
  'link',
  'ftruncate',
  'truncate',
  'fsync',
  'chmod',
  'utime',
  'mkdtemp',
]);
const READ_CALLS = new Set(['read', 'stat', 'lstat', 'fstat', 'scandir', 'readdir', 'access', 'readlink', 'realpath']);

export interface SystemErrorLike {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;
}

/** `e` as a Node system error (code, syscall, path), or undefined when it is not one. */
export function systemError(e: unknown): SystemErrorLike | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const s = e as { code?: unknown; syscall?: unknown; errno?: unknown };
  if (typeof s.code === 'string' && /^E[A-Z]+$/.test(s.code) && (typeof s.syscall === 'string' || typeof s.errno === 'number'))
    return e as SystemErrorLike;
  return undefined;
}

/**
 * `cannot write /out/x.h5: permission denied` for a Node file-system error, or undefined for
 * anything else. An `open` may be for reading or writing; it is named as such.
 */
export function describeSystemError(e: unknown): string | undefined {
  const s = systemError(e);
  if (!s) return undefined;
  const reason = SYSTEM_REASONS[s.code] ?? s.code;
  const call = s.syscall ?? '';
  const verb = WRITE_CALLS.has(call)
    ? 'cannot write'
    : READ_CALLS.has(call)
      ? 'cannot read'
      : call === 'open'
        ? 'cannot open'
        : `${call || 'file operation'} failed on`;
  if (!s.path) return `${call ? `${call}: ` : ''}${reason}`;
  return `${verb} ${s.path}${s.dest ? ` (to ${s.dest})` : ''}: ${reason}`;
}

/** The one line of a status object as servers and SDKs send them: `{code, reason}`, `{details}`, … */
function describeObject(o: Record<string, unknown>): string {
  for (const key of ['reason', 'details', 'detail', 'message', 'error', 'msg', 'status']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'object' && v !== null) return describeObject(v as Record<string, unknown>);
  }
  const code = o['error_code'] ?? o['code'];
  if (code !== undefined) return `error code ${String(code)} without a reason`;
  try {
    const json = JSON.stringify(o, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    return json && json !== '{}' ? json : 'an error without a message';
  } catch {
    return 'an error without a message';
  }
}

/**
 * The message of anything thrown, without its stack, on one line: Error messages, Node
 * file-system errors in words, and the status objects the Milvus SDK throws (never
 * `[object Object]`).
 */
export function errorMessage(e: unknown): string {
  let text: string;
  const system = describeSystemError(e);
  if (system) text = system;
  else if (e instanceof Error) {
    // gRPC errors carry the server's own words in `details`; `message` prefixes a status code.
    const details = (e as { details?: unknown }).details;
    text = typeof details === 'string' && details.trim() ? details : e.message || e.name;
  } else if (typeof e === 'object' && e !== null) text = describeObject(e as Record<string, unknown>);
  else text = String(e);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Any thrown value as a MilvusdmError: known ones as they are, file-system errors as MDM_IO with
 * the path and reason in words, anything else as MDM_INTERNAL with its message (a bug, exit 1).
 */
export function asMilvusdmError(e: unknown): MilvusdmError {
  if (isMilvusdmError(e)) return e;
  if (describeSystemError(e)) return new MilvusdmError('MDM_IO', errorMessage(e), { cause: e });
  return new MilvusdmError('MDM_INTERNAL', errorMessage(e), { cause: e });
}
