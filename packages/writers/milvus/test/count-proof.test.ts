import { describe, expect, it } from 'vitest';
import { acknowledgementsProveCount, type CountProofFacts } from '../src/count-proof.js';

/** The facts under which acknowledgements prove the count: every other case changes one of them. */
const proving: CountProofFacts = {
  option: 'auto',
  countReadsEveryRow: true,
  createdNow: true,
  locked: true,
  upserts: false,
  resumed: false,
  firstWrite: true,
  keysChecked: false,
};

describe('when acknowledgements prove the row count', () => {
  it('on Milvus Lite 3.x, into a collection this run created, first write, under the lock', () => {
    expect(acknowledgementsProveCount(proving)).toBe(true);
  });

  it('a later dataset into the same collection only when its keys are checked against it', () => {
    expect(acknowledgementsProveCount({ ...proving, firstWrite: false })).toBe(false);
    expect(acknowledgementsProveCount({ ...proving, firstWrite: false, keysChecked: true })).toBe(true);
  });

  it('never after upserts, a resume, without the lock, or into a collection that existed', () => {
    for (const change of [{ upserts: true }, { resumed: true }, { locked: false }, { createdNow: false }]) {
      expect(acknowledgementsProveCount({ ...proving, ...change }), JSON.stringify(change)).toBe(false);
      expect(acknowledgementsProveCount({ ...proving, ...change, option: 'acknowledged' }), JSON.stringify(change)).toBe(false);
    }
  });

  it('auto counts on the server where counting is cheap; server always does; acknowledged everywhere it proves', () => {
    expect(acknowledgementsProveCount({ ...proving, countReadsEveryRow: false })).toBe(false);
    expect(acknowledgementsProveCount({ ...proving, option: 'server' })).toBe(false);
    expect(acknowledgementsProveCount({ ...proving, option: 'acknowledged', countReadsEveryRow: false })).toBe(true);
  });
});
