/**
 * A defect of one segment's files. Thrown by the file checks and turned, by whoever knows the
 * collection and segment, into one line naming them (or into an `inspect` finding).
 */
export class FileProblem extends Error {
  constructor(
    /** The file or folder at fault. */
    readonly path: string,
    /** What is wrong, without the path: "is missing", "is short: …". */
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
    this.name = 'FileProblem';
  }
}

export function isFileProblem(e: unknown): e is FileProblem {
  return e instanceof FileProblem;
}

/** A FileProblem for an fs error: missing files say so, anything else keeps the system's words. */
export function fsProblem(path: string, e: unknown): FileProblem {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new FileProblem(path, 'is missing');
  if (code === 'EACCES' || code === 'EPERM') return new FileProblem(path, 'cannot be read (permission denied)');
  if (code === 'EISDIR') return new FileProblem(path, 'is a folder, not a file');
  return new FileProblem(path, `cannot be read (${code ?? (e as Error).message})`);
}
