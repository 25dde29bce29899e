/**
 * `milvusdm inspect TARGET`: asks each installed reader that can inspect whether it recognises
 * the file or folder, and prints the first description.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  MilvusdmError,
  errorMessage,
  type SecretRedactor,
  resolveChannel,
  scanPlugins,
  type ChannelContext,
  type ReaderPlugin,
} from '@milvusdm/core';
import { DATA_DIR, MANIFEST, describeArchive } from '../archive/manifest.js';
import { pluginBases } from '../plugin-bases.js';
import type { Output } from '../output.js';

export async function inspectCommand(
  target: string,
  json: boolean,
  out: Output,
  signal: AbortSignal,
  redactor: SecretRedactor,
): Promise<number> {
  const bases = pluginBases(undefined);
  const context: ChannelContext = {
    signal,
    logger: { debug() {}, info() {}, warn: (m) => out.message(`warning: ${m}`), error: (m) => out.message(`error: ${m}`) },
    baseDir: process.cwd(),
    redact: (s) => redactor.add(s),
  };
  const path = resolve(target);
  // A milvusdm archive is the CLI's own format: described from its manifest, no plugin needed.
  if (existsSync(join(path, MANIFEST)) || existsSync(join(path, DATA_DIR))) {
    const described = await describeArchive(path);
    out.print(json ? JSON.stringify(described.data, null, 2) : described.lines.join('\n'));
    return 0;
  }
  const tried: string[] = [];
  for (const installed of await scanPlugins(bases)) {
    for (const channel of installed.manifest?.channels ?? []) {
      if (channel.kind !== 'reader') continue;
      let plugin: ReaderPlugin;
      try {
        plugin = (await resolveChannel('reader', channel.name, { bases, baseDir: process.cwd() })).plugin;
      } catch (e) {
        out.message(`warning: ${installed.packageName}: ${errorMessage(e)}`);
        continue;
      }
      if (!plugin.inspect) continue;
      tried.push(channel.name);
      const report = await plugin.inspect(path, context);
      if (!report) continue;
      if (json)
        out.print(
          JSON.stringify({ format: report.format, ...report.data }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2),
        );
      else out.print(report.lines.join('\n'));
      return 0;
    }
  }
  throw new MilvusdmError(
    'MDM_UNSUPPORTED',
    `${path}: no installed reader recognises it (asked: ${tried.join(', ') || 'none can inspect'})`,
  );
}
