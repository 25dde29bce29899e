/** Helper-collection names: what cleanup recognises, and what it must never take for its own. */
import { describe, expect, it } from 'vitest';
import { fillName, helperRunId, isMilvusdmName, lockName, parseHelperName, setAsideName, stagingName } from '../src/names.js';

describe('helper collection names', () => {
  it('round-trips staging, set-aside and lock names, for targets that contain underscores', () => {
    const run = helperRunId(new Date('2026-11-30T00:00:00Z'));
    expect(run).toMatch(/^20261130000000_[a-z0-9]{1,4}$/);
    expect(parseHelperName(stagingName('my_books', run))).toEqual({ kind: 'staging', target: 'my_books', runId: run });
    expect(parseHelperName(setAsideName('my_books', run))).toEqual({ kind: 'old', target: 'my_books', runId: run });
    expect(parseHelperName(lockName('my_books'))).toEqual({ kind: 'lock', target: 'my_books' });
    expect(parseHelperName(fillName('my_books', run))).toEqual({ kind: 'fill', target: 'my_books', runId: run });
    // Milvus names: letters, digits and _ only.
    for (const n of [stagingName('b', run), setAsideName('b', run), fillName('b', run), lockName('b')])
      expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });

  it('does not take user collections for its own', () => {
    for (const n of [
      'books',
      'books__milvusdm',
      'books_milvusdm_lock',
      '__milvusdm_lock',
      'a__milvusdm_staging_',
      'a__milvusdm_staging_x y',
    ]) {
      expect(isMilvusdmName(n), n).toBe(false);
    }
  });
});
