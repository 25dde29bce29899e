/** How `milvusdm verify` reads its flags and prints its summary (the comparison itself: core's tests). */
import { describe, expect, it } from 'vitest';
import type { DatasetVerdict } from '@milvusdm/core';
import { humanSummary, verifyOptionsFrom } from '../src/commands/verify.js';

const base: DatasetVerdict = {
  source: 'file /d/a.h5',
  target: 'milvus collection "c"',
  mode: 'full',
  equal: true,
  byKey: true,
  keyField: 'id',
  announced: { source: 3, target: 3 },
  sourceRows: 3000,
  targetRows: 3000,
  compared: ['id', 'embedding'],
  notCompared: [],
  buckets: 64,
  differingBuckets: 0,
  differences: [],
  moreDifferences: false,
  notes: [],
};

describe('verify flags', () => {
  it('default to a full comparison and take a seeded sample when asked', () => {
    expect(verifyOptionsFrom({})).toEqual({ mode: 'full' });
    expect(verifyOptionsFrom({ full: true, batchRows: 500 })).toEqual({ mode: 'full', batchRows: 500 });
    expect(verifyOptionsFrom({ sample: 10 })).toEqual({ mode: 'sample', sample: 10, seed: 0 });
    expect(verifyOptionsFrom({ sample: 10, seed: 4 })).toEqual({ mode: 'sample', sample: 10, seed: 4 });
  });

  it('refuse contradictions and nonsense with a usage error', () => {
    for (const bad of [{ full: true, sample: 3 }, { sample: 0 }, { sample: 2.5 }, { sample: -1 }, { seed: 1 }, { sample: 3, seed: -1 }]) {
      expect(() => verifyOptionsFrom(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'MDM_CONFIG', exitCode: 2 }));
    }
  });
});

describe('verify summary', () => {
  it('says equal in one line per target and overall', () => {
    expect(humanSummary({ equal: true, datasets: [base] })).toBe(
      [
        'equal: file /d/a.h5 → milvus collection "c"',
        '  rows: source 3,000, target 3,000; compared every key and value: id, embedding',
        'verify: source and target are equal (1 target)',
      ].join('\n'),
    );
  });

  it('names each difference, the fields that differ, and that more exist', () => {
    const bad: DatasetVerdict = {
      ...base,
      equal: false,
      targetRows: 2999,
      differingBuckets: 2,
      differences: [
        { kind: 'missing', key: '9007199254740993', sourceRows: 1, targetRows: 0 },
        { kind: 'different', key: '12', sourceRows: 1, targetRows: 1, fields: ['embedding'] },
      ],
      moreDifferences: true,
    };
    const text = humanSummary({ equal: false, datasets: [bad, base] });
    expect(text).toContain('DIFFERENT: file /d/a.h5 → milvus collection "c"');
    expect(text).toContain('  2 of 64 key buckets differ');
    expect(text).toContain('  missing id 9007199254740993 (source 1, target 0)');
    expect(text).toContain('  different id 12 (source 1, target 1): embedding differ');
    expect(text).toContain('  … more differences exist than are listed');
    expect(text.split('\n').at(-1)).toBe('verify: 1 of 2 target(s) differ from the source');
  });
});
