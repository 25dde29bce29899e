/**
 * `milvusdm --help` is printed from snapshots the build laid out (help-snapshot.ts). They must be
 * exactly what yargs prints now, at each width they were made for, or the build is stale.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliBin } from '@milvusdm/testing';

function help(args: string[], width: number, snapshot: boolean): { out: string; code: number | null } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,process.stdout.columns=${width}`, cliBin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...(snapshot ? {} : { MILVUSDM_NO_HELP_SNAPSHOT: '1' }) },
  });
  return { out: r.stdout, code: r.status };
}

describe('top-level help from the build-time snapshot', () => {
  for (const width of [100, 120, 200]) {
    it(`is what yargs prints, at a width of ${width} columns`, () => {
      const fromYargs = help(['--help'], width, false);
      expect(fromYargs.code).toBe(0);
      expect(fromYargs.out).toMatch(/^Move vector data/);
      for (const args of [['--help'], ['-h'], []]) expect(help(args, width, true)).toEqual(fromYargs);
    });
  }

  it('--version prints what yargs prints', () => {
    const fromYargs = spawnSync(process.execPath, [cliBin, '--version', '--verbose'], { encoding: 'utf8' });
    for (const flag of ['--version', '-V']) {
      const r = spawnSync(process.execPath, [cliBin, flag], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
      expect(r.stdout).toBe(fromYargs.stdout);
    }
  });

  it('at a width no snapshot was made for, yargs lays it out', () => {
    const narrow = help(['--help'], 60, true);
    expect(narrow.code).toBe(0);
    expect(narrow.out).toEqual(help(['--help'], 60, false).out);
    expect(narrow.out).not.toEqual(help(['--help'], 100, false).out);
  });
});
