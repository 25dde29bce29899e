/**
 * How a resumed dataset finds the rows the interrupted run may have sent without seeing them
 * acknowledged. Milvus inserts are not idempotent, so those rows must be neither sent twice nor
 * dropped:
 *
 * - Targets with keys from the source: the next `upsertRows` rows go as upserts, which replace
 *   a row that landed and add one that did not. The bound is exact: the runner's state lags the
 *   acknowledged requests by less than `unrecordedRows`, and at most `concurrency` requests of at
 *   most `maxRows` rows each were in flight beyond those.
 * - Targets whose keys the server assigns (autoid): rows cannot be matched, so they are sent
 *   one request at a time (no request overtakes another), and on resume the target's count says
 *   how many of the next rows landed; those are skipped. More than one request's worth, or fewer
 *   rows than recorded, means someone else wrote there: the resume is refused.
 */
import { MilvusdmError } from '@milvusdm/core';
import type { SwapPlan } from './staging.js';

export interface MilvusResumeToken {
  readonly collection: string;
  readonly partition: string | null;
  /** Rows the collection (or partition) held before this job's first row; null when it cannot be counted. */
  readonly before: number | null;
  /** Under overwrite: `collection` is a staging collection, swapped in as this plan says once complete. */
  readonly swap?: SwapPlan | null;
}

export function tokenFrom(value: unknown, where: string): MilvusResumeToken {
  const t = value as Partial<MilvusResumeToken> | undefined;
  if (!t || typeof t.collection !== 'string' || !('before' in t)) {
    throw new MilvusdmError('MDM_RESUME', `${where}: the resume state has no record of the target collection`, {
      hint: 'Run again with --restart to start over.',
    });
  }
  return {
    collection: t.collection,
    partition: t.partition ?? null,
    before: typeof t.before === 'number' ? t.before : null,
    swap: t.swap ?? null,
  };
}

export interface ResumePlan {
  /** Rows at the start of the stream that are already stored: reported committed, not sent. */
  readonly skipRows: number;
  /** Rows after those that must go as upserts. */
  readonly upsertRows: number;
}

export function keyedResumePlan(concurrency: number, maxRows: number, unrecordedRows: number): ResumePlan {
  return { skipRows: 0, upsertRows: unrecordedRows + concurrency * maxRows };
}

/**
 * For autoid targets: `present` rows of this job are in the target, `recorded` were acknowledged
 * and recorded; the difference landed unrecorded: acknowledged requests the state had not caught
 * up with, and at most one more request (sent alone, so what landed is a prefix of what was sent).
 */
export function autoIdResumePlan(present: number, recorded: number, bound: number, where: string): ResumePlan {
  const extra = present - recorded;
  if (extra < 0) {
    throw new MilvusdmError(
      'MDM_RESUME',
      `${where} holds ${present} rows of this job but the interrupted run recorded ${recorded} as written: rows were deleted since`,
      {
        hint: 'Run again with --restart and mode: overwrite to start over.',
      },
    );
  }
  if (extra > bound) {
    throw new MilvusdmError(
      'MDM_RESUME',
      `${where} holds ${extra} rows more than the interrupted run recorded, more than it can have sent unrecorded (${bound}): someone else wrote there`,
      {
        hint: 'Run again with --restart and mode: overwrite to start over.',
      },
    );
  }
  return { skipRows: extra, upsertRows: 0 };
}
