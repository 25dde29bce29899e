/**
 * The source as the run found it (its fingerprint: file sizes and modification times), checked
 * again as each dataset's last batch has been read. A file rewritten or appended to while a run
 * read it gives rows of two versions, and every count could still agree; the run is stopped
 * before the dataset's stream ends, so a target that publishes at its end (HDF5, Parquet)
 * publishes nothing of it.
 */
import { MilvusdmError } from '../errors.js';
import type { ReaderSource } from '../plugin.js';
import { fingerprintChanges, fingerprintOf, type SourceFingerprint } from './fingerprint.js';

export class SourceWatch {
  private constructor(
    private readonly source: ReaderSource,
    private readonly before: SourceFingerprint,
  ) {}

  /** Undefined for a reader that gives no fingerprint (a live server checks its own counts). */
  static async start(source: ReaderSource): Promise<SourceWatch | undefined> {
    if (!source.fingerprint) return undefined;
    return new SourceWatch(source, await fingerprintOf(source));
  }

  /** Throws MDM_SOURCE naming what changed since the run opened the source. */
  async check(origin: string): Promise<void> {
    const changes = fingerprintChanges(this.before, await fingerprintOf(this.source));
    if (changes.length === 0) return;
    throw new MilvusdmError('MDM_SOURCE', `${origin}: the source changed while this run read it (${changes.join('; ')})`, {
      hint:
        'Its rows may mix the old and the new content. Run the job again once nothing writes to the source, with --restart ' +
        '(a file target published nothing of this dataset; a database target keeps what was written: use mode: overwrite).',
    });
  }
}
