/**
 * `milvusdm --version`, and `milvusdm --help` (and a bare `milvusdm`) from the snapshot the build wrote
 * (scripts/help-snapshot.mjs), when one was made at the width yargs would use now. Loading yargs
 * to lay the help out costs more than Node's own start-up; the top-level help depends on nothing
 * but the CLI itself, so it is laid out once, at build time. Any other case goes through yargs.
 */
import { readFileSync } from 'node:fs';

/** The width cli.ts gives yargs: the terminal's, at most 120; 100 when not a terminal. */
function helpWidth(): number {
  return Math.min(120, process.stdout.columns || 100);
}

export function printHelpSnapshot(args: readonly string[]): boolean {
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // As yargs prints it (cli.ts: .version(cliVersion())), without loading yargs.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    process.stdout.write(`${pkg.version ?? 'unknown'}\n`);
    return true;
  }
  const asksHelp = args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === '-h'));
  if (!asksHelp || process.env['MILVUSDM_NO_HELP_SNAPSHOT']) return false;
  let text: string;
  try {
    text = readFileSync(new URL(`./help-${helpWidth()}.txt`, import.meta.url), 'utf8');
  } catch {
    return false;
  }
  process.stdout.write(text);
  return true;
}
