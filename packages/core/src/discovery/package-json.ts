/** Reading plugin packages' package.json files: the manifest and the module entry point. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PLUGIN_API_VERSION, type ChannelKind, type PluginManifest } from '../plugin.js';

export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly main?: string;
  readonly module?: string;
  readonly exports?: unknown;
  readonly milvusdm?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

export async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Validates a `milvusdm` manifest field; returns the problem as text when it is unusable. */
export function checkManifest(raw: unknown): PluginManifest | string {
  if (raw === null || typeof raw !== 'object') return 'the "milvusdm" field of package.json is not an object';
  const m = raw as { apiVersion?: unknown; channels?: unknown };
  if (m.apiVersion !== PLUGIN_API_VERSION) {
    return `built for plugin API version ${String(m.apiVersion)}; this milvusdm supports version ${PLUGIN_API_VERSION}`;
  }
  if (!Array.isArray(m.channels) || m.channels.length === 0) return 'the manifest lists no channels';
  for (const c of m.channels as unknown[]) {
    const ch = c as { kind?: unknown; name?: unknown };
    if ((ch.kind !== 'reader' && ch.kind !== 'writer') || typeof ch.name !== 'string' || ch.name === '') {
      return 'every manifest channel needs kind "reader" or "writer" and a name';
    }
  }
  return raw as PluginManifest;
}

export function manifestOffers(manifest: PluginManifest, kind: ChannelKind, name: string): boolean {
  return manifest.channels.some((c) => c.kind === kind && c.name === name);
}

const CONDITIONS = ['node', 'import', 'default'];

function pickExport(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const hit = pickExport(t);
      if (hit) return hit;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (CONDITIONS.includes(condition)) {
        const hit = pickExport(value);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

/** The file `import(packageName)` would load, from the package's own package.json. */
export function packageEntry(dir: string, pkg: PackageJson): string {
  let exported: string | undefined;
  if (pkg.exports !== undefined) {
    const ex = pkg.exports as Record<string, unknown> | string;
    const root = typeof ex === 'object' && !Array.isArray(ex) && Object.keys(ex).some((k) => k.startsWith('.')) ? ex['.'] : ex;
    exported = pickExport(root);
  }
  return join(dir, exported ?? pkg.module ?? pkg.main ?? 'index.js');
}
