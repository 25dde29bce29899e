/** `milvusdm schema`: the JSON Schema of job files, with a branch for every installed channel. */
import { buildJobJsonSchema, errorMessage, resolveChannel, scanPlugins, type ChannelPlugin } from '@milvusdm/core';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

export async function schemaCommand(out: Output): Promise<number> {
  const bases = pluginBases(undefined);
  const plugins: ChannelPlugin[] = [];
  for (const installed of await scanPlugins(bases)) {
    for (const channel of installed.manifest?.channels ?? []) {
      try {
        plugins.push((await resolveChannel(channel.kind, channel.name, { bases, baseDir: process.cwd() })).plugin);
      } catch (e) {
        out.message(`warning: ${installed.packageName}: ${errorMessage(e)}`);
      }
    }
  }
  out.print(JSON.stringify(buildJobJsonSchema(plugins), null, 2));
  return 0;
}
