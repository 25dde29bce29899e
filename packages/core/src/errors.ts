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

/** The message of anything thrown, without its stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}
