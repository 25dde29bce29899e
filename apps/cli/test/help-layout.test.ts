/** A command's help laid out only when asked for (src/help-layout.ts), checked on the yargs installed. */
import { describe, expect, it } from 'vitest';
import yargs, { type Argv } from 'yargs';
import { skipHelpLayoutOnRun, usageInternals } from '../src/help-layout.js';

function parser(args: string[], ran: string[]): Argv {
  return yargs(args)
    .command(
      'go',
      'Go somewhere',
      (y) => y.option('far', { type: 'boolean', describe: 'How far to go' }),
      () => {
        ran.push('go');
      },
    )
    .exitProcess(false)
    .strict();
}

describe('skipHelpLayoutOnRun', () => {
  it('yargs lays out a command help as the command runs, unless skipped', async () => {
    const ran: string[] = [];
    const plain = parser(['go'], ran);
    await plain.parseAsync();
    // Without the hook, yargs keeps the layout: what the hook saves (and proof it still does this).
    expect(usageInternals(plain)?.hasCachedHelpMessage?.()).toBe(true);

    const skipping = parser(['go', '--far'], ran);
    skipHelpLayoutOnRun(skipping);
    const argv = await skipping.parseAsync();
    expect(ran).toEqual(['go', 'go']);
    expect(argv['far']).toBe(true);
    expect(usageInternals(skipping)?.hasCachedHelpMessage?.()).toBe(false);
  });

  it('leaves --help of a command as it was', async () => {
    const help = async (skip: boolean) => {
      const p = parser(['go', '--help'], []);
      if (skip) skipHelpLayoutOnRun(p);
      return new Promise<string>((resolve) => {
        void p.parse(['go', '--help'], {}, (_err, _argv, output) => resolve(output));
      });
    };
    const [plain, skipped] = await Promise.all([help(false), help(true)]);
    expect(skipped).toContain('How far to go');
    expect(skipped).toBe(plain);
  });
});
