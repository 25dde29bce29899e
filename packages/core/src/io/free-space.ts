/**
 * A file target checks, before it writes anything, that its folder's file system has room for
 * what the job will write: a disk that fills mid-run leaves a partial file and a run to resume,
 * while a refusal up front costs nothing. Only what is certain is counted — fixed-width columns
 * (vectors, numbers) uncompressed; strings, JSON, arrays and sparse rows as nothing — so a run
 * is refused only when even that cannot fit. When the source's row count is unknown, or the
 * file system cannot say, nothing is checked.
 */
import { statfs } from 'node:fs/promises';
import { MilvusdmError } from '../errors.js';
import { isVectorType, vectorRowBytes, type CollectionSchema, type FieldSchema } from '../schema.js';

function fieldBytes(field: FieldSchema): number {
  if (isVectorType(field.type)) return vectorRowBytes(field); // 0 for sparse rows: their size varies
  switch (field.type) {
    case 'bool':
    case 'int8':
      return 1;
    case 'int16':
      return 2;
    case 'int32':
    case 'float':
      return 4;
    case 'int64':
    case 'double':
      return 8;
    default:
      return 0; // strings, JSON, arrays: their size varies, and may be small
  }
}

/** Bytes one row of `schema` certainly takes uncompressed (auto-assigned keys are not stored by a file target). */
export function estimatedRowBytes(schema: CollectionSchema): number {
  return schema.fields.filter((f) => !f.autoId).reduce((n, f) => n + fieldBytes(f), 0);
}

/** Free bytes for an unprivileged writer in the file system holding `folder`, or undefined when it cannot be told. */
export async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const s = await statfs(folder, { bigint: true });
    return Number(s.bavail * s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Throws MDM_IO, naming the folder, the bytes needed and free, when `bytes` do not fit. `what`
 * says what would be written there, for the message.
 */
export async function ensureFreeSpace(folder: string, bytes: number, what: string): Promise<void> {
  if (!(bytes > 0)) return;
  const free = await freeBytes(folder);
  if (free === undefined) return;
  // No margin: the estimate is already what the rows certainly take, so a refusal is never a guess.
  const needed = Math.ceil(bytes);
  if (free >= needed) return;
  throw new MilvusdmError('MDM_IO', `${folder}: ${what} needs about ${formatBytes(needed)} but only ${formatBytes(free)} is free`, {
    hint: 'Free some space or choose another target folder; nothing was written.',
  });
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}
