/** Where a job's state lives, and the hash that ties a state to the job's content. */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';

/** One state file per job file, named after it and the hash of its absolute path. */
export function stateFileFor(stateDir: string, jobFile: string): string {
  const path = resolve(jobFile);
  const stem = basename(path)
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, 60);
  const id = createHash('sha256').update(path).digest('hex').slice(0, 12);
  return join(stateDir, `${stem}-${id}.state.json`);
}

/** sha256 of the job's text: any edit of the job makes its state foreign. */
export function jobHashOf(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
