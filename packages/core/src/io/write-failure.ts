/**
 * A failure while a writer wrote a local file, as one line that names the file: a Node system
 * error says the reason but not the file when it comes from a handle ("write: no space left on
 * the device"), and h5wasm reports HDF5's whole error stack. A full disk is what the user must
 * act on, and a resumed run recovers from it (writers keep what they committed before it).
 */
import { MilvusdmError, errorMessage, systemError, systemReason } from '../errors.js';
import { hdf5Failure } from '../formats/hdf5-errors.js';

/** System errors that more room (or a larger quota) cures. */
const OUT_OF_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * `e`, met while writing `path`, as a MilvusdmError: a system error (a Node one, or one at the
 * bottom of an HDF5 error stack) as MDM_IO naming `path`, with a hint when the disk is full;
 * anything else as MDM_TARGET with its shortest reason. MilvusdmErrors pass as they are.
 */
export function fileWriteFailure(path: string, e: unknown): MilvusdmError {
  if (e instanceof MilvusdmError) return e;
  const h5 = hdf5Failure(e);
  const code = h5 ? h5.systemCode : systemError(e)?.code;
  if (code) {
    return new MilvusdmError('MDM_IO', `cannot write ${path}: ${systemReason(code)}`, {
      cause: e,
      ...(OUT_OF_ROOM.has(code)
        ? { hint: 'Make room on that disk, then run the same command again: the rows this run wrote are kept, not written twice.' }
        : {}),
    });
  }
  return new MilvusdmError('MDM_TARGET', `${path}: ${h5?.reason ?? errorMessage(e)}`, { cause: e });
}
