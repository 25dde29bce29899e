/**
 * Turns a job's `type:` into a loaded plugin. Three spellings work: a short channel name
 * (`hdf5`, found through installed packages' manifests, see scan.ts), a package name
 * (`milvusdm-reader-csv`, `@acme/parquet`) and a path to a module (`./my-reader.js`, optionally
 * `./plugins.js#csv` when the module exports several). A package or path named explicitly may
 * call its channel anything.
 * "Not installed" and "installed but broken" are different errors with different advice.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MilvusdmError, errorMessage } from '../errors.js';
import type { ChannelKind, ChannelPlugin } from '../plugin.js';
import { manifestOffers, packageEntry, readPackageJson } from './package-json.js';
import { nodeModulesChain, scanPlugins, type InstalledPlugin } from './scan.js';
import { closest } from '../suggest.js';
import { FIRST_PARTY_CHANNELS } from './first-party.js';

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

/** Called with a plugin module's file before it is first imported (see setPluginImportGuard). */
let importGuard: ((file: string) => void) | undefined;

/**
 * Lets the host prepare the module loader for a plugin before it is imported: the CLI makes
 * sure the plugin will see the CLI's own `@milvusdm/core` (apps/cli/src/one-core.ts).
 */
export function setPluginImportGuard(guard: ((file: string) => void) | undefined): void {
  importGuard = guard;
}

async function loadModule(file: string, label: string): Promise<unknown> {
  try {
    importGuard?.(file);
    return await import(pathToFileURL(file).href);
  } catch (e) {
    throw new MilvusdmError('MDM_PLUGIN_LOAD', `plugin ${label} is installed but failed to load: ${errorMessage(e)}`, {
      cause: e,
      hint: 'Reinstall the package and its dependencies; run with --verbose for the full cause.',
    });
  }
}

/**
 * The plugin of `kind` a module offers for `type`. A package or a file named explicitly may call
 * its channel anything: when it offers exactly one channel of the kind, that is the one meant.
 * `wanted` is the channel name to prefer (`file.js#name` or the short name asked for).
 */
function pick(mod: unknown, kind: ChannelKind, wanted: string | undefined, label: string, explicit: boolean): ChannelPlugin {
  const candidates = pluginsOf(mod).filter(isPlugin);
  const ofKind = candidates.filter((p) => p.kind === kind);
  const named = ofKind.find((p) => p.name === wanted);
  if (named) return named;
  if (explicit && ofKind.length === 1 && ofKind[0]) return ofKind[0];
  const offered = candidates.map((p) => `${p.kind} "${p.name}"`);
  throw new MilvusdmError(
    'MDM_PLUGIN_INVALID',
    offered.length === 0
      ? `plugin ${label} does not export a valid milvusdm plugin`
      : explicit && ofKind.length > 1
        ? `plugin ${label} exports several ${kind}s (${offered.join(', ')}); name one: ${label}#NAME`
        : `plugin ${label} does not export a ${kind}${wanted ? ` named "${wanted}"` : ''} (it exports ${offered.join(', ')})`,
    { hint: SHAPE_HINT },
  );
}

async function loadPackage(
  entry: InstalledPlugin,
  kind: ChannelKind,
  wanted: string | undefined,
  explicit: boolean,
): Promise<ResolvedPlugin> {
  if (entry.problem) {
    throw new MilvusdmError('MDM_PLUGIN_LOAD', `plugin ${entry.packageName} (${entry.dir}) is unusable: ${entry.problem}`);
  }
  const pkg = await readPackageJson(entry.dir);
  const file = packageEntry(entry.dir, pkg ?? {});
  const mod = await loadModule(file, `${entry.packageName} (${entry.dir})`);
  return { plugin: pick(mod, kind, wanted, entry.packageName, explicit), from: entry.packageName };
}

export async function resolveChannel<K extends ChannelKind>(
  kind: K,
  type: string,
  options: ResolveOptions,
): Promise<ResolvedPlugin<PluginOf<K>>> {
  const found = await findChannel(kind, type, options);
  // pick() only returns a plugin of the kind asked for.
  return found as ResolvedPlugin<PluginOf<K>>;
}

