/** `milvusdm plugins`: what is installed, read from package manifests without loading any code. */
import { scanPlugins, type InstalledPlugin } from '@milvusdm/core';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

export async function pluginsCommand(json: boolean, out: Output): Promise<number> {
  const found = await scanPlugins(pluginBases(undefined));
  if (json) {
    out.print(JSON.stringify(found.map(toJson), null, 2));
    return 0;
  }
  if (found.length === 0) {
    out.print('No milvusdm plugins installed. Install channels with e.g. npm i @milvusdm/reader-hdf5 @milvusdm/writer-milvus');
    return 0;
  }
  for (const p of found) {
    const channels = p.manifest?.channels.map((c) => `${c.kind} ${c.name}`).join(', ') ?? '';
    out.print(`${p.packageName}${p.version ? `@${p.version}` : ''}  ${p.problem ? `UNUSABLE: ${p.problem}` : channels}`);
    out.print(`  ${p.dir}`);
  }
  return 0;
}

function toJson(p: InstalledPlugin) {
  return {
    package: p.packageName,
    version: p.version ?? null,
    dir: p.dir,
    channels: p.manifest?.channels ?? [],
    ...(p.problem ? { problem: p.problem } : {}),
  };
}
