#!/usr/bin/env node
/**
 * Ties versions to the plugin contract (see .changeset/README.md).
 *   check  — every plugin manifest declares the current PLUGIN_API_VERSION; if it differs from
 *            the one last released, pending changesets bump core minor and every plugin.
 *   record — after `changeset version`: the released API version is the current one.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corePkgFile = join(root, 'packages/core/package.json');
const source = readFileSync(join(root, 'packages/core/src/plugin.ts'), 'utf8');
const current = Number(/export const PLUGIN_API_VERSION = (\d+);/.exec(source)?.[1]);
if (!Number.isInteger(current)) throw new Error('PLUGIN_API_VERSION not found in packages/core/src/plugin.ts');

function workspacePackages() {
  const dirs = ['packages', 'packages/readers', 'packages/writers', 'apps'].flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(root, d, e.name)),
  );
  return dirs.flatMap((dir) => {
    try {
      return [{ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }];
    } catch {
      return [];
    }
  });
}

/** Package → bump type, from every pending changeset's front matter. */
function pendingBumps() {
  const bumps = new Map();
  const order = { patch: 0, minor: 1, major: 2 };
  const dir = join(root, '.changeset');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.md') && n !== 'README.md')) {
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(dir, name), 'utf8'))?.[1] ?? '';
    for (const m of front.matchAll(/^["']?([^"':]+)["']?:\s*(patch|minor|major)\s*$/gm)) {
      if ((order[m[2]] ?? -1) > (order[bumps.get(m[1])] ?? -1)) bumps.set(m[1], m[2]);
    }
  }
  return bumps;
}

const corePkg = JSON.parse(readFileSync(corePkgFile, 'utf8'));
if (process.argv[2] === 'record') {
  corePkg.milvusdm = { ...corePkg.milvusdm, pluginApiVersion: current, apiVersion: current };
  writeFileSync(corePkgFile, `${JSON.stringify(corePkg, null, 2)}\n`);
  console.log(`recorded plugin API version ${current} as released`);
  process.exit(0);
}

const problems = [];
const plugins = workspacePackages().filter(
  ({ pkg }) => !pkg.private && Array.isArray(pkg.milvusdm?.channels) && pkg.milvusdm.channels.length > 0,
);
for (const { pkg } of plugins) {
  if (pkg.milvusdm.apiVersion !== current)
    problems.push(`${pkg.name}: manifest apiVersion ${pkg.milvusdm.apiVersion}, core's PLUGIN_API_VERSION is ${current}`);
}
const released = corePkg.milvusdm?.pluginApiVersion;
if (released !== current) {
  const bumps = pendingBumps();
  if (!['minor', 'major'].includes(bumps.get('@milvusdm/core')))
    problems.push(
      `PLUGIN_API_VERSION went from ${released} to ${current}: add a changeset bumping @milvusdm/core minor, with a migration note`,
    );
  for (const { pkg } of plugins)
    if (!bumps.has(pkg.name)) problems.push(`PLUGIN_API_VERSION changed: a changeset must bump ${pkg.name} too`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`plugin-api: ${p}`);
  process.exit(1);
}
console.log(
  `plugin API version ${current}: ${plugins.length} plugin manifests agree${released === current ? '' : `; bumps pending for the change from ${released}`}`,
);
