/**
 * Finds installed plugin packages without loading them: by the first-party scope
 * (`@milvusdm/reader-*`, `@milvusdm/writer-*`), the third-party naming convention
 * (`milvusdm-reader-*`, `milvusdm-writer-*`, `milvusdm-plugin-*`, also under any scope), and by a
 * `milvusdm` manifest field in the package.json of any dependency of the project in view.
 */
import { readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { checkManifest, readPackageJson, type PackageJson } from './package-json.js';
import { errorMessage } from '../errors.js';
import type { PluginManifest } from '../plugin.js';

export interface InstalledPlugin {
  readonly packageName: string;
  readonly version: string | undefined;
  readonly dir: string;
  /** Undefined when the package is unusable; `problem` says why. */
  readonly manifest: PluginManifest | undefined;
  readonly problem?: string;
  /** The search base it was found from. */
  readonly base: string;
}

const NAME_PATTERN = /^(?:@milvusdm\/(?:reader|writer|plugin)-.+|(?:@[^/]+\/)?milvusdm-(?:reader|writer|plugin)-.+)$/;

export function looksLikePluginName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** `node_modules` folders Node would search from `base`, nearest first. */
export function nodeModulesChain(base: string): string[] {
  const out: string[] = [];
  let dir = resolve(base);
  for (;;) {
    // Inside a node_modules folder, its own node_modules is not where packages live.
    if (basename(dir) !== 'node_modules') out.push(join(dir, 'node_modules'));
    const parent = dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Package names in one node_modules folder that follow the naming conventions. */
async function conventionalPackages(nodeModules: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await listDir(nodeModules)) {
    if (entry.startsWith('@')) {
      for (const sub of await listDir(join(nodeModules, entry))) {
        const full = `${entry}/${sub}`;
        if (looksLikePluginName(full)) names.push(full);
      }
    } else if (looksLikePluginName(entry)) names.push(entry);
  }
  return names;
}

/** The nearest package.json at or above `dir`, with its folder. */
async function nearestProject(dir: string): Promise<{ dir: string; pkg: PackageJson } | undefined> {
  let d = resolve(dir);
  for (;;) {
    const pkg = await readPackageJson(d);
    if (pkg) return { dir: d, pkg };
    const parent = dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

async function inspectPackage(dir: string, base: string, fallbackName: string): Promise<InstalledPlugin | undefined> {
  let pkg: PackageJson | undefined;
  try {
    pkg = await readPackageJson(dir);
  } catch (e) {
    return {
      packageName: fallbackName,
      version: undefined,
      dir,
      manifest: undefined,
      problem: `unreadable package.json: ${errorMessage(e)}`,
      base,
    };
  }
  if (!pkg) return undefined;
  const name = pkg.name ?? fallbackName;
  if (pkg.milvusdm === undefined) {
    // Named like a plugin but without a manifest: report it, it cannot be listed without loading.
    return looksLikePluginName(name)
      ? {
          packageName: name,
          version: pkg.version,
          dir,
          manifest: undefined,
          problem: 'package.json has no "milvusdm" manifest field',
          base,
        }
      : undefined;
  }
  // A support library of plugins declares an empty channel list: not a plugin itself.
  const channels = (pkg.milvusdm as { channels?: unknown } | null)?.channels;
  if (Array.isArray(channels) && channels.length === 0) return undefined;
  const manifest = checkManifest(pkg.milvusdm);
  return typeof manifest === 'string'
    ? { packageName: name, version: pkg.version, dir, manifest: undefined, problem: manifest, base }
    : { packageName: name, version: pkg.version, dir, manifest, base };
}

/**
 * Every plugin package visible from the given bases, nearest base first; the same package
 * (by real path) is reported once.
 */
export async function scanPlugins(bases: readonly string[]): Promise<InstalledPlugin[]> {
  const seen = new Set<string>();
  const found: InstalledPlugin[] = [];
  const consider = async (dir: string, base: string, name: string) => {
    let real: string;
    try {
      real = await realpath(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    const plugin = await inspectPackage(real, base, name);
    if (plugin) found.push(plugin);
  };
  for (const base of bases) {
    for (const nm of nodeModulesChain(base)) {
      for (const name of await conventionalPackages(nm)) await consider(join(nm, name), base, name);
    }
    // Any dependency of the project in view may declare itself a plugin through the manifest field.
    const project = await nearestProject(base);
    if (project) {
      const deps = { ...project.pkg.dependencies, ...project.pkg.optionalDependencies, ...project.pkg.devDependencies };
      for (const name of Object.keys(deps)) {
        for (const nm of nodeModulesChain(project.dir)) {
          const dir = join(nm, name);
          if ((await listDir(dir)).includes('package.json')) {
            await consider(dir, base, name);
            break;
          }
        }
      }
    }
  }
  return found;
}
