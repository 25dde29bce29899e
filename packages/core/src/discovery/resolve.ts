/**
 * Turns a job's `type:` into a loaded plugin. The package is found by its manifest or by name
 * among installed packages (see scan.ts); a `type` that is a path loads that module directly.
 * "Not installed" and "installed but broken" are different errors with different advice.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MilvusdmError, errorMessage } from '../errors.js';
import type { ChannelKind, ChannelPlugin } from '../plugin.js';
import { manifestOffers, packageEntry, readPackageJson } from './package-json.js';
import { scanPlugins, type InstalledPlugin } from './scan.js';

export interface ResolveOptions {
  /** Folders to search from, in order: the job file's folder, the working directory, the CLI's install. */
  readonly bases: readonly string[];
  /** Folder a path-like `type` is relative to. */
  readonly baseDir: string;
}

export interface ResolvedPlugin<P extends ChannelPlugin = ChannelPlugin> {
  readonly plugin: P;
  /** Package name, or the module path for a path-like type. */
  readonly from: string;
}

type PluginOf<K extends ChannelKind> = Extract<ChannelPlugin, { kind: K }>;

export function candidatePackages(kind: ChannelKind, type: string): string[] {
  return [`@milvusdm/${kind}-${type}`, `milvusdm-${kind}-${type}`, `milvusdm-plugin-${type}`];
}

function isPathLike(type: string): boolean {
  return type.startsWith('./') || type.startsWith('../') || isAbsolute(type) || type.startsWith('file:');
}

/** A module may export one plugin, or a list of them, as default or named `plugin`/`plugins`. */
function pluginsOf(mod: unknown): unknown[] {
  let m = mod as Record<string, unknown> | undefined;
  // CommonJS interop can wrap the default export twice.
  for (let i = 0; i < 2 && m && typeof m === 'object' && 'default' in m && m['default'] !== undefined; i++) {
    m = m['default'] as Record<string, unknown>;
  }
  const value = (m && (m['plugins'] ?? m['plugin'])) ?? m;
  return Array.isArray(value) ? value : [value];
}

function isPlugin(value: unknown): value is ChannelPlugin {
  const p = value as Partial<ChannelPlugin> | undefined;
  return (
    !!p &&
    (p.kind === 'reader' || p.kind === 'writer') &&
    typeof p.name === 'string' &&
    typeof p.open === 'function' &&
    !!p.options &&
    typeof (p.options as { safeParse?: unknown }).safeParse === 'function'
  );
}

const SHAPE_HINT =
  'A plugin module default-exports { kind: "reader" | "writer", name, options: <zod schema>, open(options, context) } ' +
  '(see docs/writing-a-plugin.md)';

async function loadModule(file: string, label: string): Promise<unknown> {
  try {
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw new MilvusdmError('MDM_PLUGIN_LOAD', `plugin ${label} is installed but failed to load: ${errorMessage(e)}`, {
      cause: e,
      hint: 'Reinstall the package and its dependencies; run with --verbose for the full cause.',
    });
  }
}

function pick(mod: unknown, kind: ChannelKind, type: string, label: string): ChannelPlugin {
  const candidates = pluginsOf(mod);
  const match = candidates.find((p) => isPlugin(p) && p.kind === kind && p.name === type);
  if (match) return match as ChannelPlugin;
  const offered = candidates.filter(isPlugin).map((p) => `${p.kind} "${p.name}"`);
  throw new MilvusdmError(
    'MDM_PLUGIN_INVALID',
    offered.length > 0
      ? `plugin ${label} does not export a ${kind} named "${type}" (it exports ${offered.join(', ')})`
      : `plugin ${label} does not export a valid milvusdm plugin`,
    { hint: SHAPE_HINT },
  );
}

async function loadPackage(entry: InstalledPlugin, kind: ChannelKind, type: string): Promise<ResolvedPlugin> {
  const pkg = await readPackageJson(entry.dir);
  const file = packageEntry(entry.dir, pkg ?? {});
  const mod = await loadModule(file, `${entry.packageName} (${entry.dir})`);
  return { plugin: pick(mod, kind, type, entry.packageName), from: entry.packageName };
}

export async function resolveChannel<K extends ChannelKind>(kind: K, type: string, options: ResolveOptions): Promise<ResolvedPlugin<PluginOf<K>>> {
  const found = await findChannel(kind, type, options);
  // pick() only returns a plugin of the kind asked for.
  return found as ResolvedPlugin<PluginOf<K>>;
}

async function findChannel(kind: ChannelKind, type: string, options: ResolveOptions): Promise<ResolvedPlugin> {
  if (isPathLike(type)) {
    const file = type.startsWith('file:') ? new URL(type).pathname : resolve(options.baseDir, type);
    return { plugin: pick(await loadModule(file, file), kind, type, file), from: file };
  }
  const installed = await scanPlugins(options.bases);
  const byManifest = installed.find((p) => p.manifest && manifestOffers(p.manifest, kind, type));
  if (byManifest) return loadPackage(byManifest, kind, type);

  const names = [...candidatePackages(kind, type), type];
  const broken = installed.find((p) => names.includes(p.packageName) && p.problem);
  if (broken) {
    throw new MilvusdmError('MDM_PLUGIN_LOAD', `plugin ${broken.packageName} (${broken.dir}) is unusable: ${broken.problem}`);
  }
  // A package that is named like the channel but not found by the scan (another layout).
  const named = installed.find((p) => names.includes(p.packageName));
  if (named) return loadPackage(named, kind, type);

  throw new MilvusdmError('MDM_PLUGIN_NOT_FOUND', `no ${kind} plugin found for type "${type}"`, {
    hint:
      `Looked for a package offering ${kind} "${type}" in its "milvusdm" manifest, and for ${names.slice(0, 2).join(', ')}, ` +
      `from ${options.bases.join(', ')}. Install it: npm i ${names[0]}`,
  });
}
