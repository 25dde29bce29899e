/**
 * `milvusdm cleanup JOB.yaml [--apply]`: lists what interrupted runs left at the job's target
 * (staging collections, collections set aside mid-swap, stale locks), and with --apply removes
 * them, or renames a set-aside collection back. Asks the target's writer plugin: only it knows
 * its server. Lists only, by default: nothing is dropped without --apply.
 */
import { MilvusdmError, loadJobFile, parseOptions, resolveChannel, type ChannelContext, type SecretRedactor } from '@milvusdm/core';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

export async function cleanupCommand(
  file: string,
  apply: boolean,
  json: boolean,
  out: Output,
  signal: AbortSignal,
  redactor: SecretRedactor,
): Promise<number> {
  const job = await loadJobFile(file);
  const bases = pluginBases(job.baseDir);
  const writer = await resolveChannel('writer', job.target.type, { bases, baseDir: job.baseDir });
  if (!writer.plugin.leftovers) {
    throw new MilvusdmError('MDM_UNSUPPORTED', `the "${job.target.type}" writer keeps nothing to clean up`);
  }
  const context: ChannelContext = {
    signal,
    logger: { debug() {}, info() {}, warn: (m) => out.message(`warning: ${m}`), error: (m) => out.message(`error: ${m}`) },
    baseDir: job.baseDir,
    redact: (s) => redactor.add(s),
    run: job.run,
  };
  const options = parseOptions(writer.plugin.options, job.target.options, 'target', job.file);
  const items = await writer.plugin.leftovers(options, context, apply);
  if (json) {
    out.print(JSON.stringify({ applied: apply, items }));
  } else if (items.length === 0) {
    out.print('nothing left behind by milvusdm runs');
  } else {
    for (const item of items) out.print(`${item.name}\t${item.kind}\t${item.done ? 'done: ' : ''}${item.action}`);
    const pending = items.filter((i) => i.removable && !i.done).length;
    if (!apply && pending > 0) out.print(`${pending} item(s) to clean up: run again with --apply`);
  }
  return 0;
}
