/**
 * h5wasm reports a failure as HDF5's whole error stack in one message — "HDF5-DIAG: Error
 * detected in HDF5 (2.0.0): #000: …/H5F.c line 821 in H5Fopen(): unable to synchronously open
 * file major: … minor: … #001: …" — a dozen frames of library internals, 2–5 kB on one line.
 * What a user needs is the last frame, where the library says what it found ("truncated file:
 * eof = 3000000, sblock->base_addr = 0, stored_eof = 10402048"), or, when a read or write of the
 * file itself failed, the system's reason ("No space left on device").
 */
import { errorMessage, systemReason } from '../errors.js';

export interface Hdf5Failure {
  /** One short phrase: the system's reason, else what HDF5's innermost frame says. */
  readonly reason: string;
  /** The system error code the reason stands for (`ENOSPC`), when it is one. */
  readonly systemCode?: string;
}

/** The C library's words for the system errors a file read or write meets (strerror). */
const STRERROR_CODES: Record<string, string> = {
  'No space left on device': 'ENOSPC',
  'Disk quota exceeded': 'EDQUOT',
  'Permission denied': 'EACCES',
  'Read-only file system': 'EROFS',
  'Input/output error': 'EIO',
  'File too large': 'EFBIG',
  'Too many open files': 'EMFILE',
};

/** The short reason of an h5wasm error, or undefined when `e` is not one (no HDF5 error stack). */
export function hdf5Failure(e: unknown): Hdf5Failure | undefined {
  const text = errorMessage(e);
  if (!text.includes('HDF5-DIAG')) return undefined;
  const system = /error message = '([^']+)'/.exec(text)?.[1];
  if (system) {
    const code = STRERROR_CODES[system];
    return code ? { reason: systemReason(code), systemCode: code } : { reason: system };
  }
  // Frames read "#NNN: <source> line N in <function>(): <what> major: <class> minor: <detail>".
  const frames = text.split(/#\d{3}: /).slice(1);
  const last = frames.at(-1);
  const what = last && /\(\): (.*?)(?: major: .*)?$/.exec(last)?.[1]?.trim();
  return { reason: what || 'the HDF5 library reported an error' };
}
