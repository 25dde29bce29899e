/**
 * yargs lays out a command's help text as the command's handler starts, in case the handler
 * prints it later: string-width and cliui measuring every flag, ~30 ms of every run's start-up.
 * No handler of this CLI prints a command's help, so that layout is skipped; `--help` still
 * lays it out when asked. The hook is yargs's internal API (`getInternalMethods`): where a
 * version of yargs lacks it, yargs keeps its own behaviour (test/help-layout.test.ts says so).
 */
import type { Argv } from 'yargs';

interface UsageInternals {
  cacheHelpMessage?: () => void;
  hasCachedHelpMessage?: () => boolean;
}

/** yargs's usage object (one per parser, kept across commands), where this version exposes it. */
export function usageInternals(parser: Argv): UsageInternals | undefined {
  const internal = parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => UsageInternals | undefined } };
  return internal.getInternalMethods?.().getUsageInstance?.();
}

export function skipHelpLayoutOnRun(parser: Argv): void {
  const usage = usageInternals(parser);
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}