/** `./dir/reader.js#csv` → the file and the channel name after `#` (optional). */
function splitPathType(type: string, baseDir: string): { file: string; wanted: string | undefined } {
  const hash = type.lastIndexOf('#');
  const path = hash > 0 ? type.slice(0, hash) : type;
  const wanted = hash > 0 ? type.slice(hash + 1) : undefined;
  return { file: path.startsWith('file:') ? fileURLToPath(path) : resolve(baseDir, path), wanted };
}

const PACKAGE_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

/** A package named in `type` but invisible to the scan (not a dependency, unconventional name). */
async function locatePackage(name: string, bases: readonly string[]): Promise<InstalledPlugin | undefined> {
  if (!PACKAGE_NAME.test(name)) return undefined;
  for (const base of bases) {
    for (const nm of nodeModulesChain(base)) {
      const dir = join(nm, name);
      const pkg = await readPackageJson(dir).catch(() => undefined);
      if (pkg) return { packageName: name, version: pkg.version, dir, manifest: undefined, base };
    }
  }
  return undefined;
}

async function findChannel(kind: ChannelKind, type: string, options: ResolveOptions): Promise<ResolvedPlugin> {
  if (isPathLike(type)) {
    const { file, wanted } = splitPathType(type, options.baseDir);
    return { plugin: pick(await loadModule(file, file), kind, wanted, file, true), from: file };
  }
  const installed = await scanPlugins(options.bases);
  // 1. A short name some installed package declares in its manifest: `type: hdf5`.
  const byManifest = installed.find((p) => p.manifest && manifestOffers(p.manifest, kind, type));
  if (byManifest) return loadPackage(byManifest, kind, type, false);

  // 2. A package name: `type: milvusdm-reader-csv` or `type: @acme/parquet`.
  const byPackage = installed.find((p) => p.packageName === type) ?? (await locatePackage(type, options.bases));
  if (byPackage) return loadPackage(byPackage, kind, undefined, true);

  // 3. A package named like the channel by convention, found without a manifest entry for it.
  const names = candidatePackages(kind, type);
  const named = installed.find((p) => names.includes(p.packageName));
  if (named) return loadPackage(named, kind, type, false);

  throw notFound(kind, type, installed, options);
}

function notFound(kind: ChannelKind, type: string, installed: readonly InstalledPlugin[], options: ResolveOptions): MilvusdmError {
  const firstParty = FIRST_PARTY_CHANNELS[kind];
  const known = [
    ...installed.flatMap((p) => p.manifest?.channels.filter((c) => c.kind === kind).map((c) => c.name) ?? []),
    ...Object.keys(firstParty),
  ];
  // A first-party channel asked for by its exact name is simply not installed: no guessing.
  const near = firstParty[type] ? undefined : closest(type, known);
  const packageFor = (name: string) => firstParty[name] ?? candidatePackages(kind, name)[0];
  const installedNames = new Set(installed.flatMap((p) => p.manifest?.channels.filter((c) => c.kind === kind).map((c) => c.name) ?? []));
  let hint: string;
  if (near) {
    hint = installedNames.has(near)
      ? `Did you mean "${near}"? It is installed.`
      : `Did you mean "${near}"? Install it: npm i ${packageFor(near)}`;
  } else {
    hint =
      `Looked for a package offering ${kind} "${type}" in its "milvusdm" manifest, for a package named "${type}", and for ` +
      `${candidatePackages(kind, type).slice(0, 2).join(', ')}, from ${options.bases.join(', ')}. Install it: npm i ${packageFor(type)}`;
  }
  const message = near
    ? `no ${kind} plugin found for type "${type}"; did you mean "${near}"?`
    : `no ${kind} plugin found for type "${type}"`;
  return new MilvusdmError('MDM_PLUGIN_NOT_FOUND', message, { hint });
}
