/** The overlap a resumed Milvus write must make idempotent, and the key-range proof of upserts. */
import { describe, expect, it } from 'vitest';
import { autoIdResumePlan, keyedResumePlan } from '../src/resume-plan.js';
import { contiguousRun } from '../src/key-count.js';

describe('resume plan', () => {
  it('keyed targets upsert what the state may lag by plus what was in flight', () => {
    expect(keyedResumePlan(2, 50_000, 100_000)).toEqual({ skipRows: 0, upsertRows: 200_000 });
  });

  it('autoid targets skip the rows that landed unrecorded, and refuse what cannot be theirs', () => {
    expect(autoIdResumePlan(1000, 1000, 150_000, '"c"')).toEqual({ skipRows: 0, upsertRows: 0 });
    expect(autoIdResumePlan(1400, 1000, 150_000, '"c"')).toEqual({ skipRows: 400, upsertRows: 0 });
    expect(() => autoIdResumePlan(900, 1000, 150_000, '"c"')).toThrow(
      /"c" holds 900 rows of this job but the interrupted run recorded 1000/,
    );
    expect(() => autoIdResumePlan(200_000, 1000, 150_000, '"c"')).toThrow(/someone else wrote there/);
  });
});

describe('contiguousRun', () => {
  it('finds sequential keys, and only those', () => {
    expect(contiguousRun(BigInt64Array.from([5n, 6n, 7n]))).toEqual({ first: 5n, last: 7n });
    expect(contiguousRun(BigInt64Array.from([5n, 7n, 6n]))).toBeUndefined();
    expect(contiguousRun(BigInt64Array.from([5n, 6n, 6n]))).toBeUndefined();
    expect(contiguousRun(new BigInt64Array(0))).toBeUndefined();
  });
});
